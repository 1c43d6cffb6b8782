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

from app.api.fields import AdjustmentReason, LineDecision


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
    decision: LineDecision
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
    reason: AdjustmentReason
    note: str | None
    amount: str


class SupplierPayment(BaseModel):
    payment_id: str
    amount: str
    paid_on: date
    reference: str
    invoice_no: str | None
    adjustments: list[Adjustment]
