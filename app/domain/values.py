"""Value objects of an order, kept as plain dicts of Decimals, dates and
strings so that events and snapshots transcode without custom classes.

Each ``parse_*`` function validates one input and returns its canonical
form, raising ``InvalidValue`` (422) naming the offending field.
``decimal_text`` and ``utc_text`` are how a figure and an instant are
written as text, the same in events, read models and answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from app.domain import reference
from app.domain.errors import InvalidValue


@dataclass(frozen=True)
class Actor:
    """Who runs a command: recorded on every event."""

    sub: str
    role: str


@dataclass(frozen=True)
class Policy:
    """The configurable thresholds the gates compare against."""

    margin_threshold: Decimal = Decimal("0.05")
    large_amounts: dict[str, Decimal] = field(default_factory=dict)
    # Received quantity may differ from the PO by this fraction (both ways)
    # before it raises an alert (issue 4: default ±3 %).
    receipt_tolerance: Decimal = Decimal("0.03")
    # The company's own country (G3): a Nigerian L/C's confirming bank must
    # be in a third country, neither Nigeria nor this one.
    company_country: str = "CN"
    # A PO line for a customer order is due at least this many days before
    # the order's ex-factory date, or its send raises an alert (issue 10 §8).
    po_lead_days: int = 7
    # Progress behind the plan by more than this many days of output raises
    # ``progress_behind_plan`` (issue 11: default one day's capacity).
    progress_behind_days: Decimal = Decimal(1)
    # A critical AQL of 0 inspects the whole lot instead of the smallest
    # AQL's plan (issue 12: "or 100 % if the company chooses").
    critical_full_inspection: bool = False

    def is_large(self, amount: Decimal, currency: str) -> bool:
        # A currency without a configured threshold counts as large (safe side).
        limit = self.large_amounts.get(currency)
        return limit is None or amount > limit


# What a decimal may look like as text: ASCII digits only. Decimal() also takes
# any Unicode digit ("١٢", "１２"), "1_000" and surrounding blanks, which would
# reach events and read models as figures nobody typed.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = frozenset({"inf", "infinity", "nan", "snan"})


def parse_decimal(value: Any, field_name: str) -> Decimal:
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        if value.lower().lstrip("+-") in _NOT_FINITE:
            raise InvalidValue(field_name, "must be a finite number")
        raise InvalidValue(field_name, f"{value!r} is not a decimal number")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValue(field_name, f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise InvalidValue(field_name, "must be a finite number")
    return number


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text: "1000", never "1E+3" (a supplier hashes the
    PO's text, and the read models and answers show figures so)."""
    return format(value, "f")


# Cached: the projections format the same event's timestamp several times
# (board row, its alerts, the audit trail); equal instants give equal text
# whatever their zone, so a cache hit is always right.
@lru_cache(maxsize=1024)
def utc_text(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds always: fixed width, so the text sorts
    as the time does (read-model columns, idempotency records)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _money(amount: Decimal, currency: str, field_name: str) -> Decimal:
    """Rounded to minor units; an amount beyond any real trade is invalid."""
    try:
        return reference.quantize_money(amount, currency)
    except ValueError:
        raise InvalidValue(field_name, "the amount is too large") from None


def parse_currency(code: str, field_name: str = "currency") -> str:
    if reference.currency_minor_units(code) is None:
        raise InvalidValue(field_name, f"{code!r} is not an ISO 4217 currency with minor units")
    return code


def parse_country(code: str, field_name: str = "country") -> str:
    if reference.region_of(code) is None:
        raise InvalidValue(field_name, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def parse_money(amount: Decimal, currency: str, field_name: str) -> Decimal:
    if amount <= 0:
        raise InvalidValue(field_name, "must be greater than zero")
    if not reference.has_valid_minor_units(amount, currency):
        units = reference.currency_minor_units(currency)
        raise InvalidValue(field_name, f"{currency} amounts have at most {units} decimals")
    return amount


def parse_payment_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """Canonical terms: method, deposit_percent, and the L/C bank countries."""
    method = terms["method"]
    if method not in reference.PAYMENT_METHODS:
        allowed = ", ".join(sorted(reference.PAYMENT_METHODS))
        raise InvalidValue("payment_terms.method", f"{method!r} is not one of {allowed}")
    deposit = parse_decimal(terms.get("deposit_percent") or 0, "payment_terms.deposit_percent")
    if not Decimal(0) <= deposit <= Decimal(100):
        raise InvalidValue("payment_terms.deposit_percent", "must be between 0 and 100")
    issuing = terms.get("issuing_bank_country")
    confirming = terms.get("confirming_bank_country")
    if method == "LC":
        if not issuing:
            raise InvalidValue(
                "payment_terms.issuing_bank_country", "an L/C needs its issuing bank's country"
            )
        parse_country(issuing, "payment_terms.issuing_bank_country")
        if confirming:
            parse_country(confirming, "payment_terms.confirming_bank_country")
    elif issuing or confirming:
        raise InvalidValue(
            "payment_terms.method", "bank countries are only for method LC"
        )
    return {
        "method": method,
        "deposit_percent": deposit,
        "issuing_bank_country": issuing,
        "confirming_bank_country": confirming,
    }


def parse_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Lines with their amount (quantity x unit price, rounded to the
    currency's minor units, half up as invoices are)."""
    if not lines:
        raise InvalidValue("lines", "an order needs at least one line")
    parsed = []
    for n, line in enumerate(lines):
        quantity = parse_decimal(line["quantity"], f"lines.{n}.quantity")
        unit_price = parse_decimal(line["unit_price"], f"lines.{n}.unit_price")
        if quantity <= 0:
            raise InvalidValue(f"lines.{n}.quantity", "must be greater than zero")
        if unit_price <= 0:
            raise InvalidValue(f"lines.{n}.unit_price", "must be greater than zero")
        amount = _money(quantity * unit_price, currency, f"lines.{n}")
        if amount == 0:  # the margin divides by the total
            raise InvalidValue(f"lines.{n}", f"the line amount rounds to zero {currency}")
        parsed.append(
            {
                "line_no": n + 1,
                "sku": line["sku"],
                "description": line.get("description") or "",
                "quantity": quantity,
                "unit": line["unit"],
                "unit_price": unit_price,
                "amount": amount,
            }
        )
    return parsed


def parse_costs(
    costs: list[dict[str, Any]], fx_rates: dict[str, Decimal], currency: str
) -> tuple[list[dict[str, Any]], Decimal]:
    """Costs converted into the order currency, and their total."""
    parsed, total = [], Decimal(0)
    for n, cost in enumerate(costs):
        cur = parse_currency(cost["currency"], f"costs.{n}.currency")
        amount = parse_decimal(cost["amount"], f"costs.{n}.amount")
        if amount < 0:
            raise InvalidValue(f"costs.{n}.amount", "must not be negative")
        if not reference.has_valid_minor_units(amount, cur):
            raise InvalidValue(f"costs.{n}.amount", f"too many decimals for {cur}")
        if cur == currency:
            rate = Decimal(1)
        elif cur in fx_rates:
            rate = parse_decimal(fx_rates[cur], f"fx_rates.{cur}")
            if rate <= 0:
                raise InvalidValue(f"fx_rates.{cur}", "must be greater than zero")
        else:
            raise InvalidValue(f"fx_rates.{cur}", f"no rate from {cur} into {currency}")
        converted = _money(amount * rate, currency, f"costs.{n}")
        parsed.append(
            {"item": cost["item"], "amount": amount, "currency": cur, "rate": rate,
             "converted": converted}
        )
        total += converted
    return parsed, total
