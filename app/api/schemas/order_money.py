"""An order from costing to shipment: cost analysis and margin approval
(G2), payments, shipment and its balance waiver (G4). The routes answer
``orders.OrderPublic``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, Field, model_validator

from app.api.fields import (
    MAX_AMOUNT,
    CountryCode,
    CurrencyCode,
    DecimalString,
    DecimalText,
    IsoDate,
    LongText,
    PaymentKind,
    PositiveDecimal,
    Text,
    plain_map,
)
from app.api.schemas.common import Input


class CostIn(Input):
    item: Text
    amount: DecimalString = Field(description="In `currency`, at most its minor units")
    currency: CurrencyCode

    def as_domain(self) -> dict[str, Any]:
        return {"item": self.item, "amount": Decimal(self.amount), "currency": self.currency}


class CostAnalysisIn(Input):
    costs: list[CostIn] = Field(max_length=200)
    fx_rates: dict[CurrencyCode, PositiveDecimal] = Field(
        default_factory=dict, max_length=50,
        description="Rate from each cost currency into the order currency",
        # Keys as propertyNames, not patternProperties (fields.plain_map).
        json_schema_extra=plain_map,
    )

    @model_validator(mode="after")
    def _converted_amounts_fit(self) -> Self:
        for n, cost in enumerate(self.costs):
            if Decimal(cost.amount) * Decimal(self.fx_rates.get(cost.currency, "1")) >= MAX_AMOUNT:
                raise ValueError(f"costs.{n}: amount x rate must stay below 10^15")
        return self

    def rates(self) -> dict[str, Decimal]:
        return {code: Decimal(rate) for code, rate in self.fx_rates.items()}


class MarginApprovalIn(Input):
    reason: LongText


class PaymentIn(Input):
    kind: PaymentKind
    amount: PositiveDecimal
    currency: CurrencyCode = Field(description="Must be the order's currency")
    received_on: IsoDate
    reference: Text = Field(description="Bank reference of the remittance")


class ShipmentWithoutBalanceIn(Input):
    reason: LongText


class ShipmentIn(Input):
    shipped_on: IsoDate
    carrier: Text
    transport_document: Text = Field(description="B/L, AWB or CMR number")


class LetterOfCreditTerms(Input):
    """An L/C's terms as the bank's advice states them (amended: restated)."""

    issuing_bank: Text
    issuing_bank_country: CountryCode
    confirming_bank: Text | None = Field(None, description="With its country, or neither")
    confirming_bank_country: CountryCode | None = Field(
        None, description="A Nigerian bank's credit is confirmed in a third country (G3, G4)")
    amount: PositiveDecimal = Field(description="In `currency`: covers the balance due (G4)")
    currency: CurrencyCode = Field(description="The order's currency, for G4 to count it")
    latest_shipment_date: IsoDate = Field(description="G4: no shipment after it")
    expiry_date: IsoDate = Field(description="Not before the latest shipment date")
    presentation_days: int = Field(
        ge=1, le=21, description="Days after shipment to present the documents (UCP 600: 21)")

    def as_domain(self) -> dict[str, Any]:
        return {**self.model_dump(), "amount": Decimal(self.amount)}


class LetterOfCreditIn(LetterOfCreditTerms):
    number: Text = Field(description="The credit's number, as the bank gives it")


class LetterOfCreditPublic(BaseModel):
    number: str
    issuing_bank: str
    issuing_bank_country: str
    confirming_bank: str | None
    confirming_bank_country: str | None
    amount: DecimalText
    currency: str
    latest_shipment_date: date
    expiry_date: date
    presentation_days: int
    amendments: int = Field(description="How many amendments were recorded")
