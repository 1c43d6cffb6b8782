"""The domain's own checks of odd inputs (issue 9, item 9), without HTTP:
decimal text in ASCII digits only, a PO line priced above zero, keyids
from a token charset."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.errors import InvalidValue
from app.domain.purchasing import parse_decision, parse_po_lines
from app.domain.supplier import Supplier
from app.domain.values import parse_decimal, parse_lines
from tests.unit.sourcing_builders import PURCHASER, SUPERVISOR, counter, drafted, line, sent

# A real Ed25519 public key (base64 of its raw 32 bytes), as the API passes it on.
KEY = base64.b64encode(
    Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode()


@pytest.mark.parametrize("text", [
    "١٢",  # Arabic-Indic digits
    "１２",  # fullwidth digits
    "۱۲.۵",  # Extended Arabic-Indic
    "१२",  # Devanagari
    "1_000", " 12", "12 ", "\t1", "", ".", "e3", "1e", "0x10", "½",
])
def test_decimal_text_is_ascii_digits_only(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_decimal(text, "amount")
    assert refused.value.field == "amount"


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN"])
def test_decimal_text_is_finite(text: str) -> None:
    with pytest.raises(InvalidValue, match="finite"):
        parse_decimal(text, "amount")


@pytest.mark.parametrize(("text", "value"), [
    ("12", Decimal("12")), ("0.8512", Decimal("0.8512")), ("-3.5", Decimal("-3.5")),
    ("+1", Decimal("1")), (".5", Decimal("0.5")), ("5.", Decimal("5")), ("1E+3", Decimal("1000")),
])
def test_decimal_text_as_before(text: str, value: Decimal) -> None:
    assert parse_decimal(text, "amount") == value


def test_decimals_that_are_not_text_pass_as_before() -> None:
    assert parse_decimal(Decimal("2.50"), "amount") == Decimal("2.50")
    assert parse_decimal(7, "amount") == Decimal(7)


def test_order_lines_refuse_unicode_digits() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_lines([{"sku": "A", "quantity": "１０", "unit": "m", "unit_price": "1"}], "USD")
    assert refused.value.field == "lines.0.quantity"


# ---- PO lines: unit price above zero, as order lines -----------------------------


@pytest.mark.parametrize("price", ["0", "0.000000", "0.00"])
def test_po_line_priced_zero_is_refused(price: str) -> None:
    with pytest.raises(InvalidValue, match="greater than zero") as refused:
        parse_po_lines([line(1), line(2, unit_price=price)], "USD")
    assert refused.value.field == "lines.1.unit_price"
    with pytest.raises(InvalidValue):
        drafted([line(unit_price=price)])
    # An order line is refused the same way.
    with pytest.raises(InvalidValue, match="greater than zero"):
        parse_lines([{"sku": "A", "quantity": "1", "unit": "m", "unit_price": price}], "USD")


def test_po_amendment_priced_zero_is_refused() -> None:
    po = drafted()
    with pytest.raises(InvalidValue, match="greater than zero"):
        po.amend([line(unit_price="0")], None, "free", PURCHASER)


def test_counter_proposal_priced_zero_is_refused() -> None:
    """Accepting it would make a line priced zero: refused when proposed."""
    po = sent()
    with pytest.raises(InvalidValue, match="greater than zero"):
        parse_decision(0, counter(unit_price="0"), po.lines[0])
    assert parse_decision(0, counter(unit_price="0.12"), po.lines[0])["unit_price"] == \
        Decimal("0.12")


def test_po_line_smallest_price_is_accepted() -> None:
    (parsed,) = parse_po_lines([line(unit_price="0.000001", quantity="1")], "USD")
    assert parsed["unit_price"] == Decimal("0.000001")


# ---- keyids: a token charset -------------------------------------------------------


@pytest.mark.parametrize("keyid", [
    'a"b', "a\\b", "a b", " k1", "k1 ", "a/b", "a?b", "a%20b", "a:b", "a,b", "a;b", "a=b",
    "ключ", "k\x00", "k\n", "", "k" * 101,
])
def test_keyids_outside_the_token_charset_are_refused(keyid: str) -> None:
    with pytest.raises(InvalidValue, match="keyid") as refused:
        Supplier.register("Acme", "CN", None, [{"keyid": keyid, "public_key": KEY}], SUPERVISOR)
    assert refused.value.field == "keys.0.keyid"
    supplier = Supplier.register("Acme", "CN", None, [{"keyid": "k0", "public_key": KEY}],
                                 SUPERVISOR)
    with pytest.raises(InvalidValue, match="keyid") as refused:
        supplier.add_key(keyid, KEY, SUPERVISOR)
    assert refused.value.field == "keyid"


@pytest.mark.parametrize("keyid", ["k1", "acme-2026", "ACME_2026.v2~1", "k" * 100, "-", "."])
def test_keyids_in_the_token_charset_are_accepted(keyid: str) -> None:
    supplier = Supplier.register("Acme", "CN", None, [{"keyid": "k0", "public_key": KEY}],
                                 SUPERVISOR)
    supplier.add_key(keyid, KEY, SUPERVISOR)
    assert Supplier.register("Acme", "CN", None, [{"keyid": keyid, "public_key": KEY}],
                             SUPERVISOR).keys.keys() == {keyid}
    assert set(supplier.keys) == {"k0", keyid}
