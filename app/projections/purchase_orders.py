"""The PO board: one row per purchase order, with its state, the revision
sent and signed back, what was received, invoiced and paid, and its open
alerts (SPEC.md §5, G7).

Placed (``signed``) means what the aggregate's ``placed`` means: the current
revision is signed back. ``overdue`` depends on today's date and is computed
when read (app/projections/reads.py), never stored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.purchase_order import PurchaseOrder
from app.projections.batch import Batch
from app.projections.common import alerts_after, event_name, iso, plain, text_id, to_minor
from app.projections.suppliers import supplier_name
from app.projections.tables import purchase_orders, suppliers

NAME = "purchase_orders"

# The state each event moves a PO to (mirrors the events' ``apply`` in
# app/domain/purchase_order.py).
_STATE_AFTER = {
    "PurchaseOrderReviewed": "reviewed",
    "PurchaseOrderSent": "sent",
    "PurchaseOrderAmended": "draft",
    "PurchaseOrderSignedBack": "signed",
    "PurchaseOrderCountered": "countered",
    "CounterProposalRejected": "sent",
    "PurchaseOrderCancelled": "cancelled",
}


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows ``apply`` reads: the supplier's name for a new PO, the PO's
    row for the others."""
    if not isinstance(event, PurchaseOrder.Event):
        return ()
    if event_name(event) == "PurchaseOrderDrafted":
        return ((suppliers, text_id(event.supplier_id)),)
    return ((purchase_orders, text_id(event.originator_id)),)


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if not isinstance(event, PurchaseOrder.Event):
        return
    if event_name(event) == "PurchaseOrderDrafted":
        batch.add(purchase_orders,
                  drafted(event, position, supplier_name(batch, event.supplier_id)))
        return
    po_id = text_id(event.originator_id)
    batch.update(purchase_orders, po_id,
                 changes(batch.row(purchase_orders, po_id), event, position))


def drafted(event: Any, position: int, supplier: str | None) -> dict[str, Any]:
    """The row a PurchaseOrderDrafted makes (every column)."""
    at = iso(event.timestamp)
    lines = [line_view(line, {}) for line in event.lines]
    return dict(
        id=text_id(event.originator_id), supplier_id=text_id(event.supplier_id),
        supplier_name=supplier,
        order_id=None if event.order_id is None else text_id(event.order_id),
        currency=event.currency, state="draft", revision=1, signed=False,
        signed_revision=None, sent_revision=None, content_hash=None, last_sent_at=None,
        sent_total_minor=None, sent_due_date=None, sent_at=None,
        due_date=due_date(lines), total_minor=to_minor(event.total, event.currency),
        lines=lines, received={}, fully_received=False, receipts=0, last_received_on=None,
        invoiced_minor=0, paid_minor=0, adjusted_minor=0, alerts=[], open_alerts=0,
        created_at=at, updated_at=at, created_position=position, position=position,
    )


def changes(row: dict[str, Any], event: Any, position: int) -> dict[str, Any]:
    """The columns any later event of the PO sets (new values throughout:
    the row's lists and dicts are never changed in place)."""
    name = event_name(event)
    alerts = alerts_after(row["alerts"], event)
    values: dict[str, Any] = {
        "state": _STATE_AFTER.get(name, row["state"]),
        "alerts": alerts, "open_alerts": len(alerts),
        "updated_at": iso(event.timestamp), "position": position,
    }
    values.update(_changes(row, event, name))
    values["signed"] = values["state"] == "signed"  # placed (see the module docstring)
    return values


def _changes(row: dict[str, Any], event: Any, name: str) -> dict[str, Any]:
    currency = row["currency"]
    if name == "PurchaseOrderSent":
        content = event.content
        return {"sent_revision": event.revision, "content_hash": event.content_hash,
                "last_sent_at": iso(event.timestamp), "sent_at": iso(event.timestamp),
                "sent_total_minor": to_minor(Decimal(content["total"]), currency),
                "sent_due_date": due_date(content["lines"])}
    if name == "PurchaseOrderAmended":
        lines = [line_view(line, row["received"]) for line in event.lines]
        return {"revision": event.revision, "lines": lines, "due_date": due_date(lines),
                "total_minor": to_minor(event.total, currency),
                "fully_received": fully_received(lines),
                # The new revision has not been sent (an amendment of a sent
                # revision is always a new one).
                "sent_at": row["sent_at"] if event.revision == row["sent_revision"] else None}
    if name == "PurchaseOrderSignedBack":
        return {"signed_revision": event.revision}
    if name == "MaterialsReceived":
        return _received(row, event)
    if name == "SupplierInvoiceRecorded":
        return {"invoiced_minor": row["invoiced_minor"] + to_minor(event.total, currency)}
    if name == "SupplierPaid":
        adjusted = sum((to_minor(a["amount"], currency) for a in event.adjustments), 0)
        return {"paid_minor": row["paid_minor"] + to_minor(event.amount, currency),
                "adjusted_minor": row["adjusted_minor"] + adjusted}
    return {}


def _received(row: dict[str, Any], event: Any) -> dict[str, Any]:
    received = dict(row["received"])
    for line in event.lines:
        # The receipt carries the line's running totals; a line is complete
        # once a receipt says nothing more is coming or all was accepted.
        received[str(line["line_no"])] = {
            "received": plain(line["total_received"]),
            "accepted": plain(line["total_accepted"]),
            "complete": not line["partial"] or line["total_accepted"] >= line["ordered"],
        }
    lines = [{**line, **_got(received, line["line_no"])} for line in row["lines"]]
    last = row["last_received_on"]
    on = _date(event.received_on)
    return {"received": received, "lines": lines, "fully_received": fully_received(lines),
            "receipts": row["receipts"] + 1,
            "last_received_on": on if last is None or on > last else last}


def line_view(line: dict[str, Any], received: dict[str, Any]) -> dict[str, Any]:
    """A current PO line as the board shows it: figures as decimal strings."""
    return {
        "line_no": line["line_no"], "item": line["item"],
        "quantity": plain(line["quantity"]), "unit": line["unit"],
        "unit_price": plain(line["unit_price"]), "amount": plain(line["amount"]),
        "delivery_date": _date(line["delivery_date"]).isoformat(),
        **_got(received, line["line_no"]),
    }


def _got(received: dict[str, Any], line_no: int) -> dict[str, Any]:
    got = received.get(str(line_no))
    if got is None:
        return {"received": "0", "accepted": "0", "complete": False}
    return {"received": got["received"], "accepted": got["accepted"],
            "complete": got["complete"]}


def fully_received(lines: list[dict[str, Any]]) -> bool:
    return all(line["complete"] for line in lines)


def due_date(lines: list[dict[str, Any]]) -> date:
    """The earliest delivery date of the lines."""
    return min(_date(line["delivery_date"]) for line in lines)


def _date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
