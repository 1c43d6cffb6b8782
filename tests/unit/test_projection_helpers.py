"""The projections' fast paths give what the straightforward code gives:
minor units as quantize_money rounds them, JSON text as json.dumps writes
it, event descriptions as the isinstance() chain made them."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.reference import currency_minor_units, quantize_money
from app.application.feed import jsonable
from app.projections.bulk import _json_text
from app.projections.common import to_minor


def slow_to_minor(amount: Decimal, currency: str) -> int:
    return int(quantize_money(amount, currency).scaleb(currency_minor_units(currency) or 0))


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD", "EUR", "CLF"])
def test_to_minor_rounds_as_quantize_money(currency):
    rng = random.Random(currency)
    amounts = [Decimal(rng.randint(-10**12, 10**12)).scaleb(-rng.randint(0, 6))
               for _ in range(5000)]
    amounts += [Decimal(a) for a in ("0.125", "0.005", "-0.005", "2.5", "-2.5", "0.00049",
                                     "1E+3", "0", "-0", "999999999999.9999")]
    for amount in amounts:
        assert to_minor(amount, currency) == slow_to_minor(amount, currency), amount


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1E+40"])
def test_to_minor_refuses_what_quantize_money_refuses(amount):
    with pytest.raises(ValueError):
        to_minor(Decimal(amount), "USD")
    with pytest.raises(ValueError):
        to_minor(Decimal("1"), "XXX")


VALUES = [
    [], {}, None, "ü\n\"x\"", ["waiting for deposit"],
    {"samples_required": True, "margin": None, "paid_minor": 255000, "margin_x": 1.5},
    [{"code": "shipment_without_balance", "message": "ÄÖ 5950.00 USD", "for_role": "acc",
      "raised_at": "2027-01-01T00:00:00.000000+00:00"}],
]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_json_text_is_json_dumps(dialect):
    text = _json_text(dialect)
    for value in VALUES:
        assert text(value) == json.dumps(value)


class Money(Decimal):
    pass


def slow_jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, type(uuid4())):
        return str(value)
    if isinstance(value, dict):
        return {k: slow_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [slow_jsonable(v) for v in value]
    return value


def test_jsonable_is_the_isinstance_chain():
    value = {
        "a": Decimal("1.50"), "b": [Decimal("2"), ("x", 1, None)], "c": date(2027, 1, 2),
        "d": datetime(2027, 1, 2, 3, 4, tzinfo=timezone.utc), "e": uuid4(), "f": True,
        "g": {"h": [{"i": Money("3.0")}]}, "j": 1.25, "k": "text",
    }
    assert jsonable(value) == slow_jsonable(value)
    assert json.dumps(jsonable(value)) == json.dumps(slow_jsonable(value))
