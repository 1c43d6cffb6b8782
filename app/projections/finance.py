"""Finance tracking (SPEC.md §5): per order the contract amount, deposit
due and received, balance received and due, fees, margin, and a shipment
approved without balance with its reason (the accountant's alert)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.order import Order
from app.projections.batch import Batch
from app.projections.common import (
    alerts_after,
    customer_name,
    deposit_due_minor,
    event_name,
    order_rows,
    plain,
    state_after,
    text_id,
    to_minor,
)
from app.projections.tables import finance

NAME = "finance"


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows ``apply`` reads for this event (the batch loads them first)."""
    return order_rows(finance, event)


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    name = event_name(event)
    if name == "OrderCreated":
        batch.add(finance, created(event, position, customer_name(batch, event.customer_id)))
        return
    if not isinstance(event, Order.Event):
        return
    order_id = text_id(event.originator_id)
    batch.update(finance, order_id, changes(batch.row(finance, order_id), event, position))


def created(event: Any, position: int, customer: str | None) -> dict[str, Any]:
    """The row an OrderCreated makes (every column: one INSERT per batch)."""
    contract = to_minor(event.total, event.currency)
    percent = Decimal(event.payment_terms["deposit_percent"])
    return dict(
        order_id=text_id(event.originator_id), reference=event.reference,
        customer_id=text_id(event.customer_id), customer_name=customer, currency=event.currency,
        state="inquiry", deposit_percent=plain(percent), contract_minor=contract,
        deposit_due_minor=deposit_due_minor(contract, percent, event.currency),
        deposit_received_minor=0, balance_received_minor=0, paid_minor=0,
        balance_due_minor=contract, fees_received_minor=0, margin=None,
        margin_approved=False, shipment_without_balance=False,
        shipment_without_balance_reason=None, alerts=[], created_position=position,
        position=position,
    )


def changes(row: dict[str, Any], event: Any, position: int) -> dict[str, Any]:
    """The columns any later event of the order sets."""
    name = event_name(event)
    values: dict[str, Any] = {
        "state": state_after(row["state"], name),
        "alerts": alerts_after(row["alerts"], event),
        "position": position,
    }
    values.update(_changes(row, event, name))
    return values


def _changes(row: dict[str, Any], event: Any, name: str) -> dict[str, Any]:
    """The money columns an event changes (paid and balance due together)."""
    currency = row["currency"]
    if name == "PaymentTermsAmended":
        percent = Decimal(event.payment_terms["deposit_percent"])
        return {"deposit_percent": plain(percent),
                "deposit_due_minor": deposit_due_minor(row["contract_minor"], percent, currency)}
    if name == "CostAnalysed":
        return {"margin": plain(event.margin), "margin_approved": False}
    if name == "MarginApproved":
        return {"margin_approved": True}
    if name in ("DepositReceived", "BalanceReceived"):
        amount = to_minor(event.amount, currency)
        column = "deposit_received_minor" if name == "DepositReceived" else "balance_received_minor"
        paid = row["paid_minor"] + amount
        return {column: row[column] + amount, "paid_minor": paid,
                "balance_due_minor": row["contract_minor"] - paid}
    if name == "FeeReceived":
        return {"fees_received_minor": row["fees_received_minor"]
                + to_minor(event.amount, currency)}
    if name == "ShipmentWithoutBalanceApproved":
        return {"shipment_without_balance": True,
                "shipment_without_balance_reason": event.reason}
    return {}
