"""Helpers the read models share: money in minor units, ids as text, the
rows an order's event reads, and the open alerts after an event.

The read models follow the domain: they dispatch on its event classes and
take the state an event leads to from the event itself (``leads_to``), the
same attribute the aggregate's ``apply`` follows; figures and instants are
written as text by the domain's ``decimal_text`` and ``utc_text``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

# The bases of both aggregates' AlertRaised/AlertCleared.
from app.domain.alerts import AlertCleared, AlertRaised
from app.domain.order import Order
from app.domain.reference import currency_minor_units, quantize_money
from app.domain.values import decimal_text, utc_text
from app.projections.batch import Batch
from app.projections.tables import customers

# States whose delivery date can no longer be missed.
DONE_STATES = ("shipped", "closed", "cancelled")


# Cached per currency: an ISO 4217 enum lookup per amount otherwise, and a
# new order converts four amounts (a rebuild converts every order's).
@lru_cache(maxsize=256)
def _units(currency: str) -> int:
    return currency_minor_units(currency) or 0


@lru_cache(maxsize=256)
def _quantum(currency: str) -> Decimal:
    # 1 rounded to the currency (1.00 USD, 1 JPY): its exponent is what
    # quantize_money rounds to. ValueError for an unknown currency, as there.
    return quantize_money(Decimal(1), currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """quantize_money(amount, currency) in minor units (half up, as there)."""
    try:
        quantized = amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # NaN, or more digits than the context holds
        quantized = quantize_money(amount, currency)  # its ValueError
    if not quantized.is_finite():  # Infinity quantizes to nothing
        quantized = quantize_money(amount, currency)
    return int(quantized.scaleb(_units(currency)))


def from_minor(minor: int, currency: str) -> str:
    """Minor units as a decimal string with the currency's places ("2550.00")."""
    units = _units(currency)
    return decimal_text(Decimal(int(minor)).scaleb(-units))


def deposit_due_minor(total_minor: int, percent: Decimal, currency: str) -> int:
    """As the aggregate computes it: total x percent / 100, rounded half up."""
    total = Decimal(int(total_minor)).scaleb(-_units(currency))
    return to_minor(total * percent / 100, currency)


@lru_cache(maxsize=4096)
def text_id(value: Any) -> str:
    """str() of a UUID, cached: board, finance and the customer lookups each
    need the same event's ids as text (1 us apiece for uuid.__str__)."""
    return str(value)


def order_rows(table: Any, event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows an order read model (board, finance) reads for an event: the
    customer's name for a new order, the order's row for the others."""
    if isinstance(event, Order.OrderCreated):
        return ((customers, text_id(event.customer_id)),)
    if isinstance(event, Order.Event):
        return ((table, text_id(event.originator_id)),)
    return ()


def customer_name(batch: Batch, customer_id: Any) -> str | None:
    row = batch.get(customers, text_id(customer_id))
    return None if row is None else row["name"]


def alerts_after(alerts: list[dict[str, Any]], event: Any,
                 po_id: str | None = None) -> list[dict[str, Any]]:
    """The open alerts after an AlertRaised/AlertCleared of either aggregate
    (a new list: the JSON column must see a new value to write it).

    An order's board row also lists the alerts of the POs serving it
    (``po_id``): there an alert is one per PO and code, so two POs' alerts
    with the same code are both shown, and an order's alert never clears a
    PO's. Rows of one aggregate only (finance, the PO board) pass no po_id."""
    if isinstance(event, AlertRaised):
        if any(a["code"] == event.code and a.get("purchase_order_id") == po_id
               for a in alerts):
            return list(alerts)
        alert = {"code": event.code, "message": event.message, "for_role": event.for_role,
                 "raised_at": utc_text(event.timestamp)}
        if po_id is not None:
            alert["purchase_order_id"] = po_id
        return [*alerts, alert]
    if isinstance(event, AlertCleared):
        return [a for a in alerts
                if a["code"] != event.code or a.get("purchase_order_id") != po_id]
    return list(alerts)
