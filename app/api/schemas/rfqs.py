"""Requests for quotation: the request, its quotes and the award (G8's
three quotes), and an RFQ with its quotes ranked as staff read it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from app.api.fields import (
    CurrencyCode,
    DecimalString,
    DecimalText,
    IsoDate,
    OptionalText,
    PositiveDecimal,
    Text,
    Unit,
)
from app.api.schemas.common import Input
from app.application.feed import jsonable


class RfqCreate(Input):
    item: Text = Field(description="The material or accessory; case and spacing do not count")
    quantity: PositiveDecimal
    unit: Unit
    spec: OptionalText = None
    required_by: IsoDate
    order_id: UUID | None = Field(None, description="The customer order it is for, if any")


class QuoteIn(Input):
    supplier_id: UUID
    unit_price: DecimalString = Field(description="Per `unit` of the RFQ, in `currency`")
    currency: CurrencyCode
    lead_time_days: Annotated[StrictInt, Field(ge=0, le=3650)]
    moq: PositiveDecimal | None = None
    valid_until: IsoDate | None = None
    landed_cost_per_unit: DecimalString | None = Field(
        None, description="Freight, duty and the like per unit, in `currency`; default 0")


class AwardIn(Input):
    quote_id: UUID
    reason: OptionalText = None


class QuotePublic(BaseModel):
    quote_id: str
    supplier_id: UUID
    supplier_name: str
    unit_price: DecimalText
    currency: str
    landed_cost_per_unit: DecimalText
    landed_unit_price: DecimalText | None = Field(
        description="unit price + landed cost, in the comparison currency; null without a rate")
    lead_time_days: int
    moq: DecimalText | None
    valid_until: date | None
    expired: bool
    price_rank: int | None
    lead_time_rank: int
    received_at: datetime


class RfqPublic(BaseModel):
    id: UUID
    item: str
    quantity: DecimalText
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
