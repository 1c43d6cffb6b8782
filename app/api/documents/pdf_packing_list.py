"""The packing list a customer receives (Plan 5 form 9): the carton ranges,
the totals per line and per colour and size, and the differences against
the order, those beyond tolerance flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.api.documents.pdf import Document, text

TITLE = "Packing List 装箱单"

CARTON_HEADINGS = ("Carton nos.", "Cartons", "Line", "SKU", "Colour", "Size", "Pcs/ctn",
                   "Quantity", "Net kg/ctn", "Gross kg/ctn", "L × W × H cm", "CBM")
# Shares of the landscape page's width; the last column is the CBM.
CARTON_WIDTHS = (9, 6, 4, 12, 12, 6, 6, 8, 7, 7, 13, 7)
CARTON_ALIGN = ("LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT",
                "RIGHT", "RIGHT", "CENTER", "RIGHT")


def _range(carton: dict[str, Any]) -> str:
    first, last = carton["from_no"], carton["to_no"]
    return str(first) if first == last else f"{first}–{last}"


def _dimensions(carton: dict[str, Any]) -> str:
    return f"{carton['length_cm']} × {carton['width_cm']} × {carton['height_cm']}"


def build(view: dict[str, Any], font: Path) -> Document:
    pdf = Document(font, view, TITLE, landscape=True)
    totals = view["totals"]
    issued = str(view.get("issued_at") or "")[:10]
    pdf.facts([
        ("Order reference", view.get("reference")), ("Customer", view.get("customer")),
        ("Issue date", issued), ("Revision", view.get("revision")),
        ("Cartons", totals["cartons"]), ("Quantity (pcs)", totals["quantity"]),
        ("Net weight (kg)", totals["net_kg"]), ("Gross weight (kg)", totals["gross_kg"]),
        ("Volume (CBM)", totals["cbm"]), ("Quantity tolerance", f"{view['tolerance_percent']} %"),
    ], columns=2)

    pdf.heading("Cartons")
    pdf.grid(
        CARTON_HEADINGS,
        ([_range(c), c["cartons"], c["line_no"], c.get("sku"), c["colour"], c["size"],
          c["quantity_per_carton"], c["quantity"], c["net_kg"], c["gross_kg"],
          _dimensions(c), c["cbm"]] for c in view["cartons"]),
        CARTON_WIDTHS, CARTON_ALIGN,
        footer=[("Total", 1), (str(totals["cartons"]), 1), ("", 5), (str(totals["quantity"]), 1),
                (f"net {totals['net_kg']} kg, gross {totals['gross_kg']} kg", 3),
                (str(totals["cbm"]), 1)],
    )

    pdf.heading("Totals by line")
    pdf.grid(("Line", "Quantity"),
             ([row["line_no"], row["quantity"]] for row in totals["by_line"]),
             (1, 2), ("RIGHT", "RIGHT"), width=0.3)
    pdf.heading("Totals by colour and size")
    pdf.grid(("Line", "Colour", "Size", "Quantity"),
             ([row["line_no"], row["colour"], row["size"], row["quantity"]]
              for row in totals["by_colour_size"]),
             (1, 3, 2, 2), ("RIGHT", "LEFT", "LEFT", "RIGHT"), width=0.5)

    _differences(pdf, view)
    return pdf


def _differences(pdf: Document, view: dict[str, Any]) -> None:
    pdf.heading("Differences against the order")
    differences = view.get("differences") or []
    if not differences:
        pdf.paragraph("The packed quantities equal the ordered ones for every line, "
                      "colour and size.")
        return
    pdf.grid(
        ("Line", "Colour", "Size", "Ordered", "Cut", "Packed", "Difference", "Check"),
        ([d["line_no"], d["colour"], d["size"], d["ordered"], d.get("cut"), d["packed"],
          d["difference"], "within tolerance" if d["within_tolerance"] else "BEYOND TOLERANCE"]
         for d in differences),
        (1, 3, 2, 2, 2, 2, 2, 3), ("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT",
                                   "LEFT"),
        width=0.8, flagged=(not d["within_tolerance"] for d in differences),
    )
    accepted = view.get("difference_accepted")
    if accepted:
        pdf.paragraph(f"Difference accepted by {text(accepted.get('accepted_by'))}: "
                      f"{text(accepted.get('reason'))} "
                      f"(evidence {text(accepted.get('evidence_ref'))}).")
    elif not view.get("within_tolerance", True):
        pdf.paragraph(f"Beyond the order's tolerance of {view['tolerance_percent']} % and not "
                      "accepted: the order does not ship until the difference is accepted.")
