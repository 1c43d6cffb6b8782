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

from app.domain import quality, reference
from app.domain.order import SAMPLE_STAGES, STATES
from app.domain.purchase_order import PO_STATES
from app.domain.purchasing import ADJUSTMENT_REASONS
from app.domain.sampling import SEVERITIES
from app.domain.sampling_tables import LEVELS

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


class _Component:
    """Names a type in the contract: pydantic emits it once, as
    ``components/schemas/<name>``, and a ``$ref`` wherever it is used, so a
    generated client has one enum class where it had one per field
    (``GetBoardStateType0``, ``OrderPublicState``...). The value stays a
    plain ``str`` for the code."""

    def __init__(self, name: str):
        self.name = name

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return {**handler(source), "ref": self.name}


def named(kind: Any, name: str) -> Any:
    return Annotated[kind, _Component(name)]


def _decimal_format(schema: dict[str, Any]) -> None:
    schema["format"] = "decimal"


def plain_map(schema: dict[str, Any]) -> None:
    """A map's keys as ``propertyNames`` and its values as
    ``additionalProperties``: pydantic writes ``patternProperties`` for
    constrained keys, which openapi-python-client 0.29 turns into an empty
    model (the cost analysis lost its ``fx_rates``)."""
    patterns = schema.pop("patternProperties", None)
    if patterns:
        ((key, value),) = patterns.items()
        schema["propertyNames"] = {"pattern": key}
        schema["additionalProperties"] = value


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


# `format: decimal`: a generator or a reader knows the string is a number.
DecimalString = Annotated[str, StringConstraints(pattern=_DECIMAL), Field(
    examples=["0.00"], json_schema_extra=_decimal_format)]
PositiveDecimal = Annotated[
    str, StringConstraints(pattern=_DECIMAL), AfterValidator(_positive),
    Field(examples=["12500.00"], json_schema_extra=_decimal_format),
]
Percent = Annotated[str, StringConstraints(pattern=_PERCENT), Field(
    examples=["30"], json_schema_extra=_decimal_format)]
# An answer's decimal string (amount, quantity, price, rate, weight...):
# `format: decimal` and nothing else. No pattern: the schema says what the
# value is, it checks nothing an answer already holds (a negative difference,
# a 4-place rate), so no value the API answers changes.
DecimalText = Annotated[str, Field(json_schema_extra={"format": "decimal"})]
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
# from what the aggregate accepts; each named, so the contract holds it once.
PaymentMethod = named(Literal[tuple(sorted(reference.PAYMENT_METHODS))], "PaymentMethod")
Incoterm = named(Literal[tuple(sorted(reference.INCOTERMS_2020))], "Incoterm")
SampleStage = named(Literal[SAMPLE_STAGES], "SampleStage")
OrderState = named(Literal[STATES + ("cancelled",)], "OrderState")
PurchaseOrderState = named(Literal[PO_STATES], "PurchaseOrderState")
# A PO as its supplier sees it: where its latest revision sent stands.
SupplierStatus = named(Literal["awaiting_signature", "signed", "countered",
                               "revision_in_preparation", "cancelled"], "SupplierStatus")
PaymentKind = named(Literal["deposit", "balance", "sample_fee", "mould_fee"], "PaymentKind")
PaymentGrouping = named(Literal["currency", "customer", "kind"], "PaymentGrouping")
AdjustmentReason = named(Literal[ADJUSTMENT_REASONS], "AdjustmentReason")
# A supplier's answer to a PO line (the portal) and the buyer's to a counter.
LineDecision = named(Literal["accept", "reject", "counter"], "LineDecision")
ProductionStage = named(Literal["none", "partial", "finished"], "ProductionStage")
Risk = named(Literal["red", "amber", "green"], "Risk")
DelayCause = named(Literal["plan_error", "equipment_failure", "material_shortage",
                           "high_defect_rate", "rush_orders", "accumulated_delay", "workforce"],
                   "DelayCause")
DelayResponsible = named(Literal["factory", "supplier", "customer", "company"],
                         "DelayResponsible")
# Quality (ISO 2859-1).
InspectionLevel = named(Literal[LEVELS], "InspectionLevel")
Severity = named(Literal[SEVERITIES], "Severity")
DefectClass = named(Literal[quality.CLASSES], "DefectClass")
InspectionResult = named(Literal["passed", "failed"], "InspectionResult")
OrderInspectionStage = named(Literal[quality.ORDER_STAGES], "OrderInspectionStage")
InspectionStage = named(Literal[(*quality.PO_STAGES, *quality.ORDER_STAGES)], "InspectionStage")
