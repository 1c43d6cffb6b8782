"""The HTTP contract of sourcing: suppliers, RFQs, purchase orders and the
supplier portal. Same conventions as ``app.api.schemas``: inputs forbid
unknown fields, decimals travel as strings, the domain checks the rest."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app.api.schemas import AlertPublic
from app.api.fields import (
    CountryCode,
    CurrencyCode,
    DecimalString,
    IsoDate,
    LongText,
    OptionalText,
    PositiveDecimal,
    Reference,
    Text,
    Unit,
)
from app.domain.purchase_order import ADJUSTMENT_REASONS, PO_STATES
from app.domain.reference import quantize_money
from app.application.feed import jsonable


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


LineNo = Annotated[StrictInt, Field(ge=1, le=100_000)]
ContentHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$",
                                   description="Lowercase hex SHA-256 of the RFC 8785 JSON "
                                               "of the revision's `content`")]
PublicKey = Annotated[str, Field(min_length=40, max_length=1000, description=(
    "Ed25519 public key: PEM (`-----BEGIN PUBLIC KEY-----`) or base64 of the raw 32 bytes"))]
KeyId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]


# ---- suppliers --------------------------------------------------------------------
class SupplierKeyIn(_Input):
    keyid: KeyId
    public_key: PublicKey


class SupplierCreate(_Input):
    name: Text
    country: CountryCode = Field(description="ISO 3166-1 alpha-2")
    contact: OptionalText = None
    keys: list[SupplierKeyIn] = Field(default_factory=list, max_length=20)


class SupplierKeyPublic(BaseModel):
    keyid: str
    public_key: str = Field(description="base64 of the raw 32-byte Ed25519 key")
    added_at: datetime
    revoked_at: datetime | None
    active: bool


class SupplierPublic(BaseModel):
    id: UUID
    name: str
    country: str
    contact: str | None
    keys: list[SupplierKeyPublic]
    version: int
    position: int | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None, **_: Any) -> Self:
        return cls(**view, position=position)


# ---- RFQs -------------------------------------------------------------------------
class RfqCreate(_Input):
    item: Text = Field(description="The material or accessory; case and spacing do not count")
    quantity: PositiveDecimal
    unit: Unit
    spec: OptionalText = None
    required_by: IsoDate
    order_id: UUID | None = Field(None, description="The customer order it is for, if any")


class QuoteIn(_Input):
    supplier_id: UUID
    unit_price: DecimalString = Field(description="Per `unit` of the RFQ, in `currency`")
    currency: CurrencyCode
    lead_time_days: Annotated[StrictInt, Field(ge=0, le=3650)]
    moq: PositiveDecimal | None = None
    valid_until: IsoDate | None = None
    landed_cost_per_unit: DecimalString | None = Field(
        None, description="Freight, duty and the like per unit, in `currency`; default 0")


class AwardIn(_Input):
    quote_id: UUID
    reason: OptionalText = None


class QuotePublic(BaseModel):
    quote_id: str
    supplier_id: UUID
    supplier_name: str
    unit_price: str
    currency: str
    landed_cost_per_unit: str
    landed_unit_price: str | None = Field(
        description="unit price + landed cost, in the comparison currency; null without a rate")
    lead_time_days: int
    moq: str | None
    valid_until: date | None
    expired: bool
    price_rank: int | None
    lead_time_rank: int
    received_at: datetime


class RfqPublic(BaseModel):
    id: UUID
    item: str
    quantity: str
    unit: str
    spec: str | None
    required_by: date
    order_id: UUID | None
    requested_by: str
    supplier_count: int
    awarded: dict[str, Any] | None
    comparison_currency: str | None
    quotes: list[QuotePublic] = Field(description="Ranked by landed unit price")
    version: int
    position: int | None = None
    quote_id: str | None = Field(None, description="The quote a command just recorded")

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None, **extra: Any) -> Self:
        return cls(**jsonable(view), position=position, **extra)


# ---- purchase orders --------------------------------------------------------------
class PoLineIn(_Input):
    line_no: LineNo
    item: Text
    quantity: PositiveDecimal
    unit: Unit
    unit_price: DecimalString = Field(description="Up to 6 decimals (0.0125 a button)")
    delivery_date: IsoDate

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "quantity": Decimal(self.quantity),
                "unit_price": Decimal(self.unit_price)}


class PurchaseOrderCreate(_Input):
    supplier_id: UUID
    order_id: UUID | None = Field(None, description="The customer order it serves")
    rfq_id: UUID | None = Field(None, description="The awarded RFQ that covers new items (G8)")
    currency: CurrencyCode
    terms: OptionalText = Field(None, description="Payment and delivery terms, as text")
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)
    waiver_reason: OptionalText = Field(
        None, description="A supervisor's or manager's G8 waiver for new items")


class AmendmentIn(_Input):
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)
    terms: OptionalText = None
    reason: OptionalText = None


class CounterAnswerIn(_Input):
    decision: Literal["accept", "reject"]
    reason: OptionalText = None


class ReasonIn(_Input):
    reason: LongText


class ReceiptLineIn(_Input):
    line_no: LineNo
    received: PositiveDecimal
    accepted: DecimalString
    unit_price_invoiced: DecimalString
    partial: StrictBool = Field(False, description="More of this line is still to come: "
                                                   "shortness is not judged yet")


class ReceiptIn(_Input):
    received_on: IsoDate | None = Field(None, description="Default: today (UTC)")
    delivery_note: Reference | None = None
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)


class InvoiceLineIn(_Input):
    line_no: LineNo
    quantity: PositiveDecimal
    unit_price: DecimalString


class InvoiceIn(_Input):
    invoice_no: Reference
    invoice_date: IsoDate
    due_date: IsoDate | None = None
    currency: CurrencyCode
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)


class AdjustmentIn(_Input):
    reason: Literal[ADJUSTMENT_REASONS]  # type: ignore[valid-type]
    amount: PositiveDecimal
    note: OptionalText = None


class SupplierPaymentIn(_Input):
    amount: DecimalString = Field(description="Paid; with the adjustments, what it settles")
    currency: CurrencyCode
    paid_on: IsoDate
    reference: Text
    invoice_no: Reference | None = None
    adjustments: list[AdjustmentIn] = Field(default_factory=list, max_length=20)


# ---- what a purchase order holds, as clients read it ---------------------------
# Quantities and prices are decimal strings as entered; amounts in the
# currency's minor units. ``content`` is kept to strings and integers: it is
# what the supplier hashes (RFC 8785) and signs.
class PoContentLine(BaseModel):
    # forbid: a key the domain adds to `content` and this model forgot would
    # be dropped from the answer and break every supplier's hash. It fails
    # loudly (and in the tests) instead.
    model_config = ConfigDict(extra="forbid")

    line_no: int
    item: str
    quantity: str
    unit: str
    unit_price: str
    amount: str
    delivery_date: str = Field(description="YYYY-MM-DD")


class PoContent(BaseModel):
    model_config = ConfigDict(extra="forbid")  # see PoContentLine

    purchase_order_id: str
    revision: int
    supplier_id: str
    order_id: str | None
    currency: str
    terms: str | None
    lines: list[PoContentLine]
    total: str


class PoLinePublic(PoContentLine):
    """A line of the current revision (a draft's too), its date as a date."""

    delivery_date: date  # type: ignore[assignment]


class SentRevision(BaseModel):
    revision: int
    content_hash: str
    sent_at: datetime


class CounterLine(BaseModel):
    line_no: int
    decision: Literal["accept", "reject", "counter"]
    quantity: str | None
    unit_price: str | None
    delivery_date: date | None


class CounterProposal(BaseModel):
    revision: int
    lines: list[CounterLine]
    at: datetime


class Acknowledgement(BaseModel):
    type: Literal["signed_back", "countered"]
    revision: int
    at: datetime


class DeliveryNoteLine(BaseModel):
    line_no: int
    quantity: str
    shipped_on: date | None
    expected_on: date | None


class DeliveryNote(BaseModel):
    delivery_note_id: str
    reference: str
    lines: list[DeliveryNoteLine]
    keyid: str
    at: datetime


class ReceiptLine(BaseModel):
    line_no: int
    item: str
    ordered: str
    po_unit_price: str
    delivery_date: date
    received: str
    accepted: str
    rejected: str
    unit_price_invoiced: str
    partial: bool
    total_received: str
    total_accepted: str
    late: bool
    issues: list[Literal["over", "short", "price_above_po", "late"]]


class Receipt(BaseModel):
    receipt_id: str
    received_on: date
    delivery_note: str | None
    lines: list[ReceiptLine]
    at: datetime
    by: str


class InvoiceLine(BaseModel):
    line_no: int
    quantity: str
    unit_price: str
    amount: str


class MatchLine(BaseModel):
    line_no: int
    po_unit_price: str
    unit_price: str
    quantity: str
    accepted_not_invoiced: str
    issues: list[Literal["price_above_po", "quantity_above_received", "not_received"]]


class InvoiceMatch(BaseModel):
    status: Literal["matched", "mismatch"]
    lines: list[MatchLine]


class Invoice(BaseModel):
    invoice_id: str
    invoice_no: str
    invoice_date: date
    due_date: date | None
    total: str
    match: InvoiceMatch
    lines: list[InvoiceLine]


class Adjustment(BaseModel):
    reason: Literal[ADJUSTMENT_REASONS]  # type: ignore[valid-type]
    note: str | None
    amount: str


class SupplierPayment(BaseModel):
    payment_id: str
    amount: str
    paid_on: date
    reference: str
    invoice_no: str | None
    adjustments: list[Adjustment]


def _money_fields(view: dict[str, Any]) -> dict[str, Any]:
    currency = view["currency"]
    return {k: format(quantize_money(view[k], currency), "f")
            for k in ("total", "invoiced", "paid", "adjusted", "outstanding")}


class PurchaseOrderPublic(BaseModel):
    id: UUID
    supplier_id: UUID
    order_id: UUID | None
    rfq_id: UUID | None
    state: Literal[PO_STATES]  # type: ignore[valid-type]
    revision: int
    placed: bool = Field(description="G7: the current revision is signed back")
    signed_revision: int | None
    currency: str
    terms: str | None
    lines: list[PoLinePublic]
    total: str
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
    invoiced: str
    paid: str
    adjusted: str
    outstanding: str
    alerts: list[AlertPublic]
    version: int
    position: int | None = None
    revision_sent: int | None = Field(None, description="On a send: the revision sent")
    result: str | None = Field(None, description="On an invoice: matched or mismatch")
    receipt_id: str | None = Field(None, description="On a receipt: its id")

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        data = jsonable({k: v for k, v in view.items()
                         if k not in ("total", "invoiced", "paid", "adjusted", "outstanding")})
        return cls(**data, **_money_fields(view), position=position, **extra)


# ---- the supplier portal -----------------------------------------------------------
class AcknowledgementLineIn(_Input):
    line_no: LineNo
    decision: Literal["accept", "reject", "counter"]
    quantity: PositiveDecimal | None = Field(None, description="counter only")
    unit_price: DecimalString | None = Field(None, description="counter only")
    delivery_date: IsoDate | None = Field(None, description="counter only")


class AcknowledgementIn(_Input):
    revision: StrictInt = Field(ge=1)
    content_hash: ContentHash
    lines: list[AcknowledgementLineIn] = Field(min_length=1, max_length=500)


class DeliveryNoteLineIn(_Input):
    line_no: LineNo
    quantity: PositiveDecimal
    shipped_on: IsoDate | None = None
    expected_on: IsoDate | None = Field(None, description="Expected arrival")


class DeliveryNoteIn(_Input):
    reference: Reference = Field(description="The supplier's delivery note number")
    lines: list[DeliveryNoteLineIn] = Field(min_length=1, max_length=500)


class SupplierPurchaseOrderPublic(BaseModel):
    """A PO as its supplier sees it: the latest revision sent to it."""

    id: UUID
    revision: int
    status: Literal["awaiting_signature", "signed", "countered", "revision_in_preparation",
                    "cancelled"]
    content: PoContent = Field(description="What the supplier signs: recompute "
                                           "`content_hash` from it (RFC 8785, SHA-256)")
    content_hash: str
    sent_at: datetime
    signed_revision: int | None
    counter_proposal: CounterProposal | None
    delivery_notes: list[DeliveryNote]
    position: int | None = None
    result: str | None = None
    delivery_note_id: str | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None,
                  **extra: Any) -> Self:
        return cls(**jsonable(view), position=position, **extra)


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
