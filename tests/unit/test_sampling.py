"""The ISO 2859-1 sampling engine against the published tables.

The expected values are written out here, copied from the standard's
tables (ISO 2859-1:1999, identical to GB/T 2828.1-2012), not computed by
the module under test: Table 2-A row by row with its arrows, Table 1 row by
row, and samples of Tables 2-B and 2-C as (letter, AQL) -> the plan used.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import InvalidValue
from app.domain.sampling import code_letter, plan, table_plan

LETTERS = "ABCDEFGHJKLMNPQR"
SAMPLE_SIZES = dict(zip(LETTERS, (
    2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000,
), strict=True))
AQLS_LOW = ("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25",
            "0.40", "0.65", "1.0", "1.5", "2.5", "4.0", "6.5")
AQLS_HIGH = ("10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000")
AQLS = AQLS_LOW + AQLS_HIGH

# Table 2-A (normal inspection), the published rows: AQL 0.010 to 6.5 ...
TABLE_2A_LOW = {
    "A": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1",
    "B": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑",
    "C": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓",
    "D": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2",
    "E": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3",
    "F": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4",
    "G": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6",
    "H": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8",
    "J": "    ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11",
    "K": "    ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15",
    "L": "    ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22",
    "M": "    ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑",
    "N": "    ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑",
    "P": "    ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑",
    "Q": "  0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑",
    "R": "    ↑     ↑   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑",
}
# ... and AQL 10 to 1000.
TABLE_2A_HIGH = {
    "A": "    ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31",
    "B": "    ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "  1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑",
    "D": "  2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑",
    "E": "  3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑",
    "F": "  5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑",
    "G": "  7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "H": "10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "J": "14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "K": "21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "L": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "M": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "N": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "P": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "Q": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "R": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
}


def published_2a(letter: str, aql: str) -> tuple[str, int, int, int]:
    """Read the copy above as a person reads the table: follow the arrow
    to the first plan in its direction, use that letter and its n."""
    column = AQLS.index(aql)
    at = LETTERS.index(letter)
    while True:
        cells = (TABLE_2A_LOW[LETTERS[at]].split() + TABLE_2A_HIGH[LETTERS[at]].split())
        cell = cells[column]
        if cell == "↓":
            at += 1
        elif cell == "↑":
            at -= 1
        else:
            accept, reject = (int(x) for x in cell.split("/"))
            return LETTERS[at], SAMPLE_SIZES[LETTERS[at]], accept, reject


@pytest.mark.parametrize("aql", AQLS)
@pytest.mark.parametrize("letter", LETTERS)
def test_table_2a_every_letter_and_aql(letter, aql):
    assert tuple(table_plan(letter, aql)) == published_2a(letter, aql)


@pytest.mark.parametrize(("letter", "aql", "used"), [
    # down arrows: the first plan below, with that letter's sample size
    ("A", "1.0", ("E", 13, 0, 1)),
    ("A", "1.5", ("D", 8, 0, 1)),
    ("A", "0.010", ("Q", 1250, 0, 1)),
    ("C", "6.5", ("D", 8, 1, 2)),
    ("A", "10", ("C", 5, 1, 2)),       # row A has no up arrow: it points down
    ("Q", "0.025", ("R", 2000, 1, 2)),
    ("K", "0.25", ("L", 200, 1, 2)),
    # up arrows: the first plan above
    ("B", "6.5", ("A", 2, 0, 1)),
    ("R", "0.010", ("Q", 1250, 0, 1)),
    ("R", "0.015", ("P", 800, 0, 1)),  # row R has no down arrow: a long up
    ("K", "0.15", ("J", 80, 0, 1)),
    ("F", "100", ("E", 13, 21, 22)),
    ("R", "1.0", ("Q", 1250, 21, 22)),
    ("J", "1000", ("B", 3, 44, 45)),
    ("D", "650", ("C", 5, 44, 45)),
])
def test_table_2a_arrow_cells_use_the_plan_pointed_to(letter, aql, used):
    assert tuple(table_plan(letter, aql)) == used


# Table 1, the published rows: lot from, to (None: and over), then the
# letters for S-1, S-2, S-3, S-4, I, II, III.
TABLE_1 = [
    (2, 8, "A A A A A A B"),
    (9, 15, "A A A A A B C"),
    (16, 25, "A A B B B C D"),
    (26, 50, "A B B C C D E"),
    (51, 90, "B B C C C E F"),
    (91, 150, "B B C D D F G"),
    (151, 280, "B C D E E G H"),
    (281, 500, "B C D E F H J"),
    (501, 1200, "C C E F G J K"),
    (1201, 3200, "C D E G H K L"),
    (3201, 10000, "C D F G J L M"),
    (10001, 35000, "C D F H K M N"),
    (35001, 150000, "D E G J L N P"),
    (150001, 500000, "D E G J M P Q"),
    (500001, None, "D E H K N Q R"),
]
LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")


@pytest.mark.parametrize(("low", "high", "level", "letter"), [
    (low, high, level, letter)
    for low, high, letters in TABLE_1
    for level, letter in zip(LEVELS, letters.split(), strict=True)
])
def test_table_1_every_range_and_level(low, high, level, letter):
    for lot in (low, (low + high) // 2 if high else 10 * low, high or 10**9):
        assert code_letter(lot, level) == letter
        assert plan(lot, level, aql="1.0")["lot_code_letter"] == letter


def test_table_1_range_edges_change_letter():
    assert [code_letter(lot) for lot in (8, 9, 500000, 500001)] == ["A", "B", "P", "Q"]


# Table 2-B (tightened): letter, AQL -> letter of the plan used, n, Ac, Re.
TABLE_2B_SAMPLES = [
    ("D", "0.10", "L", 200, 0, 1),
    ("D", "0.65", "G", 32, 0, 1),
    ("D", "1.0", "F", 20, 0, 1),
    ("D", "1.5", "E", 13, 0, 1),
    ("D", "2.5", "D", 8, 0, 1),
    ("D", "4.0", "F", 20, 1, 2),
    ("D", "6.5", "E", 13, 1, 2),
    ("D", "10", "D", 8, 1, 2),
    ("D", "25", "D", 8, 3, 4),
    ("D", "100", "D", 8, 12, 13),
    ("H", "0.10", "L", 200, 0, 1),
    ("H", "0.65", "K", 125, 1, 2),
    ("H", "1.0", "J", 80, 1, 2),
    ("H", "1.5", "H", 50, 1, 2),
    ("H", "2.5", "H", 50, 2, 3),
    ("H", "4.0", "H", 50, 3, 4),
    ("H", "6.5", "H", 50, 5, 6),
    ("H", "10", "H", 50, 8, 9),
    ("H", "25", "H", 50, 18, 19),
    ("H", "100", "E", 13, 18, 19),
    ("K", "0.10", "L", 200, 0, 1),
    ("K", "0.65", "K", 125, 1, 2),
    ("K", "1.0", "K", 125, 2, 3),
    ("K", "1.5", "K", 125, 3, 4),
    ("K", "2.5", "K", 125, 5, 6),
    ("K", "4.0", "K", 125, 8, 9),
    ("K", "6.5", "K", 125, 12, 13),
    ("K", "10", "K", 125, 18, 19),
    ("K", "25", "H", 50, 18, 19),
    ("K", "100", "E", 13, 18, 19),
    ("N", "0.10", "P", 800, 1, 2),
    ("N", "0.65", "N", 500, 5, 6),
    ("N", "1.0", "N", 500, 8, 9),
    ("N", "1.5", "N", 500, 12, 13),
    ("N", "2.5", "N", 500, 18, 19),
    ("N", "4.0", "M", 315, 18, 19),
    ("N", "6.5", "L", 200, 18, 19),
    ("N", "10", "K", 125, 18, 19),
    ("N", "25", "H", 50, 18, 19),
    ("N", "100", "E", 13, 18, 19),
    ("A", "4.0", "C", 5, 0, 1),
    ("A", "6.5", "B", 3, 0, 1),
    ("A", "10", "A", 2, 0, 1),
    ("A", "15", "C", 5, 1, 2),
    ("A", "25", "B", 3, 1, 2),
    ("A", "1000", "A", 2, 27, 28),
    ("R", "0.010", "R", 2000, 0, 1),
    ("R", "0.015", "Q", 1250, 0, 1),
    ("R", "0.025", "S", 3150, 1, 2),
    ("R", "0.040", "R", 2000, 1, 2),
    ("R", "1.0", "Q", 1250, 18, 19),
    ("R", "1000", "B", 3, 41, 42),
    ("S", "0.025", "S", 3150, 1, 2),
]


@pytest.mark.parametrize(("letter", "aql", "used", "n", "ac", "re"), TABLE_2B_SAMPLES)
def test_table_2b_samples(letter, aql, used, n, ac, re):
    assert tuple(table_plan(letter, aql, "tightened")) == (used, n, ac, re)


# Table 2-C (reduced, 1999 edition: Re = Ac + 1): letter, AQL -> letter of
# the plan used, its reduced sample size, Ac, Re.
TABLE_2C_SAMPLES = [
    ("D", "0.10", "K", 50, 0, 1),
    ("D", "0.65", "F", 8, 0, 1),
    ("D", "1.0", "E", 5, 0, 1),
    ("D", "1.5", "D", 3, 0, 1),
    ("D", "2.5", "C", 2, 0, 1),
    ("D", "4.0", "F", 8, 1, 2),
    ("D", "6.5", "E", 5, 1, 2),
    ("D", "10", "D", 3, 1, 2),
    ("D", "25", "D", 3, 3, 4),
    ("D", "100", "D", 3, 8, 9),
    ("H", "0.10", "K", 50, 0, 1),
    ("H", "0.65", "K", 50, 1, 2),
    ("H", "1.0", "J", 32, 1, 2),
    ("H", "1.5", "H", 20, 1, 2),
    ("H", "2.5", "H", 20, 2, 3),
    ("H", "4.0", "H", 20, 3, 4),
    ("H", "6.5", "H", 20, 5, 6),
    ("H", "10", "H", 20, 6, 7),
    ("H", "25", "H", 20, 10, 11),
    ("H", "100", "E", 5, 10, 11),
    ("K", "0.10", "K", 50, 0, 1),
    ("K", "0.65", "K", 50, 1, 2),
    ("K", "1.0", "K", 50, 2, 3),
    ("K", "1.5", "K", 50, 3, 4),
    ("K", "2.5", "K", 50, 5, 6),
    ("K", "4.0", "K", 50, 6, 7),
    ("K", "6.5", "K", 50, 8, 9),
    ("K", "10", "K", 50, 10, 11),
    ("K", "25", "H", 20, 10, 11),
    ("K", "100", "E", 5, 10, 11),
    ("N", "0.10", "P", 315, 1, 2),
    ("N", "0.65", "N", 200, 5, 6),
    ("N", "1.0", "N", 200, 6, 7),
    ("N", "1.5", "N", 200, 8, 9),
    ("N", "2.5", "N", 200, 10, 11),
    ("N", "4.0", "M", 125, 10, 11),
    ("N", "6.5", "L", 80, 10, 11),
    ("N", "10", "K", 50, 10, 11),
    ("N", "25", "H", 20, 10, 11),
    ("N", "100", "E", 5, 10, 11),
    ("A", "4.0", "B", 2, 0, 1),
    ("A", "6.5", "A", 2, 0, 1),
    ("A", "10", "D", 3, 1, 2),
    ("A", "15", "C", 2, 1, 2),
    ("A", "25", "A", 2, 1, 2),
    ("A", "1000", "A", 2, 30, 31),
    ("R", "0.010", "Q", 500, 0, 1),
    ("R", "0.015", "P", 315, 0, 1),
    ("R", "0.025", "N", 200, 0, 1),
    ("R", "0.040", "R", 800, 1, 2),
    ("R", "1.0", "Q", 500, 10, 11),
    ("R", "1000", "B", 2, 30, 31),
]


@pytest.mark.parametrize(("letter", "aql", "used", "n", "ac", "re"), TABLE_2C_SAMPLES)
def test_table_2c_samples(letter, aql, used, n, ac, re):
    assert tuple(table_plan(letter, aql, "reduced")) == (used, n, ac, re)


@pytest.mark.parametrize(("lot", "aql", "severity", "answer"), [
    (1000, "2.5", "normal", ("J", "J", 80, 5, 6)),
    (1000, "4.0", "normal", ("J", "J", 80, 7, 8)),
    (1000, "1.0", "normal", ("J", "J", 80, 2, 3)),
    (1000, "0.65", "normal", ("J", "J", 80, 1, 2)),
    (5000, "2.5", "normal", ("L", "L", 200, 10, 11)),
    (5000, "4.0", "normal", ("L", "L", 200, 14, 15)),
    (5000, "1.5", "normal", ("L", "L", 200, 7, 8)),
    (1000, "2.5", "tightened", ("J", "J", 80, 3, 4)),
    # ISO 2859-1:1999 has no gap in 2-C; Z1.4 and the 1989 edition say 2/5.
    (1000, "2.5", "reduced", ("J", "J", 32, 3, 4)),
    (1000, "0.10", "normal", ("J", "K", 125, 0, 1)),
    (600000, "0.025", "tightened", ("Q", "S", 3150, 1, 2)),
])
def test_well_known_plans_level_ii(lot, aql, severity, answer):
    got = plan(lot, aql=aql, severity=severity)
    assert got == {
        "lot_code_letter": answer[0], "code_letter": answer[1], "sample_size": answer[2],
        "accept": answer[3], "reject": answer[4], "full_inspection": False,
    }


@pytest.mark.parametrize(("lot", "level", "aql", "severity", "answer"), [
    # sample larger than the lot: the whole lot, the plan's Ac/Re still decide
    (5, "II", "1.0", "normal", ("A", "E", 5, 0, 1)),
    (2, "II", "0.010", "normal", ("A", "Q", 2, 0, 1)),
    (3, "II", "0.65", "reduced", ("A", "F", 3, 0, 1)),
    (40, "III", "0.15", "tightened", ("E", "K", 40, 0, 1)),
    # sample equal to the lot
    (8, "II", "1.5", "normal", ("A", "D", 8, 0, 1)),
    (13, "II", "1.0", "normal", ("B", "E", 13, 0, 1)),
])
def test_sample_reaching_the_lot_means_full_inspection(lot, level, aql, severity, answer):
    got = plan(lot, level, aql=aql, severity=severity)
    assert got == {
        "lot_code_letter": answer[0], "code_letter": answer[1], "sample_size": answer[2],
        "accept": answer[3], "reject": answer[4], "full_inspection": True,
    }


def test_one_more_item_than_the_sample_is_sampled():
    got = plan(14, aql="1.0")
    assert (got["sample_size"], got["full_inspection"]) == (13, False)


@pytest.mark.parametrize(
    "aql", ["2.5", "2.50", "2.500", Decimal("2.5"), Decimal("2.50"), " 2.5"]
)
def test_an_aql_is_compared_as_a_number(aql):
    assert plan(1000, aql=aql)["accept"] == 5


@pytest.mark.parametrize(("aql", "same_as"), [
    ("0.01", "0.010"), ("0.04", "0.040"), ("1", "1.0"), ("4", "4.0"),
    ("10.0", "10"), ("1E+3", "1000"),
])
def test_series_members_written_otherwise(aql, same_as):
    assert plan(3200, "III", aql=aql) == plan(3200, "III", aql=same_as)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"lot": 1, "aql": "2.5"}, "lot"),       # Table 1 starts at 2
    ({"lot": 0, "aql": "2.5"}, "lot"),
    ({"lot": -50, "aql": "2.5"}, "lot"),
    ({"lot": "1000", "aql": "2.5"}, "lot"),
    ({"lot": 1000.0, "aql": "2.5"}, "lot"),
    ({"lot": True, "aql": "2.5"}, "lot"),
    ({"lot": 1000, "level": "IV", "aql": "2.5"}, "level"),
    ({"lot": 1000, "level": "ii", "aql": "2.5"}, "level"),
    ({"lot": 1000, "level": "S-5", "aql": "2.5"}, "level"),
    ({"lot": 1000, "level": "", "aql": "2.5"}, "level"),
    ({"lot": 1000, "aql": "2.4"}, "aql"),    # not rounded to a neighbour
    ({"lot": 1000, "aql": "0.005"}, "aql"),
    ({"lot": 1000, "aql": "1500"}, "aql"),
    ({"lot": 1000, "aql": "0"}, "aql"),
    ({"lot": 1000, "aql": "-2.5"}, "aql"),
    ({"lot": 1000, "aql": "abc"}, "aql"),
    ({"lot": 1000, "aql": ""}, "aql"),
    ({"lot": 1000, "aql": "NaN"}, "aql"),
    ({"lot": 1000, "aql": "Infinity"}, "aql"),
    ({"lot": 1000, "aql": "2.5", "severity": "strict"}, "severity"),
    ({"lot": 1000, "aql": "2.5", "severity": "Normal"}, "severity"),
])
def test_values_outside_the_standard_are_refused(kwargs, field):
    with pytest.raises(InvalidValue) as refused:
        plan(**kwargs)
    assert refused.value.field == field
    assert refused.value.detail


def test_letter_s_exists_only_in_2b_at_0_025():
    with pytest.raises(InvalidValue):
        table_plan("S", "0.025", "normal")
    with pytest.raises(InvalidValue):
        table_plan("S", "1.0", "tightened")


@pytest.mark.parametrize("severity", ["normal", "tightened", "reduced"])
def test_every_arrow_of_every_table_ends_on_a_plan(severity):
    for letter in LETTERS:
        for aql in AQLS:
            used = table_plan(letter, aql, severity)
            assert used.reject > used.accept >= 0
