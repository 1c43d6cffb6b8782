"""The ISO 2859-1 single-sampling engine: a lot, a level, an AQL and a
severity give the plan to apply.

The tables are data (``sampling_tables``, ISO 2859-1:1999); this module
only reads them: Table 1 gives the lot's code letter, the severity's
master table gives a plan or an arrow, and an arrow is followed to the
first plan below or above, whose letter and sample size are then used.

Choices where the standard leaves the engine to decide:
- When the sample size reaches or exceeds the lot, the whole lot is
  inspected (``full_inspection``, ``sample_size`` = the lot) and the plan's
  Ac and Re still decide: a 100 % inspection of a lot of 5 under the plan
  n 13, Ac 0, Re 1 accepts it only with no nonconforming item.
- A lot of 1 is refused like any other value outside the standard: Table 1
  starts at 2. Inspecting a single item needs no sampling plan.
- The AQL is an exact member of the series, compared as a number: "2.50"
  is 2.5 and "1" is 1.0; 2.4 is not rounded to a neighbour.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from app.domain.errors import InvalidValue
from app.domain.sampling_tables import (
    AQLS,
    DOWN,
    LEVELS,
    SEVERITY_SAMPLE_SIZES,
    TABLE_1,
    TABLES,
    TIGHTENED_LETTERS,
)

SEVERITIES = ("normal", "tightened", "reduced")


class TablePlan(NamedTuple):
    """The plan a master table gives a code letter once its arrows are
    followed: the letter whose plan it is, its sample size, Ac and Re."""

    code_letter: str
    sample_size: int
    accept: int
    reject: int


def plan(
    lot: int, level: str = "II", *, aql: Decimal | str, severity: str = "normal"
) -> dict[str, str | int | bool]:
    """The plan for a lot: ``{lot_code_letter, code_letter, sample_size,
    accept, reject, full_inspection}``. ``code_letter`` is the letter whose
    plan the arrows lead to (Table 1's letter when the cell holds a plan).
    Raises ``InvalidValue`` naming "lot", "level", "aql" or "severity"."""
    letter = code_letter(lot, level)
    used = table_plan(letter, aql, severity)
    full = used.sample_size >= lot
    return {
        "lot_code_letter": letter,
        "code_letter": used.code_letter,
        "sample_size": lot if full else used.sample_size,
        "accept": used.accept,
        "reject": used.reject,
        "full_inspection": full,
    }


def code_letter(lot: int, level: str = "II") -> str:
    """Table 1: the code letter of a lot size at an inspection level."""
    # bool is an int to Python, never a lot size.
    if not isinstance(lot, int) or isinstance(lot, bool) or lot < 2:
        raise InvalidValue("lot", "The lot size is a whole number from 2 up (ISO 2859-1 Table 1).")
    if level not in LEVELS:
        raise InvalidValue("level", f"The inspection level is one of {', '.join(LEVELS)}.")
    for low, high, letters in TABLE_1:
        if low <= lot and (high is None or lot <= high):
            return letters[level]
    raise AssertionError("Table 1 covers every lot from 2 up")  # pragma: no cover


def table_plan(letter: str, aql: Decimal | str, severity: str = "normal") -> TablePlan:
    """The severity's master table read at a code letter and an AQL, its
    arrow followed to the first plan in its direction."""
    if severity not in SEVERITIES:
        raise InvalidValue("severity", f"The severity is one of {', '.join(SEVERITIES)}.")
    column = TABLES[severity][_series_aql(aql)]
    letters = [x for x in TIGHTENED_LETTERS if x in column]
    cell = column.get(letter)
    if cell is None:
        # Unknown, or 2-B's letter S at an AQL where the standard has no plan.
        raise InvalidValue("code_letter", f"No {severity} plan for letter {letter!r} at AQL {aql}.")
    at = letters.index(letter)
    step = 1 if cell == DOWN else -1
    while not isinstance(cell, tuple):
        # The standard's arrows always end on a plan in their column.
        at += step
        letter = letters[at]
        cell = column[letter]
    accept, reject = cell
    return TablePlan(letter, SEVERITY_SAMPLE_SIZES[severity][letter], accept, reject)


def _series_aql(aql: Decimal | str) -> Decimal:
    """The series member equal to ``aql``, or 422 naming "aql"."""
    try:
        value = Decimal(str(aql))
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite():
        for member in AQLS:
            if value == member:
                return member
    raise InvalidValue(
        "aql",
        "The AQL is one of the ISO 2859-1 series: " + ", ".join(str(a) for a in AQLS) + ".",
    )
