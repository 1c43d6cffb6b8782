"""What a purchase order holds, as clients read it: the revision sent (what
the supplier hashes and signs), acknowledgements, delivery notes, receipts,
invoices and payments. Staff read them in ``purchase_orders``, suppliers
in ``portal``.

Quantities and prices are decimal strings as entered; amounts in the
currency's minor units. ``content`` is kept to strings and integers: it is
what the supplier hashes (RFC 8785) and signs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.fields import AdjustmentReason, DecimalText, LineDecision


class PoContentLine(BaseModel):
    # forbid: a key the domain adds to `content` and this model forgot would
    # be dropped from the answer and break every supplier's hash. It fails
    # loudly (and in the tests) instead.
    model_config = ConfigDict(extra="forbid")

    line_no: int
    item: str
    quantity: DecimalText
    unit: str
    unit_price: DecimalText
    amount: DecimalText
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
    total: DecimalText


class PoLinePublic(PoContentLine):
    """A line of the current revision (a draft's too), its date as a date."""

    delivery_date: date  # type: ignore[assignment]


class SentRevision(BaseModel):
    revision: int
    content_hash: str
    sent_at: datetime


class CounterLine(BaseModel):
    line_no: int
    decision: LineDecision
    quantity: DecimalText | None
    unit_price: DecimalText | None
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
    quantity: DecimalText
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
    ordered: DecimalText
    po_unit_price: DecimalText
    delivery_date: date
    received: DecimalText
    accepted: DecimalText
    rejected: DecimalText
    unit_price_invoiced: DecimalText
    partial: bool
    total_received: DecimalText
    total_accepted: DecimalText
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
    quantity: DecimalText
    unit_price: DecimalText
    amount: DecimalText


class MatchLine(BaseModel):
    line_no: int
    po_unit_price: DecimalText
    unit_price: DecimalText
    quantity: DecimalText
    accepted_not_invoiced: DecimalText
    issues: list[Literal["price_above_po", "quantity_above_received", "not_received"]]


class InvoiceMatch(BaseModel):
    status: Literal["matched", "mismatch"]
    lines: list[MatchLine]


class Invoice(BaseModel):
    invoice_id: str
    invoice_no: str
    invoice_date: date
    due_date: date | None
    total: DecimalText
    match: InvoiceMatch
    lines: list[InvoiceLine]


class Adjustment(BaseModel):
    reason: AdjustmentReason
    note: str | None
    amount: DecimalText


class SupplierPayment(BaseModel):
    payment_id: str
    amount: DecimalText
    paid_on: date
    reference: str
    invoice_no: str | None
    adjustments: list[Adjustment]
