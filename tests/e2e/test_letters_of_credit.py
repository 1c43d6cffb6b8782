"""G4 under an L/C over HTTP (issue 10 point 5): an L/C order ships against
a received credit that covers its balance, in time and unexpired, confirmed
in a third country when a Nigerian bank issued it; otherwise 409 G4, and a
manager's waiver still works. On both stores (``api``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.helpers import (
    SHIPMENT,
    alert_codes,
    command,
    get_order,
    lifecycle,
    refused,
)

LC_TERMS = {"method": "LC", "deposit_percent": "30", "issuing_bank_country": "DE"}
NG_TERMS = {"method": "LC", "deposit_percent": "30", "issuing_bank_country": "NG",
            "confirming_bank_country": "GB"}
SHIPPED_ON = SHIPMENT["shipped_on"]  # 2027-03-01; the balance due is USD 5950.00


def credit(**changes) -> dict:
    body = {
        "number": "LC-2027-001", "issuing_bank": "Deutsche Bank AG",
        "issuing_bank_country": "DE", "amount": "5950.00", "currency": "USD",
        "latest_shipment_date": "2027-03-15", "expiry_date": "2027-04-05",
        "presentation_days": 21,
    }
    body.update(changes)
    return body


def amendment(**changes) -> dict:
    body = credit(**changes)
    del body["number"]
    return body


async def lc_order(api, terms=None, country="DE") -> str:
    # Inspected and packed (G11, G12): only G4 stands before the shipment.
    order = await lifecycle(api, "ready_to_ship", country=country,
                            payment_terms=terms or LC_TERMS)
    return order["id"]


async def test_an_lc_order_with_a_valid_credit_ships_without_a_waiver(api):
    oid = await lc_order(api)
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4", role="purchaser")
    assert "no letter of credit" in problem["detail"]
    received = await command(api, oid, "/letters-of-credit", credit(), role="accountant")
    [lc] = received["letters_of_credit"]
    assert lc == {**credit(), "confirming_bank": None, "confirming_bank_country": None,
                  "amendments": 0}
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"
    assert shipped["shipment_without_balance_approved"] is False
    assert shipped["alerts"] == [] and shipped["balance_due"] == "5950.00"
    assert (await get_order(api, oid))["letters_of_credit"] == [lc]


async def test_past_its_latest_shipment_date_it_does_not_ship_until_amended(api):
    oid = await lc_order(api)
    await command(api, oid, "/letters-of-credit", credit(latest_shipment_date="2027-02-20"),
                  role="supervisor")
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    assert "latest shipment date 2027-02-20" in problem["detail"]
    amended = await command(api, oid, "/letters-of-credit/LC-2027-001", amendment(),
                            role="accountant", method="PUT")
    [lc] = amended["letters_of_credit"]
    assert (lc["latest_shipment_date"], lc["amendments"]) == ("2027-03-15", 1)
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped" and shipped["alerts"] == []


async def test_an_expired_credit_does_not_secure_the_balance(api):
    oid = await lc_order(api)
    await command(api, oid, "/letters-of-credit",
                  credit(latest_shipment_date="2027-02-10", expiry_date="2027-02-25"),
                  role="accountant")
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    assert "expired on 2027-02-25" in problem["detail"]


async def test_a_credit_short_of_the_balance_or_in_another_currency_does_not(api):
    oid = await lc_order(api)
    await command(api, oid, "/letters-of-credit", credit(amount="5000.00"), role="accountant")
    await command(api, oid, "/letters-of-credit", credit(number="LC-EUR", currency="EUR"),
                  role="accountant")
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    assert "covers 5000.00 USD" in problem["detail"] and "is in EUR" in problem["detail"]


async def test_a_nigerian_credit_needs_a_third_country_confirmation(api):
    oid = await lc_order(api, NG_TERMS, country="NG")
    await command(api, oid, "/letters-of-credit",
                  credit(issuing_bank="First Bank of Nigeria", issuing_bank_country="NG"),
                  role="accountant")
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    assert "third-country" in problem["detail"]
    # Confirmed in China, the company's own country: not a third country.
    await command(api, oid, "/letters-of-credit/LC-2027-001", amendment(
        issuing_bank="First Bank of Nigeria", issuing_bank_country="NG",
        confirming_bank="Bank of China", confirming_bank_country="CN"),
        role="accountant", method="PUT")
    await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    await command(api, oid, "/letters-of-credit/LC-2027-001", amendment(
        issuing_bank="First Bank of Nigeria", issuing_bank_country="NG",
        confirming_bank="Standard Chartered London", confirming_bank_country="GB"),
        role="accountant", method="PUT")
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"


async def test_a_managers_waiver_still_lets_an_lc_order_ship(api):
    oid = await lc_order(api)
    await command(api, oid, "/letters-of-credit", credit(expiry_date="2027-03-20",
                                                         latest_shipment_date="2027-02-01"),
                  role="accountant")
    await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    await command(api, oid, "/shipment-without-balance", {"reason": "L/C amendment on its way"})
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"
    assert "shipment_without_balance" in alert_codes(shipped)


async def test_credits_are_refused_where_they_do_not_belong(api):
    tt = (await lifecycle(api, "in_production"))["id"]
    await refused(api, tt, "/letters-of-credit", credit(), status=409, role="accountant")
    oid = await lc_order(api)
    await refused(api, oid, "/letters-of-credit", credit(expiry_date="2027-03-01"),
                  status=422, role="accountant")
    await command(api, oid, "/letters-of-credit", credit(), role="accountant")
    await refused(api, oid, "/letters-of-credit", credit(), status=409, role="accountant")
    await refused(api, oid, "/letters-of-credit/LC-9", amendment(), status=404,
                  role="accountant", method="PUT")


@pytest.mark.parametrize("role", ["merchandiser", "purchaser", "qc", "bi"])
async def test_only_money_staff_record_credits(api, role):
    oid = await lc_order(api)
    await refused(api, oid, "/letters-of-credit", credit(), status=403, role=role)
    await command(api, oid, "/letters-of-credit", credit(), role="manager")
    await refused(api, oid, "/letters-of-credit/LC-2027-001", amendment(), status=403,
                  role=role, method="PUT")


# ---- the board and the finance view -------------------------------------------------


async def _read(api, path: str, order: dict) -> dict:
    r = await api.get(path, params={"customer_id": order["customer_id"],
                                    "min_position": order["position"]})
    assert r.status_code == 200, r.text
    [row] = r.json()["data"]
    return row


async def test_the_board_warns_of_a_near_latest_shipment_date_and_finance_lists_credits(api):
    oid = await lc_order(api)
    soon, later = date.today() + timedelta(days=3), date.today() + timedelta(days=30)
    received = await command(api, oid, "/letters-of-credit", credit(
        latest_shipment_date=soon.isoformat(), expiry_date=later.isoformat()),
        role="accountant")
    row = await _read(api, "/v1/board", received)
    assert "L/C latest shipment date in 3 days" in row["blockers"]
    money = await _read(api, "/v1/finance/orders", received)
    assert money["letters_of_credit"] == [{
        "number": "LC-2027-001", "issuing_bank": "Deutsche Bank AG", "amount": "5950.00",
        "currency": "USD", "latest_shipment_date": soon.isoformat(),
        "expiry_date": later.isoformat(), "presentation_days": 21, "amendments": 0}]
    # Amended to a later date: no warning, and finance shows the amendment.
    amended = await command(api, oid, "/letters-of-credit/LC-2027-001", amendment(
        latest_shipment_date=later.isoformat(), expiry_date=later.isoformat()),
        role="accountant", method="PUT")
    row = await _read(api, "/v1/board", amended)
    assert not [b for b in row["blockers"] if b.startswith("L/C")]
    money = await _read(api, "/v1/finance/orders", amended)
    [lc] = money["letters_of_credit"]
    assert (lc["latest_shipment_date"], lc["amendments"]) == (later.isoformat(), 1)
