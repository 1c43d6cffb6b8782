"""Answers of the read endpoints (board, finance, audit, events, delay
causes, the QC board).

Amounts are decimal strings with the currency's minor units ("2550.00",
"1500" for JPY); dates and times ISO 8601, times in UTC. None of these is a
read model's row as stored (minor units, text timestamps, JSON columns, what
depends on today's date): app/projections/tables.py says why they stay apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, WithJsonSchema

from app.api.fields import (
    DecimalText,
    DelayCause,
    DelayResponsible,
    InspectionLevel,
    InspectionResult,
    InspectionStage,
    OrderState,
    Risk,
    Severity,
)

# Shared with the command answers, so OpenAPI names each model once.
from app.api.schemas.common import AlertPublic, Amount
from app.api.schemas.events import feed_item_schema

# Beside every page's next_cursor (issue 13): whether another page follows.
HasMore = Field(description="true when another page follows (`next_cursor` reads it)")


class BoardAlert(AlertPublic):
    """An alert on an order's board row; one raised on a purchase order that
    serves the order names that PO."""

    purchase_order_id: UUID | None = None


class BoardItem(BaseModel):
    order_id: UUID
    reference: str
    customer_id: UUID
    customer_name: str | None
    state: OrderState
    owner: str = Field(description="Who created the order (its merchandiser)")
    currency: str
    total: DecimalText = Amount
    delivery_date: date = Field(description="The ex-factory date")
    overdue: bool = Field(description="Past its delivery date and not shipped, closed or cancelled")
    days_late: int = Field(description=(
        "With a time-and-action plan: days past the planned date of its next uncompleted "
        "milestone (0 when not past). Without one (or with every milestone done): days past "
        "the delivery date when overdue. 0 once shipped, closed or cancelled"))
    next_milestone: str | None = Field(description=(
        "What the order waits for next; in production under a plan, the plan's next "
        "uncompleted milestone"))
    next_milestone_on: date | None = Field(description=(
        "Planned date of the plan's next uncompleted milestone (null without a plan, when "
        "every milestone is done, or once shipped, closed or cancelled)"))
    forecast_ex_factory: date | None = Field(description=(
        "The latest forecast ex-factory date: the plan's, re-projected by milestone "
        "completions, or a delay's (null before any)"))
    agreed_on: date = Field(description=(
        "The latest ex-factory date the customer agreed to: the delivery date, or a later "
        "date consented to (G6)"))
    risk: Risk = Field(description=(
        "red: the plan is infeasible, the forecast ex-factory date is after the agreed date, "
        "or the agreed date has passed unshipped; amber: a milestone is past its planned "
        "date uncompleted, or the latest one completed was late; green otherwise (and once "
        "shipped, closed or cancelled)"))
    attention: str | None = Field(description=(
        "The role the risk goes to: amber, the owner role of the next milestone (the one "
        "late); red, escalated to the supervisor; null when green"))
    blockers: list[str]
    alerts: list[BoardAlert]
    created_at: datetime
    updated_at: datetime
    position: int = Field(description="Global position of the last event applied to this row")


class BoardPage(BaseModel):
    data: list[BoardItem]
    next_cursor: str | None
    has_more: bool = HasMore


class FinanceLetterOfCredit(BaseModel):
    number: str
    issuing_bank: str
    amount: DecimalText = Amount
    currency: str
    latest_shipment_date: date
    expiry_date: date
    presentation_days: int
    amendments: int


class FinanceOrder(BaseModel):
    order_id: UUID
    reference: str
    customer_id: UUID
    customer_name: str | None
    currency: str
    state: OrderState
    contract_amount: DecimalText = Amount
    deposit_percent: DecimalText
    deposit_due: DecimalText = Amount
    deposit_received: DecimalText = Amount
    balance_received: DecimalText = Amount
    paid: DecimalText = Amount
    balance_due: DecimalText = Amount
    fees_received: DecimalText = Amount
    margin: DecimalText | None = Field(description="Latest cost analysis margin, a fraction ('0.0470')")
    margin_approved: bool
    shipment_without_balance: bool
    shipment_without_balance_reason: str | None
    alerts: list[AlertPublic]
    letters_of_credit: list[FinanceLetterOfCredit] = Field(
        description="Credits received under an L/C, as amended (G4; issue 10)")
    position: int


class FinanceOrdersPage(BaseModel):
    data: list[FinanceOrder]
    next_cursor: str | None
    has_more: bool = HasMore


class CurrencyTotals(BaseModel):
    currency: str
    orders: int
    contract_amount: DecimalText = Amount
    paid: DecimalText = Amount
    balance_due: DecimalText = Amount
    fees_received: DecimalText = Amount


class CustomerTotals(CurrencyTotals):
    customer_id: UUID
    customer_name: str | None


class FinanceSummary(BaseModel):
    """Totals of the orders not cancelled."""

    currencies: list[CurrencyTotals]
    customers: list[CustomerTotals]
    position: int = Field(description="Global position the totals include")


class ActorPublic(BaseModel):
    sub: str
    role: str


class EventRecord(BaseModel):
    """One event as the audit trail and the event feed describe it."""

    position: int
    type: str
    order_id: UUID | None
    aggregate_id: UUID
    aggregate_type: str
    version: int
    occurred_at: datetime
    actor: ActorPublic
    data: dict[str, Any]


class AuditPage(BaseModel):
    data: list[EventRecord]
    next_cursor: str | None
    has_more: bool = HasMore


class FeedEvent(EventRecord):
    class_version: int = Field(description="The version of the event type's payload schema")


class EventsPage(BaseModel):
    # Documented as one schema per event type (app.api.schemas.events).
    data: list[Annotated[FeedEvent, WithJsonSchema(feed_item_schema())]]
    next_cursor: int | None = Field(
        description="The last position, to pass as `after` (an integer, like `after`); "
                    "null when the feed is exhausted"
    )
    has_more: bool = HasMore


class DelayCount(BaseModel):
    count: int = Field(description="Delays reported")
    days: int = Field(description="Days lost")


class DelayCauseCount(DelayCount):
    cause: DelayCause


class DelayResponsibleCount(DelayCount):
    responsible: DelayResponsible


class DelayCauses(BaseModel):
    """Delays reported in the window, per cause and per responsible party,
    each by days lost (most first), then by name; every cause and party is
    listed, at zero when nothing was reported (the weekly review's Pareto)."""

    since: date | None = Field(description="Inclusive, on the day a delay was reported")
    until: date | None = Field(description="Inclusive, on the day a delay was reported")
    total: DelayCount
    by_cause: list[DelayCauseCount]
    by_responsible: list[DelayResponsibleCount]
    position: int = Field(description="Global position the counts include")


# ---- the QC board (issue 12) -----------------------------------------------------------


class InspectionDefects(BaseModel):
    critical: int
    major: int
    minor: int


class InspectionItem(BaseModel):
    """An inspection as the QC board lists it: of an order (pre-production
    to final) or of a PO's delivery (incoming). The full report is the
    order's GET /v1/orders/{id}/inspections/{inspection_id}."""

    inspection_id: UUID
    order_id: UUID | None = Field(description=(
        "The order inspected; for an incoming inspection, the order the PO serves (if any)"))
    purchase_order_id: UUID | None = Field(description="The PO whose delivery was inspected")
    reference: str | None = Field(description="The order's reference")
    stage: InspectionStage
    factory: str = Field(description=(
        "Who made the lot: `supplier:<supplier id>` or `own:<workshop name>`"))
    supplier_id: UUID | None = Field(description="The factory's supplier id; null for an own "
                                                 "workshop")
    product: str
    lot_size: int
    level: InspectionLevel
    severity: Severity = Field(
        description="The ISO 2859-1 severity the lot was inspected under")
    result: InspectionResult
    defects: InspectionDefects
    inspected_on: date
    report_ref: str
    inspector: str = Field(description="The `sub` who recorded it")
    corrective_actions: int = Field(description="Corrective actions the inspection opened")
    open_corrective_actions: int = Field(description="Of which not closed yet")
    concession: bool = Field(description="A manager's concession granted on it (G11)")
    recorded_at: datetime
    position: int = Field(description="Global position of the last event applied to this row")


class InspectionsPage(BaseModel):
    data: list[InspectionItem]
    next_cursor: str | None
    has_more: bool = HasMore
