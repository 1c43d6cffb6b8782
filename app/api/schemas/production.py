"""Production follow-up (issue 11): the production notice, the time-and-action
plan, milestones, daily progress, delays and the customer's consent (G6),
order changes (G9); and the production view every one of them answers.

Quantities and amounts are decimal strings, dates ``YYYY-MM-DD``. What needs
the order (a breakdown summing to its line, a line that exists, a milestone
of the plan) is checked by the domain and answers 422 naming the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.api.fields import (
    CurrencyCode,
    DecimalString,
    DecimalText,
    DelayCause,
    DelayResponsible,
    EvidenceRef,
    IsoDate,
    LineNo,
    LongText,
    OptionalText,
    OrderState,
    PositiveDecimal,
    ProductionStage,
    Text,
    named,
)
from app.api.schemas.common import Input
from app.domain import tna

# A milestone code travels in a path (/milestones/{code}/completion): nothing to escape.
MILESTONE_CODE = r"^[A-Za-z0-9_.-]{1,50}$"
MilestoneCode = Field(pattern=MILESTONE_CODE, examples=["sewing_start"])
Colour = Size = Text
OwnerRole = Literal[tna.OWNER_ROLES]  # type: ignore[valid-type]
TemplateName = Literal[tuple(sorted(tna.TEMPLATES))]  # type: ignore[valid-type]
Responsible = DelayResponsible
CostItem = Literal["special_materials", "storage", "wastage", "other"]
ChangeKind = Literal["quantity", "packaging", "delivery_date", "price"]
ChangeStatus = named(Literal["pending", "accepted", "rejected"], "ChangeStatus")
Quantity = DecimalString


# ---- the production notice -------------------------------------------------------


class FactoryIn(Input):
    name: Text
    kind: Literal["own", "subcontractor"] = Field(description="Own workshop or subcontractor")
    supplier_id: UUID | None = Field(None, description="When the factory is a registered supplier")

    def as_domain(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind,
                "supplier_id": None if self.supplier_id is None else str(self.supplier_id)}


class RequirementsIn(Input):
    quality: LongText
    packaging: LongText
    shipping_marks: LongText = Field(description="嘜頭: the marks on the cartons")
    labels: OptionalText = None
    other: OptionalText = None


class BreakdownIn(Input):
    line_no: LineNo
    colour: Colour
    size: Size
    quantity: PositiveDecimal

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "quantity": Decimal(self.quantity)}


class AccessoryIn(Input):
    item: Text
    spec: OptionalText = None
    purchase_order_id: UUID | None = None

    def as_domain(self) -> dict[str, Any]:
        po = self.purchase_order_id
        return {"item": self.item, "spec": self.spec,
                "purchase_order_id": None if po is None else str(po)}


class ProductionNoticeIn(Input):
    factory: FactoryIn
    requirements: RequirementsIn
    breakdown: list[BreakdownIn] = Field(
        min_length=1, max_length=2000,
        description="Each line's quantity by colour and size; it sums to the line's quantity")
    accessories: list[AccessoryIn] = Field(default_factory=list, max_length=200)


# ---- the time-and-action plan ----------------------------------------------------


class MilestoneIn(Input):
    code: str = MilestoneCode
    name: Text
    owner_role: OwnerRole
    lead_days: StrictInt = Field(ge=0, le=tna.MAX_LEAD_DAYS, description=(
        "Working days the milestone needs after the one before it"))


class ClosureIn(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: IsoDate = Field(alias="from")
    to: IsoDate


class CalendarIn(Input):
    working_weekdays: list[Annotated[StrictInt, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: list(range(1, 7)), min_length=1, max_length=7,
        description="ISO weekdays, 1 (Monday) to 7 (Sunday); default Monday to Saturday")
    country: str | None = Field(
        None, pattern=r"^[A-Z]{2}$",
        description="ISO 3166 code: its public holidays are days off. Absent: the "
                    "company's country (CN); null: no public holidays")
    closures: list[ClosureIn] = Field(
        default_factory=list, max_length=tna.MAX_CLOSURES,
        description="The factory's own closures (the Spring Festival shutdown), inclusive")

    def as_domain(self) -> dict[str, Any]:
        calendar = {"working_weekdays": self.working_weekdays,
                    "closures": [{"from": c.from_, "to": c.to} for c in self.closures]}
        if "country" in self.model_fields_set:  # absent: the domain's default country
            calendar["country"] = self.country
        return calendar


class ProductionPlanIn(Input):
    template: TemplateName | None = Field(None, description="A template of "
                                          "`GET /v1/production-templates`")
    milestones: list[MilestoneIn] | None = Field(
        None, min_length=1, max_length=tna.MAX_MILESTONES,
        description="Explicit milestones, `ex_factory` last")
    daily_capacity: StrictInt | None = Field(
        None, ge=1, le=10_000_000, description="Units a day: sets the production span's length")
    calendar: CalendarIn | None = None


class MilestoneCompletionIn(Input):
    on: IsoDate
    evidence_ref: EvidenceRef | None = None
    note: OptionalText = None


# ---- progress, delays, consent ---------------------------------------------------


class SizeProgressIn(Input):
    colour: Colour
    size: Size
    cut: Quantity | None = None
    made: Quantity | None = None
    finished: Quantity | None = None
    packed: Quantity | None = None

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), **{k: _decimal(getattr(self, k))
                                        for k in ("cut", "made", "finished", "packed")}}


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


class ProgressIn(Input):
    on: IsoDate
    cut: Quantity | None = Field(None, description="Cumulative; carried forward when absent")
    made: Quantity | None = Field(None, description="Cumulative sewn / made")
    finished: Quantity | None = None
    packed: Quantity | None = None
    by_size: list[SizeProgressIn] = Field(default_factory=list, max_length=2000)
    lines_running: StrictInt | None = Field(None, ge=0, le=100_000,
                                            description="Lines or machines running")
    note: OptionalText = None

    def quantities(self) -> list[Decimal | None]:
        """cut, made, finished, packed."""
        return [_decimal(q) for q in (self.cut, self.made, self.finished, self.packed)]


class DelayIn(Input):
    cause: DelayCause
    responsible: Responsible
    days: StrictInt = Field(ge=0, le=tna.MAX_LEAD_DAYS, description="Days lost")
    forecast_ex_factory: IsoDate
    action: LongText = Field(description="What was done about it")
    purchase_order_id: UUID | None = Field(None, description="For a material shortage")


class CompensationIn(Input):
    amount: PositiveDecimal
    currency: CurrencyCode
    terms: OptionalText = None

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "amount": Decimal(self.amount)}


class DelayConsentIn(Input):
    consented_date: IsoDate = Field(description="The later ex-factory date the customer accepts")
    evidence_ref: EvidenceRef
    compensation: CompensationIn | None = None


# ---- changes ---------------------------------------------------------------------


class CostBorneIn(Input):
    """What the customer bears of a change or a cancellation (G9)."""

    item: CostItem
    amount: PositiveDecimal
    currency: CurrencyCode

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "amount": Decimal(self.amount)}


class ChangeLineIn(Input):
    line_no: LineNo
    quantity: PositiveDecimal | None = None
    unit_price: PositiveDecimal | None = None

    def as_domain(self) -> dict[str, Any]:
        return {"line_no": self.line_no, "quantity": _decimal(self.quantity),
                "unit_price": _decimal(self.unit_price)}


class ChangeIn(Input):
    kind: ChangeKind
    lines: list[ChangeLineIn] = Field(default_factory=list, max_length=500,
                                      description="Quantity or price changes, per line")
    packaging: OptionalText = None
    delivery_date: IsoDate | None = Field(None, description="The new ex-factory date")
    requested_by: Literal["customer", "company"]
    reason: LongText
    evidence_ref: EvidenceRef


class ChangeDecisionIn(Input):
    decision: Literal["accepted", "rejected"]
    customer_bears: list[CostBorneIn] = Field(default_factory=list, max_length=20)
    evidence_ref: EvidenceRef


# ---- what the production follow-up answers ---------------------------------------


class FactoryPublic(BaseModel):
    name: str
    kind: str
    supplier_id: str | None


class RequirementsPublic(BaseModel):
    quality: str
    packaging: str
    shipping_marks: str
    labels: str | None
    other: str | None


class BreakdownPublic(BaseModel):
    line_no: int
    colour: str
    size: str
    quantity: DecimalText


class AccessoryPublic(BaseModel):
    item: str
    spec: str | None
    purchase_order_id: str | None


class NoticePublic(BaseModel):
    revision: int
    factory: FactoryPublic
    requirements: RequirementsPublic
    breakdown: list[BreakdownPublic]
    accessories: list[AccessoryPublic]
    frozen: bool = Field(description="Approved by the production release")


class ClosurePublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from")
    to: date


class CalendarPublic(BaseModel):
    working_weekdays: list[int]
    country: str | None
    closures: list[ClosurePublic]


class MilestonePublic(BaseModel):
    code: str
    name: str
    owner_role: str
    lead_days: int
    planned_on: date
    forecast_on: date
    completed_on: date | None
    days_late: int = Field(description="Calendar days completed after the planned date")


class PlanPublic(BaseModel):
    revision: int
    template: str | None
    daily_capacity: int | None
    quantity: DecimalText
    calendar: CalendarPublic
    ex_factory: date
    feasible: bool
    days_short: int = Field(description="Working days the first milestone is short of today")
    milestones: list[MilestonePublic]
    forecast_ex_factory: date


class SizeProgressPublic(BaseModel):
    colour: str
    size: str
    cut: DecimalText | None
    made: DecimalText | None
    finished: DecimalText | None
    packed: DecimalText | None


class ProgressPublic(BaseModel):
    on: date
    cut: DecimalText
    made: DecimalText
    finished: DecimalText
    packed: DecimalText
    planned: DecimalText | None = Field(description="Made by that day according to the plan")
    behind: DecimalText | None = Field(description="planned - made")
    lines_running: int | None
    note: str | None
    by_size: list[SizeProgressPublic]


class DelayPublic(BaseModel):
    delay_id: str
    cause: str
    responsible: str
    days: int
    forecast_ex_factory: date
    action: str
    purchase_order_id: str | None
    reported_on: date


class CompensationPublic(BaseModel):
    amount: DecimalText
    currency: str
    terms: str | None


class ConsentPublic(BaseModel):
    consented_date: date
    evidence_ref: str
    compensation: CompensationPublic | None


class CostBornePublic(BaseModel):
    item: str
    amount: DecimalText
    currency: str


class ChangePublic(BaseModel):
    change_id: str
    kind: str
    status: ChangeStatus
    requested_by: str
    reason: str
    evidence_ref: str
    lines: list[dict[str, Any]] = Field(description="The lines the change asks for")
    packaging: str | None
    delivery_date: date | None
    customer_bears: list[CostBornePublic]
    pi_revision: int | None


class ProductionPublic(BaseModel):
    order_id: UUID
    reference: str
    state: OrderState
    version: int
    delivery_date: date = Field(description="The agreed ex-factory date")
    stage: ProductionStage = Field(
        description="How far production has gone (G9)")
    notice: NoticePublic | None
    packaging: str | None = Field(description="The packaging agreed: the notice's, or a "
                                              "change's")
    plan: PlanPublic | None
    progress: list[ProgressPublic]
    delays: list[DelayPublic]
    consents: list[ConsentPublic]
    changes: list[ChangePublic]
    forecast_ex_factory: date | None
    waiting_for_consent: bool = Field(
        description="A delay not caused by the customer forecasts a later date, unconsented (G6)")
    position: int | None = Field(
        None, description="Global position of the last event the command appended; null on GET")

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)


class ChangeAnswer(ProductionPublic):
    """The production view after a change or its decision."""

    change_id: str
    status: ChangeStatus


class DelayAnswer(ProductionPublic):
    """The production view after a delay is reported, with the delay's id."""

    delay_id: str


class TemplateMilestonePublic(BaseModel):
    code: str
    name: str
    owner_role: str
    lead_days: int


class TemplatePublic(BaseModel):
    code: str
    name: str
    milestones: list[TemplateMilestonePublic]


class TemplatesPublic(BaseModel):
    data: list[TemplatePublic]
    next_cursor: str | None = Field(None, description="Always null: every template at once")
    has_more: bool = Field(False, description="Always false: every template at once")
