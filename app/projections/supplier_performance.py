"""Supplier performance (SPEC.md §5): on-time rate, fill rate, short and
over deliveries, price deviations, counter-proposals, per supplier.

What counts, per receipt line (``MaterialsReceived`` judges each line
against the PO, app/domain/purchasing.py):

- a line *due received* is a receipt line that completes its PO line (not
  ``partial``); it is on time unless ``late``. Its ordered quantity and the
  line's total accepted quantity feed the fill rate;
- ``short_deliveries``: completing lines flagged ``short``;
  ``over_deliveries``: receipt lines flagged ``over`` (each receipt that
  brings the line beyond the tolerance counts);
- ``price_deviations``: receipt lines invoiced above the PO's unit price;
  ``invoice_price_deviations``: supplier invoice lines above it (the
  three-way match), counted apart so neither hides the other;
- ``rejected_quantity``: received minus accepted, over every receipt line.

Rates are divided when read. The counts that follow from the POs' states
(sent, signed, unsigned and their age, open alerts) are read from the PO
board (app/projections/reads.py): nothing here depends on today's date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.purchase_order import PurchaseOrder
from app.domain.supplier import Supplier
from app.domain.values import decimal_text
from app.projections.batch import Batch
from app.projections.common import text_id
from app.projections.tables import supplier_performance

NAME = "supplier_performance"

# The PO events that count (each names its supplier).
_COUNTED = (PurchaseOrder.MaterialsReceived, PurchaseOrder.SupplierInvoiceRecorded,
            PurchaseOrder.PurchaseOrderCountered, PurchaseOrder.AlertRaised)


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    if isinstance(event, _COUNTED):
        return ((supplier_performance, text_id(event.supplier_id)),)
    return ()


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if isinstance(event, Supplier.SupplierRegistered):
        batch.add(supplier_performance, registered(event, position))
        return
    if not isinstance(event, _COUNTED):
        return
    key = text_id(event.supplier_id)
    values = changes(batch.row(supplier_performance, key), event)
    values["position"] = position
    batch.update(supplier_performance, key, values)


def registered(event: Any, position: int) -> dict[str, Any]:
    return dict(
        supplier_id=text_id(event.originator_id), receipts=0, lines_due_received=0,
        lines_on_time=0, ordered_quantity="0", accepted_quantity="0", rejected_quantity="0",
        short_deliveries=0, over_deliveries=0, price_deviations=0,
        invoice_price_deviations=0, counter_proposals=0, alerts_raised=0, position=position,
    )


def changes(row: dict[str, Any], event: Any) -> dict[str, Any]:
    """The counters one of the ``_COUNTED`` events moves."""
    match event:
        case PurchaseOrder.MaterialsReceived():
            return received(row, event.lines)
        case PurchaseOrder.SupplierInvoiceRecorded():
            off = sum(1 for line in event.match["lines"] if "price_above_po" in line["issues"])
            return {"invoice_price_deviations": row["invoice_price_deviations"] + off}
        case PurchaseOrder.PurchaseOrderCountered():
            return {"counter_proposals": row["counter_proposals"] + 1}
    return {"alerts_raised": row["alerts_raised"] + 1}  # AlertRaised


def received(row: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The counters after one receipt (``lines``: MaterialsReceived.lines)."""
    due = on_time = short = over = price = 0
    ordered = Decimal(row["ordered_quantity"])
    accepted = Decimal(row["accepted_quantity"])
    rejected = Decimal(row["rejected_quantity"])
    for line in lines:
        issues = line["issues"]
        rejected += line["rejected"]
        over += "over" in issues
        price += "price_above_po" in issues
        if line["partial"]:
            continue
        due += 1
        on_time += not line["late"]
        short += "short" in issues
        ordered += line["ordered"]
        accepted += line["total_accepted"]
    return {
        "receipts": row["receipts"] + 1,
        "lines_due_received": row["lines_due_received"] + due,
        "lines_on_time": row["lines_on_time"] + on_time,
        "ordered_quantity": decimal_text(ordered), "accepted_quantity": decimal_text(accepted),
        "rejected_quantity": decimal_text(rejected),
        "short_deliveries": row["short_deliveries"] + short,
        "over_deliveries": row["over_deliveries"] + over,
        "price_deviations": row["price_deviations"] + price,
    }
