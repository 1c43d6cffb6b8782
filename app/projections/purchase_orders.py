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
from app.domain.values import decimal_text, utc_text
from app.projections.batch import Batch
from app.projections.common import alerts_after, text_id, to_minor
from app.projections.suppliers import supplier_name
from app.projections.tables import purchase_orders, suppliers

NAME = "purchase_orders"


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows ``apply`` reads: the supplier's name for a new PO, the PO's
    row for the others."""
    if not isinstance(event, PurchaseOrder.Event):
        return ()
    if isinstance(event, PurchaseOrder.PurchaseOrderDrafted):
        return ((suppliers, text_id(event.supplier_id)),)
    return ((purchase_orders, text_id(event.originator_id)),)


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if not isinstance(event, PurchaseOrder.Event):
        return
    if isinstance(event, PurchaseOrder.PurchaseOrderDrafted):
        batch.add(purchase_orders,
                  drafted(event, position, supplier_name(batch, event.supplier_id)))
        return
    po_id = text_id(event.originator_id)
    batch.update(purchase_orders, po_id,
                 changes(batch.row(purchase_orders, po_id), event, position))


def drafted(event: Any, position: int, supplier: str | None) -> dict[str, Any]:
    """The row a PurchaseOrderDrafted makes (every column)."""
    at = utc_text(event.timestamp)
    lines = [line_view(line, {}) for line in event.lines]
    return dict(
        id=text_id(event.originator_id), supplier_id=text_id(event.supplier_id),
        supplier_name=supplier,
        order_id=None if event.order_id is None else text_id(event.order_id),
        currency=event.currency, state=event.leads_to, revision=1, signed=False,
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
    alerts = alerts_after(row["alerts"], event)
    values: dict[str, Any] = {
        "state": event.state_after(row["state"]),
        "alerts": alerts, "open_alerts": len(alerts),
        "updated_at": utc_text(event.timestamp), "position": position,
    }
    values.update(_changes(row, event))
    values["signed"] = values["state"] == "signed"  # placed (see the module docstring)
    return values


def _changes(row: dict[str, Any], event: Any) -> dict[str, Any]:
    currency = row["currency"]
    match event:
        case PurchaseOrder.PurchaseOrderSent():
            content, at = event.content, utc_text(event.timestamp)
            return {"sent_revision": event.revision, "content_hash": event.content_hash,
                    "last_sent_at": at, "sent_at": at,
                    "sent_total_minor": to_minor(Decimal(content["total"]), currency),
                    "sent_due_date": due_date(content["lines"])}
        case PurchaseOrder.PurchaseOrderAmended():
            lines = [line_view(line, row["received"]) for line in event.lines]
            return {"revision": event.revision, "lines": lines, "due_date": due_date(lines),
                    "total_minor": to_minor(event.total, currency),
                    "fully_received": fully_received(lines),
                    # The new revision has not been sent (an amendment of a
                    # sent revision is always a new one).
                    "sent_at": (row["sent_at"] if event.revision == row["sent_revision"]
                                else None)}
        case PurchaseOrder.PurchaseOrderSignedBack():
            return {"signed_revision": event.revision}
        case PurchaseOrder.MaterialsReceived():
            return _received(row, event)
        case PurchaseOrder.InspectionRecorded(rejected=[_, *_]):
            return _rejected(row, event)
        case PurchaseOrder.SupplierInvoiceRecorded():
            return {"invoiced_minor": row["invoiced_minor"] + to_minor(event.total, currency)}
        case PurchaseOrder.SupplierPaid():
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
            "received": decimal_text(line["total_received"]),
            "accepted": decimal_text(line["total_accepted"]),
            "complete": not line["partial"] or line["total_accepted"] >= line["ordered"],
        }
    lines = [{**line, **_got(received, line["line_no"])} for line in row["lines"]]
    last = row["last_received_on"]
    on = _date(event.received_on)
    return {"received": received, "lines": lines, "fully_received": fully_received(lines),
            "receipts": row["receipts"] + 1,
            "last_received_on": on if last is None or on > last else last}


def _rejected(row: dict[str, Any], event: Any) -> dict[str, Any]:
    """A failed incoming lot takes its accepted quantities back (issue 12):
    the line is complete again only once the accepted reach the ordered."""
    received = dict(row["received"])
    ordered = {line["line_no"]: Decimal(line["quantity"]) for line in row["lines"]}
    for line in event.rejected:
        got = received[str(line["line_no"])]
        accepted = Decimal(got["accepted"]) - Decimal(line["quantity"])
        received[str(line["line_no"])] = {
            **got, "accepted": decimal_text(accepted),
            "complete": accepted >= ordered.get(line["line_no"], Decimal(0))}
    lines = [{**line, **_got(received, line["line_no"])} for line in row["lines"]]
    return {"received": received, "lines": lines, "fully_received": fully_received(lines)}


def line_view(line: dict[str, Any], received: dict[str, Any]) -> dict[str, Any]:
    """A current PO line as the board shows it: figures as decimal strings."""
    return {
        "line_no": line["line_no"], "item": line["item"],
        "quantity": decimal_text(line["quantity"]), "unit": line["unit"],
        "unit_price": decimal_text(line["unit_price"]), "amount": decimal_text(line["amount"]),
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
