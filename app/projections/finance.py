"""Finance tracking (SPEC.md §5): per order the contract amount, deposit
due and received, balance received and due, fees, margin, and a shipment
approved without balance with its reason (the accountant's alert).

An accepted change (issue 11) sets a new contract amount: the deposit due
follows it at the order's deposit percent, and the balance due is the new
amount less what was paid, as after an amendment of the payment terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.order import Order
from app.domain.values import decimal_text
from app.projections.batch import Batch
from app.projections.common import (
    alerts_after,
    customer_name,
    deposit_due_minor,
    order_rows,
    text_id,
    to_minor,
)
from app.projections.tables import finance

NAME = "finance"


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows ``apply`` reads for this event (the batch loads them first)."""
    return order_rows(finance, event)


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if isinstance(event, Order.OrderCreated):
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
        state=event.leads_to, deposit_percent=decimal_text(percent), contract_minor=contract,
        deposit_due_minor=deposit_due_minor(contract, percent, event.currency),
        deposit_received_minor=0, balance_received_minor=0, paid_minor=0,
        balance_due_minor=contract, fees_received_minor=0, margin=None,
        margin_approved=False, shipment_without_balance=False,
        shipment_without_balance_reason=None, alerts=[], letters_of_credit=[],
        created_position=position,
        position=position,
    )


def changes(row: dict[str, Any], event: Any, position: int) -> dict[str, Any]:
    """The columns any later event of the order sets."""
    values: dict[str, Any] = {
        "state": event.state_after(row["state"]),
        "alerts": alerts_after(row["alerts"], event),
        "position": position,
    }
    values.update(_changes(row, event))
    return values


def _changes(row: dict[str, Any], event: Any) -> dict[str, Any]:
    """The money columns an event changes (paid and balance due together)."""
    currency = row["currency"]
    match event:
        case Order.PaymentTermsAmended():
            percent = Decimal(event.payment_terms["deposit_percent"])
            return {"deposit_percent": decimal_text(percent),
                    "deposit_due_minor": deposit_due_minor(row["contract_minor"], percent,
                                                           currency)}
        case Order.CostAnalysed():
            return {"margin": decimal_text(event.margin), "margin_approved": False}
        case Order.MarginApproved():
            return {"margin_approved": True}
        case Order.DepositReceived():
            return _paid(row, "deposit_received_minor", to_minor(event.amount, currency))
        case Order.BalanceReceived():
            return _paid(row, "balance_received_minor", to_minor(event.amount, currency))
        case Order.FeeReceived():
            return {"fees_received_minor": row["fees_received_minor"]
                    + to_minor(event.amount, currency)}
        case Order.ShipmentWithoutBalanceApproved():
            return {"shipment_without_balance": True,
                    "shipment_without_balance_reason": event.reason}
        case Order.LetterOfCreditReceived() | Order.LetterOfCreditAmended():
            return {"letters_of_credit": _credits_after(row["letters_of_credit"], event)}
        case Order.ChangeAccepted():
            contract = to_minor(event.total, currency)
            return {"contract_minor": contract,
                    "deposit_due_minor": deposit_due_minor(
                        contract, Decimal(row["deposit_percent"]), currency),
                    "balance_due_minor": contract - row["paid_minor"]}
    return {}


def _credits_after(credits: list[dict[str, Any]], event: Any) -> list[dict[str, Any]]:
    """The order's credits after one is received or amended (new list: the
    row's own is never changed in place), in the order they were received."""
    amendments = sum(c["amendments"] + 1 for c in credits if c["number"] == event.number)
    credit = {
        "number": event.number, "issuing_bank": event.issuing_bank,
        "amount": decimal_text(event.amount), "currency": event.currency,
        "latest_shipment_date": event.latest_shipment_date.isoformat(),
        "expiry_date": event.expiry_date.isoformat(),
        "presentation_days": event.presentation_days, "amendments": amendments,
    }
    if amendments:
        return [credit if c["number"] == event.number else c for c in credits]
    return [*credits, credit]


def _paid(row: dict[str, Any], column: str, amount: int) -> dict[str, Any]:
    """A deposit or balance received: its column, what is paid and still due."""
    paid = row["paid_minor"] + amount
    return {column: row[column] + amount, "paid_minor": paid,
            "balance_due_minor": row["contract_minor"] - paid}
