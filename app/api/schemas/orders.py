"""Orders: creating one, samples, the proforma invoice, confirmation and
cancellation; and the order as clients see it (every command answers it).

``StrictBool`` refuses ``0``/``"yes"``. The domain still checks what needs
reference data (ISO codes, a currency's minor units) and answers 422
through ``InvalidValue``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.api.fields import (
    MAX_AMOUNT,
    CountryCode,
    CurrencyCode,
    DecimalText,
    EvidenceRef,
    Incoterm,
    InspectionResult,
    IsoDate,
    LongText,
    OptionalText,
    OrderInspectionStage,
    OrderState,
    PaymentMethod,
    Percent,
    PositiveDecimal,
    Reference,
    SampleStage,
    Severity,
    Sku,
    Text,
    Unit,
)
from app.api.schemas.common import AlertPublic, Input
from app.api.schemas.order_money import LetterOfCreditPublic
from app.api.schemas.production import CostBorneIn
from app.domain import reference
from app.domain.values import decimal_text

# ---- order inputs ----------------------------------------------------------------


class PaymentTerms(Input):
    method: PaymentMethod
    deposit_percent: Percent | None = Field(None, description="0..100; default 0")
    issuing_bank_country: CountryCode | None = Field(None, description="L/C only")
    confirming_bank_country: CountryCode | None = Field(None, description="L/C only")

    def as_domain(self) -> dict[str, Any]:
        terms = self.model_dump()
        terms["deposit_percent"] = Decimal(self.deposit_percent or "0")
        return terms


class OrderLineIn(Input):
    sku: Sku
    description: OptionalText = None
    quantity: PositiveDecimal
    unit: Unit
    unit_price: PositiveDecimal = Field(
        description="May carry more decimals than the currency (USD 0.8512/m)"
    )

    @model_validator(mode="after")
    def _amount_fits(self) -> Self:
        if Decimal(self.quantity) * Decimal(self.unit_price) >= MAX_AMOUNT:
            raise ValueError("quantity x unit_price must stay below 10^15")
        return self

    def as_domain(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "description": self.description, "unit": self.unit,
            "quantity": Decimal(self.quantity), "unit_price": Decimal(self.unit_price),
        }


class OrderCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "reference": "PO-2026-0117", "customer_id": "6f1c0d2e-8a4b-4c59-9d1e-2b7f3a9c0e11",
            "currency": "USD", "incoterm": "FOB", "delivery_date": "2027-03-01",
            "samples_required": True,
            "payment_terms": {"method": "TT", "deposit_percent": "30"},
            "lines": [{"sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
                       "quantity": "10000", "unit": "m", "unit_price": "0.85"}],
        }]},
    )

    reference: Reference = Field(description="Unique per customer")
    customer_id: UUID
    currency: CurrencyCode = Field(description="ISO 4217")
    incoterm: Incoterm
    delivery_date: IsoDate = Field(description="The ex-factory date")
    # Required, not defaulted: a forgotten flag would silently switch off G5.
    samples_required: StrictBool
    payment_terms: PaymentTerms
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class SampleRequest(Input):
    stage: SampleStage


class SampleDecision(Input):
    decision: Literal["approved", "rejected"]
    comments: OptionalText = None
    evidence_ref: EvidenceRef | None = None


class PISignedBack(Input):
    signed_by: Text
    evidence_ref: EvidenceRef


class ConfirmationIn(Input):
    waiver_reason: OptionalText = Field(
        None, description="A manager's waiver of the signed-back proforma invoice (G1)"
    )


class CancellationIn(Input):
    reason: LongText
    customer_bears: list[CostBorneIn] | None = Field(
        None, max_length=20,
        description="After the release, what the customer bears of a partly produced "
                    "order (G9)")
    evidence_ref: EvidenceRef | None = Field(None, description="The customer's agreement")

    def costs_borne(self) -> list[dict[str, Any]] | None:
        if self.customer_bears is None:
            return None
        return [cost.as_domain() for cost in self.customer_bears]


class OwnerIn(Input):
    owner: Text = Field(description="The `sub` of the merchandiser who follows the order")


# ---- the order as clients see it -------------------------------------------------
# Amounts are decimal strings in the currency's minor units: "8500.00" reads
# as an invoice does, and a client never parses a float.


class OrderLinePublic(BaseModel):
    line_no: int
    sku: str
    description: str
    quantity: DecimalText
    unit: str
    unit_price: DecimalText
    amount: DecimalText


class PaymentTermsPublic(BaseModel):
    method: str
    deposit_percent: DecimalText
    issuing_bank_country: str | None
    confirming_bank_country: str | None


class ProformaInvoicePublic(BaseModel):
    revision: int
    signed_back: bool


class SamplePublic(BaseModel):
    sample_id: str
    stage: str
    status: Literal["requested", "approved", "rejected"]
    requested_at: datetime
    decided_at: datetime | None
    comments: str | None
    evidence_ref: str | None


class InspectionSummary(BaseModel):
    inspection_id: str
    stage: OrderInspectionStage
    result: InspectionResult
    severity: Severity
    inspected_on: date
    open_corrective_actions: int
    concession: bool = Field(description="A manager's concession on its defects (G11)")


class PackingListSummary(BaseModel):
    revision: int
    cartons: int
    quantity: DecimalText
    within_tolerance: bool = Field(description=(
        "Every line, colour and size packed as ordered, within the quantity tolerance (G12)"))
    difference_accepted: bool


class OrderPublic(BaseModel):
    id: UUID
    reference: str
    customer_id: UUID
    state: OrderState
    owner: str
    currency: str
    incoterm: str
    delivery_date: date
    samples_required: bool
    payment_terms: PaymentTermsPublic
    lines: list[OrderLinePublic]
    total: DecimalText
    deposit_due: DecimalText
    deposit_received: DecimalText
    balance_received: DecimalText
    paid: DecimalText
    balance_due: DecimalText
    fees_received: DecimalText
    margin: DecimalText | None = Field(description="(total - costs) / total of the latest analysis")
    cost_analyses: int
    margin_approved: bool
    needs_margin_approval: bool
    proforma_invoice: ProformaInvoicePublic | None
    confirmed: bool
    shipment_without_balance_approved: bool
    letters_of_credit: list[LetterOfCreditPublic] = Field(
        description="Credits received under an L/C, as amended (G4; issue 10)")
    samples: list[SamplePublic]
    quantity_tolerance_percent: DecimalText = Field(description=(
        "How far each line, colour and size may be packed over or short (G12; issue 12)"))
    inspections: list[InspectionSummary] = Field(description="Inspections of the order (issue 12)")
    packing_list: PackingListSummary | None
    alerts: list[AlertPublic]
    created_at: datetime
    updated_at: datetime
    version: int
    position: int | None = Field(
        description="Global position of the last event the command appended; null on GET"
    )

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        """Amounts in the currency's minor units ("8500.00", JPY "8500");
        quantities and unit prices as given; the margin to 4 places."""
        currency = view["currency"]

        def money(value: Decimal) -> str:
            return decimal_text(reference.quantize_money(value, currency))

        terms = view["payment_terms"]
        margin = view["margin"]
        return cls(
            **{k: view[k] for k in (
                "id", "reference", "customer_id", "state", "owner", "currency", "incoterm",
                "delivery_date", "samples_required", "cost_analyses", "margin_approved",
                "needs_margin_approval", "proforma_invoice", "confirmed",
                "shipment_without_balance_approved", "samples", "alerts", "version",
                "inspections",
            )},
            quantity_tolerance_percent=decimal_text(view["quantity_tolerance_percent"]),
            packing_list=None if view["packing_list"] is None else {
                **view["packing_list"],
                "quantity": decimal_text(view["packing_list"]["quantity"])},
            created_at=view["created_at"], updated_at=view["updated_at"],
            payment_terms={**terms, "deposit_percent": decimal_text(terms["deposit_percent"])},
            lines=[
                {**line, "quantity": decimal_text(line["quantity"]),
                 "unit_price": decimal_text(line["unit_price"]), "amount": money(line["amount"])}
                for line in view["lines"]
            ],
            **{k: money(view[k]) for k in (
                "total", "deposit_due", "deposit_received", "balance_received", "paid",
                "balance_due", "fees_received",
            )},
            margin=None if margin is None else decimal_text(margin),
            letters_of_credit=[{**credit, "amount": decimal_text(credit["amount"])}
                               for credit in view["letters_of_credit"]],
            position=position,
            **extra,
        )


class SampleRequestedPublic(OrderPublic):
    """The order after a sample request, with the new sample's id."""

    sample_id: str
