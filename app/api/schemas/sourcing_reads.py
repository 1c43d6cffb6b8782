"""Answers of the sourcing reads (suppliers, the PO board, the
supplier portal's list, supplier performance, payables).

Amounts are decimal strings with the currency's minor units ("2550.00");
quantities and unit prices decimal strings as recorded ("1000", "0.1250");
rates decimal strings with four places ("0.9500"); dates ISO 8601, times UTC.
A supplier in the list is the read model's row (its fields are declared once,
in app/projections/tables.py); the other answers are not, and that module
says why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.fields import DecimalText, PurchaseOrderState, Severity, SupplierStatus
from app.api.schemas.common import AlertPublic, Amount
from app.api.schemas.reads import HasMore
from app.projections.tables import SupplierBase

Quantity = Field(description="Decimal string", examples=["1000"],
                 json_schema_extra={"format": "decimal"})
Rate = Field(description="A fraction as a decimal string with 4 places; null when nothing "
                         "was measured yet", examples=["0.9500"])


# The rm_suppliers row without its position (SQLModel's "multiple models").
# No docstring: OpenAPI would add it to the component as a description.
class SupplierListItem(SupplierBase):
    pass


class SuppliersPage(BaseModel):
    data: list[SupplierListItem]
    next_cursor: str | None
    has_more: bool = HasMore


class PurchaseOrderRowLine(BaseModel):
    """A line of the current revision with what was received against it."""

    line_no: int
    item: str
    quantity: DecimalText = Quantity
    unit: str
    unit_price: DecimalText = Field(description="Decimal string, up to 6 places", examples=["0.125"])
    amount: DecimalText = Amount
    delivery_date: date
    received: DecimalText = Field(description="Total received so far (decimal string)")
    accepted: DecimalText = Field(description="Total accepted so far (decimal string)")
    complete: bool = Field(description="A receipt closed the line (not partial) or all of "
                                       "it was accepted")


class PurchaseOrderRow(BaseModel):
    """One purchase order on the PO board."""

    id: UUID
    supplier_id: UUID
    supplier_name: str | None
    order_id: UUID | None = Field(description="The customer order it serves")
    currency: str
    state: PurchaseOrderState
    revision: int = Field(description="The current revision")
    signed: bool = Field(description="Placed: the current revision is signed back (G7)")
    signed_revision: int | None = Field(description="The latest revision signed back")
    sent_revision: int | None = Field(description="The latest revision sent")
    content_hash: str | None = Field(description="SHA-256 of the latest revision sent")
    sent_at: datetime | None = Field(
        description="When the current revision was sent; null while it is in preparation")
    due_date: date = Field(description="The earliest delivery date of the current lines")
    overdue: bool = Field(description="Past its due date, not every line received, "
                                      "not cancelled")
    total: DecimalText = Amount
    lines: list[PurchaseOrderRowLine]
    fully_received: bool
    receipts: int
    last_received_on: date | None
    invoiced: DecimalText = Amount
    paid: DecimalText = Amount
    adjusted: DecimalText = Field(description="Withheld from payments (late, short, quality...)",
                          examples=["7.90"])
    outstanding: DecimalText = Field(description="Invoiced - paid - adjusted", examples=["90.00"])
    alerts: list[AlertPublic]
    created_at: datetime
    updated_at: datetime
    position: int = Field(description="Global position of the last event applied to this row")


class PurchaseOrderRowsPage(BaseModel):
    data: list[PurchaseOrderRow]
    next_cursor: str | None
    has_more: bool = HasMore


class SupplierPortalPurchaseOrder(BaseModel):
    """A PO as its supplier sees it in its list: the latest revision sent."""

    id: UUID
    revision: int = Field(description="The latest revision sent to you")
    status: SupplierStatus
    content_hash: str
    sent_at: datetime
    due_date: date = Field(description="The earliest delivery date of that revision")
    currency: str
    total: DecimalText = Amount


class SupplierPortalPurchaseOrdersPage(BaseModel):
    data: list[SupplierPortalPurchaseOrder]
    next_cursor: str | None
    has_more: bool = HasMore


class UnsignedPurchaseOrder(BaseModel):
    id: UUID
    revision: int
    state: Literal["sent", "countered"]
    sent_at: datetime
    age_days: int = Field(description="Whole days since the revision was sent")


class SupplierItemQuality(BaseModel):
    """One item the supplier makes (the item of its POs' lots): the ISO
    2859-1 severity its next lot is inspected under, and its incoming lots."""

    item: str
    severity: Severity
    severity_reason: str
    discontinued: bool = Field(description="Inspection discontinued (5 lots not accepted on "
                                           "tightened) until a supervisor resumes it")
    incoming_lots: int
    rejected_lots: int
    rejection_rate: DecimalText | None = Rate
    rejected_quantity: DecimalText = Quantity


class SupplierPerformance(BaseModel):
    """How a supplier delivers. A line *due received* is a receipt line that
    completes its PO line (not partial); on time unless received after the
    line's delivery date. ``fill_rate`` is accepted / ordered over those
    lines. ``price_deviations`` counts receipt lines invoiced above the PO
    price, ``invoice_price_deviations`` supplier invoice lines above it."""

    supplier_id: UUID
    supplier_name: str
    country: str
    receipts: int
    lines_due_received: int
    lines_on_time: int
    on_time_rate: DecimalText | None = Rate
    ordered_quantity: DecimalText = Quantity
    accepted_quantity: DecimalText = Quantity
    fill_rate: DecimalText | None = Rate
    rejected_quantity: DecimalText = Quantity
    short_deliveries: int
    over_deliveries: int = Field(description="Receipt lines that brought a line beyond the "
                                             "tolerance")
    price_deviations: int
    invoice_price_deviations: int
    counter_proposals: int
    alerts_raised: int = Field(description="Alerts ever raised on its POs")
    open_alerts: int = Field(description="Alerts open on its POs now")
    purchase_orders_sent: int
    purchase_orders_signed: int = Field(description="POs signed back at least once")
    purchase_orders_placed: int = Field(description="POs whose current revision is signed back")
    unsigned_purchase_orders: list[UnsignedPurchaseOrder] = Field(
        description="Sent or countered and not signed back, oldest first")
    incoming_lots: int = Field(description=(
        "Lots of its deliveries inspected on arrival (an original inspection per lot; "
        "re-inspections are not counted again)"))
    rejected_lots: int = Field(description="Of which failed: rejected")
    rejection_rate: DecimalText | None = Rate
    rejected_lot_quantity: DecimalText = Field(
        description="Quantities the rejected lots took back off its POs", examples=["1000"])
    quality_by_item: list[SupplierItemQuality] = Field(description=(
        "Per item, by name: its switching severity (ISO 2859-1 clause 9) and incoming lots"))
    position: int


class PayableTotals(BaseModel):
    currency: str
    purchase_orders: int
    invoiced: DecimalText = Amount
    paid: DecimalText = Amount
    adjusted: DecimalText = Amount
    outstanding: DecimalText = Amount


class SupplierPayables(PayableTotals):
    supplier_id: UUID
    supplier_name: str | None


class Payables(BaseModel):
    """What is owed to suppliers (cancelled POs count what was invoiced or paid)."""

    suppliers: list[SupplierPayables]
    currencies: list[PayableTotals]
    position: int = Field(description="Global position the totals include")
