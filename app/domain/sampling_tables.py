"""The data of ISO 2859-1:1999 for single sampling, transcribed once.

Edition: ISO 2859-1:1999 (second edition; its Amd 1:2011 left these tables
alone), identical to GB/T 2828.1-2012. Table 1 and Tables 2-A and 2-B are
the same in ANSI/ASQ Z1.4-2008 and MIL-STD-105E (one disputed cell aside,
below). Table 2-C is not: the 1999 edition removed the gap between the
acceptance and rejection numbers of reduced inspection, together with the
rule "Ac exceeded but Re not reached: accept, and go back to normal". Every
cell of the three tables here has Re = Ac + 1. The gapped reduced pairs
("0 2", "1 3", "1 4", "2 5", "3 6", "5 8", "7 10", "10 13", "14 17", "21 24")
are those of ISO 2859-1:1989, MIL-STD-105E and ANSI/ASQ Z1.4-2003/2008:
letter J, AQL 2.5, reduced is n 32, Ac 2, Re 5 there, n 32, Ac 3, Re 4 here.

Reading a grid: one line per AQL column of the published table, one field
per code letter (the published rows). A field is the plan "Ac/Re", an
arrow, or "-" for a blank cell (2-B's letter S has a plan at AQL 0.025
only). An arrow sends the reader to the first plan below (↓) or above (↑)
in the same column; that letter's plan is used, with that letter's sample
size from the severity's own sample-size column.

Cross-checked cell by cell by a script (letter and AQL -> letter of the
plan used, n, Ac, Re) against public transcriptions:
- GB/T 2828.1-2012 Tables 2-A, 2-B, 2-C, all 26 AQLs, in a public
  TypeScript QC tool (``src/core/aql.ts``; its fixtures were transcribed
  from the standard's scan by two reviewers): 2-A 416/416, 2-B 417/417,
  2-C 416/416 cells equal; Table 1 equal. It states that the 1999 edition
  removed the reduced-inspection gap.
- R package AQLSchemes (J. Lawson; fork ``fjgonzalezmgt/AQLSchemesCust``,
  ``R/AAZ14Single.R``, MIL-STD-105E / Z1.4): Table 1 equal; 2-A 416/416;
  2-B 415/416 (the cell below). Its 2-C is the gapped Z1.4 table, so 251
  cells differ by edition; yet for letters D to R (distinct reduced sizes)
  a cell is a plan in both or an arrow in both, except its 13 "0 2" cells,
  down arrows in 1999, and each gapped pair maps to a single 1999 pair
  (1 3>1 2, 1 4>2 3, 2 5>3 4, 3 6>5 6, 5 8>6 7, 7 10>8 9, 10 13>10 11,
  14 17>14 15, 21 24>21 22): the same table with the gap closed.
- R package Planesmuestra (CRAN, data ``milstd105eplans``, after
  Montgomery): it keeps c only and ignores arrows, so only the cells where
  a letter uses its own plan compare: 2-A 152/152, 2-B 137/138 (the same
  cell).
Disagreement: 2-B, letter A, AQL 10. The GB/T 2828.1 source (ISO lineage)
has the plan 0/1 on A (n 2), where the tightened 0/1 diagonal runs (R at
0.010 up to B at 6.5, then A at 10); both MIL-STD-105E-lineage R packages
have a down arrow there (to D: n 8, Ac 1, Re 2). This module follows the
ISO lineage, as it implements ISO 2859-1.
Seen and not used: calculators that simplify the tables (no up-arrow
diagonal, Table 1 shifted by one letter, reduced plans with normal sample
sizes).

The grid lines run to 108 characters so that each published column stays
on one line, readable against the printed table.
"""

from __future__ import annotations

from decimal import Decimal

# Code letters, the tables' rows (I and O are not used). Tightened
# inspection has one more row, S, for a single plan (AQL 0.025).
LETTERS = tuple("ABCDEFGHJKLMNPQR")
TIGHTENED_LETTERS = (*LETTERS, "S")

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# Table 1: lot size (from, to; "-" = and over) and level -> code letter.
_TABLE_1 = """
  from      to   S-1 S-2 S-3 S-4  I  II III
     2       8    A   A   A   A   A   A   B
     9      15    A   A   A   A   A   B   C
    16      25    A   A   B   B   B   C   D
    26      50    A   B   B   C   C   D   E
    51      90    B   B   C   C   C   E   F
    91     150    B   B   C   D   D   F   G
   151     280    B   C   D   E   E   G   H
   281     500    B   C   D   E   F   H   J
   501    1200    C   C   E   F   G   J   K
  1201    3200    C   D   E   G   H   K   L
  3201   10000    C   D   F   G   J   L   M
 10001   35000    C   D   F   H   K   M   N
 35001  150000    D   E   G   J   L   N   P
150001  500000    D   E   G   J   M   P   Q
500001       -    D   E   H   K   N   Q   R
"""

# Sample size per code letter. Tables 2-A and 2-B share one column (2-B
# adds S); Table 2-C has its own: two letters smaller, never below 2.
SAMPLE_SIZES = dict(zip(TIGHTENED_LETTERS, (
    2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000, 3150,
), strict=True))
REDUCED_SAMPLE_SIZES = dict(zip(LETTERS, (
    2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800,
), strict=True))

# The AQL series: percent nonconforming up to 10, nonconformities per 100
# items over the whole range.
AQLS = tuple(map(Decimal, (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40",
    "0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65",
    "100", "150", "250", "400", "650", "1000",
)))

# Table 2-A: single sampling plans for normal inspection.
_TABLE_2A = """
AQL        A     B     C     D     E     F     G     H     J     K     L     M     N     P     Q     R
0.010      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
0.015      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↑
0.025      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2
0.040      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3
0.065      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4
0.10       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6
0.15       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8
0.25       ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11
0.40       ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15
0.65       ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22
1.0        ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑
1.5        ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑
2.5        ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑
4.0        ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑
6.5      0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑
10         ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑
15         ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑
25       1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
40       2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
65       3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
100      5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
150      7/8 10/11 14/15 21/22 30/31     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
250    10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
400    14/15 21/22 30/31 44/45     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
650    21/22 30/31 44/45     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
1000   30/31 44/45     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

# Table 2-B: single sampling plans for tightened inspection.
_TABLE_2B = """
AQL        A     B     C     D     E     F     G     H     J     K     L     M     N     P     Q     R     S
0.010      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     -
0.015      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     -
0.025      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2
0.040      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2     -
0.065      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3     -
0.10       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4     -
0.15       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6     -
0.25       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9     -
0.40       ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13     -
0.65       ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     -
1.0        ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     -
1.5        ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     -
2.5        ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     -
4.0        ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     -
6.5        ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     -
10       0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     -
15         ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
25         ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
40       1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
65       2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
100      3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
150      5/6   8/9 12/13 18/19 27/28     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
250      8/9 12/13 18/19 27/28 41/42     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
400    12/13 18/19 27/28 41/42     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
650    18/19 27/28 41/42     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
1000   27/28 41/42     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     -
"""

# Table 2-C: single sampling plans for reduced inspection (1999: no gap).
_TABLE_2C = """
AQL        A     B     C     D     E     F     G     H     J     K     L     M     N     P     Q     R
0.010      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
0.015      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↑
0.025      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↑     ↑
0.040      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2
0.065      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3
0.10       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4
0.15       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6
0.25       ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7
0.40       ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9
0.65       ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11
1.0        ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑
1.5        ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑
2.5        ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑
4.0        ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑
6.5      0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑
10         ↓     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑
15         ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑
25       1/2   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
40       2/3   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
65       3/4   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
100      5/6   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
150      7/8   7/8   8/9 10/11 14/15     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
250    10/11 10/11 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
400    14/15 14/15 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
650    21/22 21/22 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
1000   30/31 30/31     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

DOWN, UP = "↓", "↑"
Cell = tuple[int, int] | str | None  # (Ac, Re), DOWN, UP, or None: blank


def _grid(text: str) -> dict[Decimal, dict[str, Cell]]:
    """A grid's cells by AQL, then by code letter."""
    header, *lines = text.strip().splitlines()
    letters = header.split()[1:]
    grid: dict[Decimal, dict[str, Cell]] = {}
    for line in lines:
        aql, *fields = line.split()
        grid[Decimal(aql)] = dict(zip(letters, map(_cell, fields), strict=True))
    if tuple(grid) != AQLS:
        raise ValueError("a grid's AQL columns are not the series")
    return grid


def _cell(field: str) -> Cell:
    if field in (DOWN, UP):
        return field
    if field == "-":
        return None
    ac, re = field.split("/")
    return int(ac), int(re)


def _table_1(text: str) -> tuple[tuple[int, int | None, dict[str, str]], ...]:
    """Table 1's rows: (from, to or None, {level: code letter})."""
    _header, *lines = text.strip().splitlines()
    rows = []
    for line in lines:
        low, high, *letters = line.split()
        to = None if high == "-" else int(high)
        rows.append((int(low), to, dict(zip(LEVELS, letters, strict=True))))
    return tuple(rows)


TABLE_1 = _table_1(_TABLE_1)
TABLES = {
    "normal": _grid(_TABLE_2A),
    "tightened": _grid(_TABLE_2B),
    "reduced": _grid(_TABLE_2C),
}
SEVERITY_SAMPLE_SIZES = {
    "normal": SAMPLE_SIZES,
    "tightened": SAMPLE_SIZES,
    "reduced": REDUCED_SAMPLE_SIZES,
}
