"""The value types of the HTTP inputs: decimal strings, ISO codes and
dates, bounded text, and the enums taken from the domain's reference data.

A JSON number is refused wherever money, a quantity, a price, a rate or a
percent is expected: it would pass through a float in most clients and lose
cents. The models of ``app.api.schemas`` are built from these types.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictInt,
    StringConstraints,
)

from app.domain import reference
from app.domain.order import SAMPLE_STAGES, STATES
from app.domain.purchase_order import PO_STATES

# 15 integer digits cover any trade amount; 10 decimals any unit price or rate.
# [0-9], not \d: pydantic's \d (Rust regex) is Unicode and takes "١٢" and "１２".
_DECIMAL = r"^[0-9]{1,15}(\.[0-9]{1,10})?$"
# Products (quantity x price, cost x rate) must fit the same 15 digits; the
# domain's rounding of a larger product would overflow its decimal context.
MAX_AMOUNT = Decimal(10) ** 15
_PERCENT = r"^[0-9]{1,3}(\.[0-9]{1,4})?$"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 date-time, what OpenAPI's `format: date-time` means.
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)


def _positive(value: str) -> str:
    if Decimal(value) <= 0:
        raise ValueError("must be greater than zero")
    return value


def _iso_date_only(value: Any) -> Any:
    # Lax pydantic would take a Unix timestamp or a datetime string as a date.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be an ISO 8601 date string, YYYY-MM-DD")
    return value


def _iso_datetime_only(value: Any) -> Any:
    # Lax pydantic would take "0.5" (a Unix timestamp) as a datetime.
    if isinstance(value, str) and not _ISO_DATETIME.fullmatch(value):
        raise ValueError("must be an ISO 8601 date-time with a UTC offset")
    return value


DecimalString = Annotated[str, StringConstraints(pattern=_DECIMAL), Field(examples=["0.00"])]
PositiveDecimal = Annotated[
    str, StringConstraints(pattern=_DECIMAL), AfterValidator(_positive),
    Field(examples=["12500.00"]),
]
Percent = Annotated[str, StringConstraints(pattern=_PERCENT), Field(examples=["30"])]
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime_only)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(examples=["USD"])]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), Field(examples=["DE"])]
# Control characters other than tab and line breaks are refused: PostgreSQL
# text cannot hold NUL, and a read model must never choke on an event.
_PRINTABLE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"


def _text(max_length: int, min_length: int = 1) -> Any:
    """Text with surrounding blanks dropped, so "   " counts as missing."""
    return Annotated[str, StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_PRINTABLE,
    )]


Text = _text(200)
LongText = _text(2000)
OptionalText = _text(2000, min_length=0) | None
Reference = _text(100)
EvidenceRef = _text(500)
Sku = _text(100)
Unit = _text(20)

# Sourcing: a PO line's number, what a supplier signs with and signs.
LineNo = Annotated[StrictInt, Field(ge=1, le=100_000)]
ContentHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$",
                                   description="Lowercase hex SHA-256 of the RFC 8785 JSON "
                                               "of the revision's `content`")]
PublicKey = Annotated[str, Field(min_length=40, max_length=1000, description=(
    "Ed25519 public key: PEM (`-----BEGIN PUBLIC KEY-----`) or base64 of the raw 32 bytes"))]
# RFC 3986's unreserved characters: a keyid travels as an RFC 8941 string in
# Signature-Input (no quote or backslash to escape) and bare in the path of
# revokeSupplierKey (nothing to percent-encode). The domain checks the same.
KeyId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._~-]+$",
                             examples=["acme-2026"])]

# Built from the domain's reference data, so the schema's enums never drift
# from what the aggregate accepts.
PaymentMethod = Literal[tuple(sorted(reference.PAYMENT_METHODS))]  # type: ignore[valid-type]
Incoterm = Literal[tuple(sorted(reference.INCOTERMS_2020))]  # type: ignore[valid-type]
SampleStage = Literal[SAMPLE_STAGES]  # type: ignore[valid-type]
OrderState = Literal[STATES + ("cancelled",)]  # type: ignore[valid-type]
PurchaseOrderState = Literal[PO_STATES]  # type: ignore[valid-type]
# A PO as its supplier sees it: where its latest revision sent stands.
SupplierStatus = Literal["awaiting_signature", "signed", "countered", "revision_in_preparation",
                         "cancelled"]
