"""The documents as CSV for a spreadsheet: UTF-8 with a byte order mark (so
Excel opens Chinese colours and customers right), a header row, and

- a packing list: one row per carton range (the totals are their sums);
- an inspection report: one row per defect class, its ISO 2859-1 plan and
  judgement, with the lot's facts repeated on each row so that a filter or
  pivot keeps them (findings and actions stay in JSON and the PDF).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

BOM = "\ufeff"

PACKING_COLUMNS = (
    "reference", "revision", "from_no", "to_no", "cartons", "line_no", "sku", "colour", "size",
    "quantity_per_carton", "quantity", "net_kg_per_carton", "gross_kg_per_carton",
    "length_cm", "width_cm", "height_cm", "cbm",
)
INSPECTION_COLUMNS = (
    "reference", "inspection_id", "stage", "inspected_on", "factory", "product", "lot_size",
    "level", "severity", "class", "aql", "lot_code_letter", "code_letter", "sample_size",
    "full_inspection", "accept", "reject", "defects", "class_result", "result",
)
CLASSES = ("critical", "major", "minor")


def _cell(value: Any) -> str:
    """A value as a spreadsheet cell. Text that a spreadsheet would run as a
    formula (=, +, -, @, tab, CR first) is quoted with an apostrophe (OWASP
    CSV injection); numbers, negative ones included, stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    cell = str(value)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            Decimal(cell)
        except InvalidOperation:
            return "'" + cell
    return cell


def _write(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")


def packing_list_csv(view: dict[str, Any]) -> bytes:
    return _write(PACKING_COLUMNS, (
        [view.get("reference"), view.get("revision"), c["from_no"], c["to_no"], c["cartons"],
         c["line_no"], c.get("sku"), c["colour"], c["size"], c["quantity_per_carton"],
         c["quantity"], c["net_kg"], c["gross_kg"], c["length_cm"], c["width_cm"],
         c["height_cm"], c["cbm"]]
        for c in view["cartons"]))


def inspection_csv(view: dict[str, Any]) -> bytes:
    plans = view.get("plans") or {}
    defects, results = view.get("defects") or {}, view.get("class_results") or {}
    classes = [c for c in CLASSES if c in plans] + [c for c in plans if c not in CLASSES]
    return _write(INSPECTION_COLUMNS, (
        [view.get("reference"), view.get("inspection_id"), view.get("stage"),
         view.get("inspected_on"), view.get("factory"), view.get("product"),
         view.get("lot_size"), view.get("level"), view.get("severity"), c, plans[c].get("aql"),
         plans[c].get("lot_code_letter"), plans[c].get("code_letter"),
         plans[c].get("sample_size"), plans[c].get("full_inspection"), plans[c].get("accept"),
         plans[c].get("reject"), defects.get(c), results.get(c), view.get("result")]
        for c in classes))


def render(view: dict[str, Any], kind: str) -> bytes:
    return packing_list_csv(view) if kind == "packing_list" else inspection_csv(view)
