"""Helpers the read models share: money in minor units, timestamps as
text, and the order state an event leads to."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from app.domain.reference import currency_minor_units, quantize_money
from app.projections.tables import customers

# States whose delivery date can no longer be missed.
DONE_STATES = ("shipped", "closed", "cancelled")
FINAL_STATES = ("closed", "cancelled")

_STATE_RANK = (
    "inquiry", "quoted", "sampling", "pi_issued", "pi_signed", "confirmed",
    "in_production", "inspected", "ready_to_ship", "shipped", "closed",
)

# The state each event moves an order to (mirrors the events' ``apply`` in
# app/domain/order.py; the projections never load aggregates).
_STATE_AFTER = {
    "ProformaInvoiceIssued": "pi_issued",
    "ProformaInvoiceSignedBack": "pi_signed",
    "OrderConfirmed": "confirmed",
    "OrderCancelled": "cancelled",
    "ProductionOrderReleased": "in_production",
    "Shipped": "shipped",
    "OrderClosed": "closed",
}


def rank(state: str) -> int:
    return _STATE_RANK.index(state) if state in _STATE_RANK else len(_STATE_RANK)


def state_after(state: str, event_name: str) -> str:
    if event_name == "SampleRequested":
        return "sampling" if rank(state) < rank("sampling") else state
    return _STATE_AFTER.get(event_name, state)


def event_name(event: Any) -> str:
    # Dispatch on the exact class name: BalanceReceived and FeeReceived are
    # subclasses of DepositReceived, SampleRejected of SampleApproved.
    return type(event).__name__


def to_minor(amount: Decimal, currency: str) -> int:
    units = currency_minor_units(currency) or 0
    return int(quantize_money(amount, currency).scaleb(units))


def from_minor(minor: int, currency: str) -> str:
    """Minor units as a decimal string with the currency's places ("2550.00")."""
    units = currency_minor_units(currency) or 0
    return plain(Decimal(int(minor)).scaleb(-units))


def plain(value: Decimal) -> str:
    return format(value, "f")  # never "1E+3"


def deposit_due_minor(total_minor: int, percent: Decimal, currency: str) -> int:
    """As the aggregate computes it: total x percent / 100, rounded half up."""
    units = currency_minor_units(currency) or 0
    total = Decimal(int(total_minor)).scaleb(-units)
    return to_minor(total * percent / 100, currency)


def iso(ts: datetime) -> str:
    """UTC with microseconds always, so the text sorts like the time."""
    return ts.astimezone(timezone.utc).isoformat(timespec="microseconds")


def customer_name(conn: Connection, customer_id: Any) -> str | None:
    return conn.execute(
        select(customers.c.name).where(customers.c.id == str(customer_id))
    ).scalar_one_or_none()


def alerts_after(alerts: list[dict[str, Any]], event: Any) -> list[dict[str, Any]]:
    """The open alerts after an AlertRaised/AlertCleared (a new list: the
    JSON column must see a new value to write it)."""
    name = event_name(event)
    if name == "AlertRaised":
        if any(a["code"] == event.code for a in alerts):
            return list(alerts)
        return [*alerts, {"code": event.code, "message": event.message,
                          "for_role": event.for_role, "raised_at": iso(event.timestamp)}]
    if name == "AlertCleared":
        return [a for a in alerts if a["code"] != event.code]
    return list(alerts)
