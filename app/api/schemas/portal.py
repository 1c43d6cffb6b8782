"""The supplier portal: what a supplier signs and sends (an acknowledgement
of a revision, a delivery note) and a PO as its supplier sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from app.api.fields import (
    ContentHash,
    DecimalString,
    IsoDate,
    LineDecision,
    LineNo,
    PositiveDecimal,
    Reference,
    SupplierStatus,
)
from app.api.schemas.common import Input
from app.api.schemas.purchase_order_parts import (
    CounterProposal,
    DeliveryNote,
    PoContent,
)
from app.application.feed import jsonable


class AcknowledgementLineIn(Input):
    line_no: LineNo
    decision: LineDecision
    quantity: PositiveDecimal | None = Field(None, description="counter only")
    unit_price: DecimalString | None = Field(None, description="counter only")
    delivery_date: IsoDate | None = Field(None, description="counter only")


class AcknowledgementIn(Input):
    revision: StrictInt = Field(ge=1)
    content_hash: ContentHash
    lines: list[AcknowledgementLineIn] = Field(min_length=1, max_length=500)


class DeliveryNoteLineIn(Input):
    line_no: LineNo
    quantity: PositiveDecimal
    shipped_on: IsoDate | None = None
    expected_on: IsoDate | None = Field(None, description="Expected arrival")


class DeliveryNoteIn(Input):
    reference: Reference = Field(description="The supplier's delivery note number")
    lines: list[DeliveryNoteLineIn] = Field(min_length=1, max_length=500)


class SupplierPurchaseOrderPublic(BaseModel):
    """A PO as its supplier sees it: the latest revision sent to it."""

    id: UUID
    revision: int
    status: SupplierStatus
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
