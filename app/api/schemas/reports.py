"""Answers of the reports (issue 13, item 7): orders by state, payments
received, late orders. Amounts are decimal strings in major units with the
currency's places ("2550.00"), each beside its currency."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.fields import DecimalText, OrderState, PaymentGrouping, PaymentKind
from app.api.schemas.common import Amount
from app.api.schemas.reads import HasMore

Position = Field(description="Global position the figures include")


class OrdersInState(BaseModel):
    state: OrderState
    currency: str
    orders: int
    total: DecimalText = Amount


class OrdersByState(BaseModel):
    """Every order, closed and cancelled included, per state (in lifecycle
    order) and currency: how many, and their contract totals."""

    data: list[OrdersInState]
    position: int = Position


class PaymentGroup(BaseModel):
    currency: str
    payments: int = Field(description="Payments received")
    amount: DecimalText = Amount
    customer_id: UUID | None = Field(description="With group_by=customer; else null")
    customer_name: str | None = Field(description="With group_by=customer; else null")
    kind: PaymentKind | None = Field(
        description="With group_by=kind; else null")


class PaymentsReport(BaseModel):
    """Payments received (deposits, balances and fees), by the day they were
    received, per currency, per customer and currency, or per kind and
    currency: never summed across currencies."""

    since: date | None = Field(description="Inclusive, on the day received")
    until: date | None = Field(description="Inclusive, on the day received")
    group_by: PaymentGrouping
    data: list[PaymentGroup]
    position: int = Position


class LateOrder(BaseModel):
    order_id: UUID
    reference: str
    customer_id: UUID
    customer_name: str | None
    owner: str = Field(description="Who follows the order (its merchandiser)")
    state: OrderState
    currency: str
    total: DecimalText = Amount
    delivery_date: date
    agreed_on: date = Field(description=(
        "The latest ex-factory date the customer agreed to: the delivery date, or a later "
        "date consented to (G6)"))
    days_late: int = Field(description="Days past `agreed_on` today (UTC)")
    forecast_ex_factory: date | None
    next_milestone: str | None


class LateOrdersPage(BaseModel):
    """Orders neither shipped, closed nor cancelled, past their agreed
    date; most days late first."""

    data: list[LateOrder]
    next_cursor: str | None
    has_more: bool = HasMore
