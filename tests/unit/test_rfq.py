"""Requests for quotation without HTTP: quotes, the comparison by landed
unit price in one currency and by lead time, and the award."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import InvalidState, InvalidValue, NotFound
from app.domain.rfq import Rfq, compare, item_key
from tests.unit.sourcing_builders import (
    DUE,
    PURCHASER,
    SUPERVISOR,
    SUPPLIER_A,
    awarded_rfq,
    quote,
    rfq,
    supplier_id,
)

TODAY = date(2027, 1, 15)
RATES = {"CNY": Decimal("0.14"), "EUR": Decimal("1.08")}


def three_currencies() -> Rfq:
    r = rfq("Nylon 210T")
    quote(r, supplier_id("cn"), "0.90", "CNY", landed="0.05", lead_time_days=30)
    quote(r, supplier_id("us"), "0.13", "USD", lead_time_days=12)
    quote(r, supplier_id("eu"), "0.12", "EUR", landed="0.01", lead_time_days=20)
    return r


def test_a_request_keeps_its_item_and_every_quote_as_received():
    r = rfq("  YKK   #5 zip ")
    assert (r.item, r.quantity, r.required_by) == ("YKK #5 zip", Decimal("1000"), DUE)
    quote_id = quote(r, SUPPLIER_A, "0.0125", "USD", landed="0.001", lead_time_days=14)
    kept = r.quotes[quote_id]
    assert (kept["supplier_id"], kept["unit_price"], kept["landed_cost_per_unit"]) == (
        SUPPLIER_A, Decimal("0.0125"), Decimal("0.001"))
    assert kept["lead_time_days"] == 14 and r.awarded is None


def test_quotes_count_suppliers_not_quotes():
    r = rfq()
    quote(r, SUPPLIER_A, "0.13")
    quote(r, SUPPLIER_A, "0.12")  # a better offer from the same supplier
    quote(r, supplier_id("b"), "0.14")
    assert (len(r.quotes), r.supplier_count) == (3, 2)


def test_quotes_rank_by_landed_unit_price_in_one_currency_and_by_lead_time():
    ranked = compare(list(three_currencies().quotes.values()), "USD", RATES, TODAY)
    # CNY (0.90 + 0.05) x 0.14 = 0.133; USD 0.13; EUR (0.12 + 0.01) x 1.08 = 0.1404
    assert [q["currency"] for q in ranked] == ["USD", "CNY", "EUR"]
    assert [q["landed_unit_price"] for q in ranked] == [
        Decimal("0.13"), Decimal("0.133"), Decimal("0.1404")]
    assert [q["price_rank"] for q in ranked] == [1, 2, 3]
    assert {q["currency"]: q["lead_time_rank"] for q in ranked} == {"USD": 1, "EUR": 2, "CNY": 3}


def test_a_quote_without_a_rate_is_listed_after_the_others_unranked_by_price():
    ranked = compare(list(three_currencies().quotes.values()), "USD", {}, TODAY)
    assert [(q["currency"], q["price_rank"]) for q in ranked][0] == ("USD", 1)
    assert [q["price_rank"] for q in ranked] == [1, None, None]
    assert [q["landed_unit_price"] for q in ranked] == [Decimal("0.13"), None, None]
    assert {q["currency"]: q["lead_time_rank"] for q in ranked} == {"USD": 1, "EUR": 2, "CNY": 3}


def test_without_a_currency_each_quote_is_priced_in_its_own():
    ranked = compare(list(three_currencies().quotes.values()), None, {}, TODAY)
    assert {q["currency"]: q["landed_unit_price"] for q in ranked} == {
        "USD": Decimal("0.13"), "EUR": Decimal("0.13"), "CNY": Decimal("0.95")}


def test_equal_prices_rank_the_shorter_lead_time_first_and_expired_quotes_are_marked():
    r = rfq()
    quote(r, supplier_id("slow"), "0.12", lead_time_days=30, valid_until=date(2027, 1, 14))
    quote(r, supplier_id("fast"), "0.12", lead_time_days=10, valid_until=TODAY)
    ranked = compare(list(r.quotes.values()), "USD", {}, TODAY)
    assert [(q["lead_time_days"], q["expired"]) for q in ranked] == [(10, False), (30, True)]


def test_a_supervisor_awards_one_quote_and_the_rfq_is_then_closed():
    r = rfq()
    winning = quote(r, SUPPLIER_A, "0.12")
    quote(r, supplier_id("b"), "0.13")
    r.award(winning, "cheapest landed", SUPERVISOR)
    assert (r.awarded["quote_id"], r.awarded["supplier_id"]) == (winning, SUPPLIER_A)
    with pytest.raises(InvalidState):
        r.award(winning, None, SUPERVISOR)
    with pytest.raises(InvalidState):
        quote(r, supplier_id("late"), "0.10")
    assert len(r.quotes) == 2


def test_an_award_names_a_quote_of_this_rfq():
    r = rfq()
    quote(r, SUPPLIER_A)
    with pytest.raises(NotFound):
        r.award("not-a-quote", None, SUPERVISOR)
    assert r.awarded is None


def test_an_rfq_covers_its_own_item_whatever_the_case_and_spacing():
    r = awarded_rfq("YKK #5 zip")
    assert item_key("  ykk #5   ZIP") == item_key("YKK #5 zip")
    assert r.covers(item_key("ykk  #5 Zip")) and not r.covers(item_key("YKK #3 zip"))
    assert not awarded_rfq(suppliers=2).covers(item_key("YKK #5 zip"))
    assert not awarded_rfq(award=False).covers(item_key("YKK #5 zip"))


@pytest.mark.parametrize("field, build", [
    ("item", lambda: Rfq.request("  ", "10", "pcs", None, DUE, None, PURCHASER)),
    ("unit", lambda: Rfq.request("zip", "10", " ", None, DUE, None, PURCHASER)),
    ("quantity", lambda: Rfq.request("zip", "0", "pcs", None, DUE, None, PURCHASER)),
    ("quantity", lambda: Rfq.request("zip", "1.00001", "pcs", None, DUE, None, PURCHASER)),
])
def test_a_bad_request_is_refused(field, build):
    with pytest.raises(InvalidValue) as invalid:
        build()
    assert invalid.value.field == field


@pytest.mark.parametrize("field, named", [
    ("unit_price", {"unit_price": "0.0000001"}),  # 7 decimals: 6 at most
    ("unit_price", {"unit_price": "-0.01"}),
    ("currency", {"currency": "XYZ"}),
    ("landed_cost_per_unit", {"landed": "-0.01"}),
    ("lead_time_days", {"lead_time_days": -1}),
])
def test_a_bad_quote_is_refused_and_not_kept(field, named):
    r = rfq()
    with pytest.raises(InvalidValue) as invalid:
        quote(r, SUPPLIER_A, **named)
    assert invalid.value.field == field and r.quotes == {}
