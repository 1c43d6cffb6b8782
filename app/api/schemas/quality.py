"""Quality and packing (issue 12): inspections of orders and POs, their
corrective actions and a manager's concession (G11), the packing list and
a supervisor's acceptance of its differences (G12), the order's quantity
tolerance, a factory's switching state, and the sampling plan.

Counts (lot, defects, cartons) are JSON integers; weights, dimensions,
quantities, AQLs and percents decimal strings; dates ``YYYY-MM-DD``. What
needs the order or the standard (an AQL of the series, a line that exists,
cartons that do not overlap) is checked by the domain: 422 naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    model_validator,
)

from app.api.fields import (
    DecimalText,
    DefectClass,
    EvidenceRef,
    InspectionLevel,
    InspectionResult,
    InspectionStage,
    IsoDate,
    LineNo,
    LongText,
    OrderInspectionStage,
    OrderState,
    Percent,
    PositiveDecimal,
    Reference,
    Severity,
    Sku,
    Text,
)
from app.api.schemas.common import Input
from app.domain import quality
from app.domain.quality_record import factory_key

Level = InspectionLevel
OrderStage = OrderInspectionStage
Result = InspectionResult
# An AQL of the ISO 2859-1 series (0.010 ... 1000) or 0; the domain checks
# that it is a member of the series.
AQL = r"^[0-9]{1,4}(\.[0-9]{1,3})?$"
Aql = Annotated[str, Field(pattern=AQL, examples=["2.5"])]
MAX_LOT = quality.MAX_LOT
LotSize = Annotated[StrictInt, Field(ge=2, le=MAX_LOT,
                                     description="Units in the lot (ISO 2859-1 Table 1 from 2)")]
Defects = Annotated[StrictInt, Field(ge=0, le=quality.MAX_LOT)]
CartonNo = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
MAX_CARTON_RANGES = 2000


def _factory(value: str) -> str:
    """``supplier:<uuid>`` or ``own:<name>``, as the record keys them."""
    kind, _, rest = value.partition(":")
    if kind == "supplier":
        try:
            return factory_key(supplier_id=UUID(rest))
        except ValueError:
            raise ValueError("supplier:<the supplier's id>") from None
    if kind == "own" and rest.strip():
        return factory_key(own_name=rest)
    raise ValueError("supplier:<the supplier's id> or own:<the workshop's name>")


Factory = Annotated[str, Field(min_length=5, max_length=250, pattern=r"^[^\x00-\x1F\x7F]*$",
                               examples=["own:own workshop"]), AfterValidator(_factory)]
SwitchingDecision = Literal["approve_reduced", "irregular", "resume"]


# ---- inspections ---------------------------------------------------------------------


class AqlIn(Input):
    critical: Aql | None = Field(None, description="Default 0: none allowed")
    major: Aql | None = Field(None, description="Default 2.5")
    minor: Aql | None = Field(None, description="Default 4.0")

    def as_domain(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class DefectsIn(Input):
    critical: Defects
    major: Defects
    minor: Defects


class FindingIn(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    description: LongText
    class_: DefectClass = Field(alias="class")
    quantity: StrictInt = Field(1, ge=1, le=quality.MAX_LOT)
    photo_ref: EvidenceRef | None = None

    def as_domain(self) -> dict[str, Any]:
        return {"description": self.description, "class": self.class_,
                "quantity": self.quantity, "photo_ref": self.photo_ref}


class CorrectiveActionIn(Input):
    what: LongText
    owner: Literal[quality.ACTION_OWNERS]  # type: ignore[valid-type]
    due_on: IsoDate


class _InspectionBody(Input):
    lot_size: LotSize
    level: Level | None = Field(None, description="ISO 2859-1 inspection level; default II")
    aql: AqlIn | None = Field(None, description="AQL per defect class")
    defects: DefectsIn = Field(description="Nonconforming units found per class")
    findings: list[FindingIn] | None = Field(None, max_length=quality.FINDING_LIMIT)
    report_ref: Reference
    inspected_on: IsoDate
    corrective_actions: list[CorrectiveActionIn] | None = Field(
        None, max_length=quality.MAX_ACTIONS,
        description="A failed inspection's; default: one to correct and re-present the lot "
                    "within 7 days")

    @model_validator(mode="after")
    def _defects_within_lot(self) -> Self:
        for cls in quality.CLASSES:
            if getattr(self.defects, cls) > self.lot_size:
                raise ValueError(f"defects.{cls} exceeds the lot size")
        return self

    def as_domain(self) -> dict[str, Any]:
        """The keyword arguments the inspection use cases share."""
        return {
            "lot_size": self.lot_size, "level": self.level,
            "aql": None if self.aql is None else self.aql.as_domain(),
            "defects": self.defects.model_dump(),
            "findings": [f.as_domain() for f in self.findings or ()],
            "report_ref": self.report_ref, "inspected_on": self.inspected_on,
            "corrective_actions": None if self.corrective_actions is None
            else [a.model_dump() for a in self.corrective_actions],
        }


class InspectionIn(_InspectionBody):
    stage: OrderStage
    factory_id: UUID | None = Field(
        None, description="The registered supplier that made the goods; default: the "
                          "production notice's factory")
    product: Sku | None = Field(None, description="Default: the order's first line's SKU")


class PoInspectionIn(_InspectionBody):
    stage: Literal["incoming"] = "incoming"
    receipt_id: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="The receipt whose lot is inspected: a failed lot is rejected on it")


class ActionClosureIn(Input):
    evidence_ref: EvidenceRef


class ConcessionIn(Input):
    reason: LongText
    evidence_ref: EvidenceRef = Field(description="The customer's acceptance of the defects")


# ---- packing -------------------------------------------------------------------------


class ToleranceIn(Input):
    quantity_tolerance_percent: Percent = Field(description="0 to 100")


class CartonIn(Input):
    from_no: CartonNo
    to_no: CartonNo
    line_no: LineNo
    colour: Text
    size: Text
    quantity_per_carton: PositiveDecimal
    net_kg: PositiveDecimal = Field(description="Per carton")
    gross_kg: PositiveDecimal = Field(description="Per carton")
    length_cm: PositiveDecimal
    width_cm: PositiveDecimal
    height_cm: PositiveDecimal

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.to_no < self.from_no:
            raise ValueError("to_no is before from_no")
        return self


class PackingListIn(Input):
    cartons: list[CartonIn] = Field(min_length=1, max_length=MAX_CARTON_RANGES,
                                    description="Carton ranges, each one line, colour and size")


class DifferenceAcceptanceIn(Input):
    reason: LongText
    evidence_ref: EvidenceRef = Field(description="The customer's agreement")


class SwitchingDecisionIn(Input):
    factory: Factory
    product: Sku
    decision: SwitchingDecision


# ---- answers -------------------------------------------------------------------------


class SamplingPlanPublic(BaseModel):
    lot_code_letter: str = Field(description="Table 1's code letter of the lot")
    code_letter: str = Field(description="The letter whose plan applies, after the arrows")
    sample_size: int
    accept: int = Field(description="Ac")
    reject: int = Field(description="Re")
    full_inspection: bool = Field(description="The sample reaches the lot: 100 % inspection")


class ClassPlanPublic(BaseModel):
    aql: str
    lot_code_letter: str
    code_letter: str | None = Field(description="Null for 100 % inspection at AQL 0")
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool


class CorrectiveActionPublic(BaseModel):
    action_id: str
    what: str
    owner: str
    due_on: date
    closed_at: datetime | None
    evidence_ref: str | None


class RejectedLinePublic(BaseModel):
    line_no: int
    quantity: DecimalText


class _Judged(BaseModel):
    inspection_id: str
    stage: InspectionStage
    severity: Severity = Field(description="The severity this inspection used")
    severity_reason: str = Field(description="Why the factory's record gave that severity")
    plans: dict[DefectClass, ClassPlanPublic]
    class_results: dict[DefectClass, Result]
    result: Result
    corrective_actions: list[CorrectiveActionPublic]


class InspectionAnswer(_Judged):
    """What an inspection command answers: the plans and result, and the
    inspected order's or PO's version (and the order's state)."""

    id: UUID
    state: OrderState | None = Field(None, description="The order's; null on a PO")
    version: int
    position: int | None
    severity_after: Severity = Field(description="The factory's severity after this lot")
    severity_reason_after: str | None
    rejected: list[RejectedLinePublic] = Field(description=(
        "On a PO: the receipt's accepted quantities a failed lot takes back"))

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)


class OrderStatePublic(BaseModel):
    """The order after a closure, a concession or a new tolerance."""

    id: UUID
    state: OrderState
    version: int
    position: int | None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)


class PurchaseOrderVersionPublic(BaseModel):
    """The PO after a supplier's corrective action is closed."""

    id: UUID
    version: int
    position: int | None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)


class FindingPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    description: str
    class_: DefectClass = Field(alias="class")
    quantity: int
    photo_ref: str | None


class ConcessionPublic(BaseModel):
    reason: str
    evidence_ref: str
    granted_by: str


class InspectionPublic(_Judged):
    """An inspection report, as `GET /v1/orders/{id}/inspections/{iid}`."""

    company: str
    order_id: UUID
    reference: str
    customer: str | None
    factory: str = Field(description="supplier:<id> or own:<name>")
    product: str
    lot_size: int
    level: str
    defects: dict[DefectClass, int]
    findings: list[FindingPublic]
    report_ref: str
    inspected_on: date
    counts_for_switching: bool
    inspector: str | None
    concession: ConcessionPublic | None
    latest_final: bool


class CartonPublic(BaseModel):
    from_no: int
    to_no: int
    cartons: int
    line_no: int
    sku: str
    colour: str
    size: str
    quantity_per_carton: DecimalText
    quantity: DecimalText
    net_kg: DecimalText
    gross_kg: DecimalText
    length_cm: DecimalText
    width_cm: DecimalText
    height_cm: DecimalText
    cbm: DecimalText


class LineTotal(BaseModel):
    line_no: int
    quantity: DecimalText


class ColourSizeTotal(BaseModel):
    line_no: int
    colour: str
    size: str
    quantity: DecimalText


class PackingTotals(BaseModel):
    cartons: int
    quantity: DecimalText
    net_kg: DecimalText
    gross_kg: DecimalText
    cbm: DecimalText
    by_line: list[LineTotal]
    by_colour_size: list[ColourSizeTotal]


class DifferencePublic(BaseModel):
    line_no: int
    colour: str
    size: str
    ordered: DecimalText
    packed: DecimalText
    cut: DecimalText | None = Field(description="The latest cut quantity reported for the colour "
                                        "and size")
    difference: DecimalText = Field(description="packed - ordered")
    within_tolerance: bool


class DifferenceAcceptedPublic(BaseModel):
    reason: str
    evidence_ref: str
    accepted_by: str


class PackingListPublic(BaseModel):
    company: str
    order_id: UUID
    reference: str
    customer: str | None
    state: OrderState
    version: int
    revision: int
    issued_at: datetime
    cartons: list[CartonPublic]
    totals: PackingTotals
    differences: list[DifferencePublic] = Field(description=(
        "Every line, colour and size packed otherwise than ordered"))
    tolerance_percent: DecimalText
    within_tolerance: bool
    difference_accepted: DifferenceAcceptedPublic | None
    shippable: bool = Field(description="G12 lets the order ship")
    position: int | None = Field(
        None, description="Global position of the last event the command appended; null on GET")

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)


class SwitchingPublic(BaseModel):
    factory: str
    product: str
    severity: Severity = Field(description="What the factory's next lot is inspected at")
    reason: str
    switching_score: int
    recent_normal_results: list[Literal["accepted", "not accepted"]]
    tightened_accepted_in_a_row: int
    tightened_not_accepted: int
    discontinued: bool
    reduced_possible: bool
    version: int
    position: int | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**view, position=position, **extra)
