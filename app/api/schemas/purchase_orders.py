"""Purchase orders, staff side: drafting, amendments, counter-proposal
answers, receipts, supplier invoices and payments; the PO as staff read it
(made of ``purchase_order_parts``) and the evidence of what suppliers signed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool

from app.api.fields import (
    AdjustmentReason,
    CurrencyCode,
    DecimalString,
    DecimalText,
    InspectionResult,
    IsoDate,
    LineNo,
    LongText,
    OptionalText,
    PositiveDecimal,
    PurchaseOrderState,
    Reference,
    Severity,
    Text,
    Unit,
)
from app.api.schemas.common import AlertPublic, Input
from app.api.schemas.purchase_order_parts import (
    Acknowledgement,
    CounterProposal,
    DeliveryNote,
    Invoice,
    PoContent,
    PoLinePublic,
    Receipt,
    SentRevision,
    SupplierPayment,
)
from app.application.feed import jsonable
from app.domain.reference import quantize_money
from app.domain.values import decimal_text


class PoLineIn(Input):
    line_no: LineNo
    item: Text
    quantity: PositiveDecimal
    unit: Unit
    unit_price: DecimalString = Field(description="Up to 6 decimals (0.0125 a button)")
    delivery_date: IsoDate

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "quantity": Decimal(self.quantity),
                "unit_price": Decimal(self.unit_price)}


class PurchaseOrderCreate(Input):
    supplier_id: UUID
    order_id: UUID | None = Field(None, description="The customer order it serves")
    rfq_id: UUID | None = Field(None, description="The awarded RFQ that covers new items (G8)")
    currency: CurrencyCode
    terms: OptionalText = Field(None, description="Payment and delivery terms, as text")
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)
    waiver_reason: OptionalText = Field(
        None, description="A supervisor's or manager's G8 waiver for new items")


class AmendmentIn(Input):
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)
    terms: OptionalText = None
    reason: OptionalText = None


class CounterAnswerIn(Input):
    decision: Literal["accept", "reject"]
    reason: OptionalText = None


class ReasonIn(Input):
    reason: LongText


class ReceiptLineIn(Input):
    line_no: LineNo
    received: PositiveDecimal
    accepted: DecimalString
    unit_price_invoiced: DecimalString
    partial: StrictBool = Field(False, description="More of this line is still to come: "
                                                   "shortness is not judged yet")


class ReceiptIn(Input):
    received_on: IsoDate | None = Field(None, description="Default: today (UTC)")
    delivery_note: Reference | None = None
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)


class InvoiceLineIn(Input):
    line_no: LineNo
    quantity: PositiveDecimal
    unit_price: DecimalString


class InvoiceIn(Input):
    invoice_no: Reference
    invoice_date: IsoDate
    due_date: IsoDate | None = None
    currency: CurrencyCode
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)


class AdjustmentIn(Input):
    reason: AdjustmentReason
    amount: PositiveDecimal
    note: OptionalText = None


class SupplierPaymentIn(Input):
    amount: DecimalString = Field(description="Paid; with the adjustments, what it settles")
    currency: CurrencyCode
    paid_on: IsoDate
    reference: Text
    invoice_no: Reference | None = None
    adjustments: list[AdjustmentIn] = Field(default_factory=list, max_length=20)


# In the currency's minor units ("90.00", JPY "90"), as the order's amounts.
_AMOUNTS = ("total", "invoiced", "paid", "adjusted", "outstanding")


def _money_fields(view: dict[str, Any]) -> dict[str, Any]:
    currency = view["currency"]
    return {k: decimal_text(quantize_money(view[k], currency)) for k in _AMOUNTS}


class RejectedLine(BaseModel):
    line_no: int
    quantity: DecimalText


class PoInspection(BaseModel):
    inspection_id: str
    result: InspectionResult
    severity: Severity
    inspected_on: date
    receipt_id: str | None
    rejected: list[RejectedLine]
    open_corrective_actions: int


class PurchaseOrderPublic(BaseModel):
    id: UUID
    supplier_id: UUID
    order_id: UUID | None
    rfq_id: UUID | None
    state: PurchaseOrderState
    revision: int
    placed: bool = Field(description="G7: the current revision is signed back")
    signed_revision: int | None
    currency: str
    terms: str | None
    lines: list[PoLinePublic]
    total: DecimalText
    waiver_reason: str | None
    drafted_by: str
    content: PoContent | None = Field(description="The current revision as sent")
    content_hash: str | None
    sent_revisions: list[SentRevision]
    counter_proposal: CounterProposal | None
    acknowledgements: list[Acknowledgement]
    delivery_notes: list[DeliveryNote]
    receipts: list[Receipt]
    invoices: list[Invoice]
    payments: list[SupplierPayment]
    invoiced: DecimalText
    paid: DecimalText
    adjusted: DecimalText
    outstanding: DecimalText
    inspections: list[PoInspection] = Field(description=(
        "Incoming inspections (issue 12); a failed lot's accepted quantities are taken back"))
    alerts: list[AlertPublic]
    version: int
    position: int | None = None
    revision_sent: int | None = Field(None, description="On a send: the revision sent")
    result: str | None = Field(None, description="On an invoice: matched or mismatch")
    receipt_id: str | None = Field(None, description="On a receipt: its id")

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        data = jsonable({k: v for k, v in view.items() if k not in _AMOUNTS})
        return cls(**data, **_money_fields(view), position=position, **extra)


class EvidenceItem(BaseModel):
    kind: Literal["signed_back", "countered", "delivery_note"]
    revision: int | None
    received_at: datetime
    keyid: str
    public_key: str | None = Field(description="base64 raw Ed25519 key the request verified with")
    key_revoked_at: datetime | None
    method: str
    target_uri: str
    headers: dict[str, str] = Field(description="content-type, content-digest, "
                                                "signature-input, signature as received")
    body: str = Field(description="The request body, byte for byte (UTF-8)")
    signature_base: str = Field(description="RFC 9421 signature base that was verified")
    label: str
    created: int
    expires: int
    nonce: str


class EvidencePage(BaseModel):
    data: list[EvidenceItem]
