from __future__ import annotations

from decimal import Decimal

import pycountry
import pytest

from app.domain.reference import (
    INCOTERMS_2020,
    PAYMENT_METHODS,
    REGIONS,
    SAFE_LARGE_AMOUNT_METHODS,
    currency_minor_units,
    has_valid_minor_units,
    quantize_money,
    region_of,
)


def test_every_assigned_country_has_exactly_one_region() -> None:
    from app.domain.reference import _REGION_CODES

    assert set(_REGION_CODES) == set(REGIONS)
    codes = [c for region in _REGION_CODES.values() for c in region]
    assert len(codes) == len(set(codes)), "a code is in two regions"
    assert set(codes) == {c.alpha_2 for c in pycountry.countries}
    for country in pycountry.countries:
        assert region_of(country.alpha_2) in REGIONS


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("NG", "Africa"),
        ("EG", "Africa"),
        ("AE", "Middle East"),
        ("TR", "Middle East"),
        ("CY", "Middle East"),
        ("IL", "Middle East"),
        ("PS", "Middle East"),
        ("DE", "Europe"),
        ("RU", "Europe"),
        ("US", "North America"),
        ("PA", "North America"),
        ("JM", "North America"),
        ("BR", "South America"),
        ("CN", "Asia"),
        ("HK", "Asia"),
        ("AU", "Oceania"),
        ("AQ", "Oceania"),
    ],
)
def test_region_of(code: str, region: str) -> None:
    assert region_of(code) == region


@pytest.mark.parametrize("code", ["ng", "Ng", "XK", "ZZ", "", "NGA", "N", "566"])
def test_region_of_rejects_non_codes(code: str) -> None:
    assert region_of(code) is None


@pytest.mark.parametrize(
    ("code", "units"),
    [("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("CNY", 2)],
)
def test_currency_minor_units(code: str, units: int) -> None:
    assert currency_minor_units(code) == units


@pytest.mark.parametrize("code", ["XAU", "XDR", "XXX", "usd", "ZZZ", "", "US"])
def test_currency_minor_units_none(code: str) -> None:
    assert currency_minor_units(code) is None


def test_incoterms_and_payment_methods() -> None:
    assert len(INCOTERMS_2020) == 11
    assert {"EXW", "FOB", "CIF", "DPU", "DDP"} <= INCOTERMS_2020
    assert "DAT" not in INCOTERMS_2020  # Incoterms 2010, replaced by DPU
    assert len(PAYMENT_METHODS) == 10
    assert SAFE_LARGE_AMOUNT_METHODS == {"CASH", "TT", "LC"}
    assert SAFE_LARGE_AMOUNT_METHODS <= PAYMENT_METHODS


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12.505", "USD", "12.51"),
        ("12.504", "USD", "12.50"),
        ("-0.125", "USD", "-0.13"),
        ("12", "USD", "12.00"),
        ("100.5", "JPY", "101"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_quantize_money(amount: str, currency: str, expected: str) -> None:
    result = quantize_money(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_quantize_money_refuses_unknown_currency_and_nan() -> None:
    with pytest.raises(ValueError):
        quantize_money(Decimal("1"), "XAU")
    with pytest.raises(ValueError):
        quantize_money(Decimal("NaN"), "USD")
    with pytest.raises(ValueError):
        quantize_money(Decimal("1E+40"), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "ok"),
    [
        ("12.50", "USD", True),
        ("12.5", "USD", True),
        ("12.500", "USD", True),
        ("12", "USD", True),
        ("12.505", "USD", False),
        ("100", "JPY", True),
        ("100.0", "JPY", True),
        ("1E+3", "JPY", True),
        ("100.5", "JPY", False),
        ("1.005", "KWD", True),
        ("1.0005", "KWD", False),
        ("1", "XAU", False),
        ("1", "ZZZ", False),
        ("NaN", "USD", False),
        ("Infinity", "USD", False),
        ("1E+40", "USD", False),
    ],
)
def test_has_valid_minor_units(amount: str, currency: str, ok: bool) -> None:
    assert has_valid_minor_units(Decimal(amount), currency) is ok
