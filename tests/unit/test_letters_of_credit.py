"""G4 under an L/C (issue 10 point 5): the rule as a pure check, and the
Order aggregate receiving, amending and shipping against a credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.application import Gendan
from app.config import Settings
from app.domain import gates
from app.domain.errors import GateViolation, InvalidState, InvalidValue, NotFound
from app.domain.order import Order
from app.domain.values import Actor, Policy
from app.projections.board import lc_blockers
from tests.commands import draft_notice, make_ready_to_ship, on_order

MANAGER = Actor("chen", "manager")
ACCOUNTANT = Actor("li", "accountant")
DAY = date(2027, 3, 1)
POLICY = Policy()


def credit(**changes) -> dict:
    terms = {
        "number": "LC-1", "issuing_bank": "Deutsche Bank", "issuing_bank_country": "DE",
        "confirming_bank": None, "confirming_bank_country": None,
        "amount": Decimal("5950.00"), "currency": "USD",
        "latest_shipment_date": date(2027, 3, 15), "expiry_date": date(2027, 4, 5),
        "presentation_days": 21,
    }
    terms.update(changes)
    return terms


# ---- the rule as a pure check ------------------------------------------------------
def shortfall(**changes) -> str | None:
    return gates.g4_credit_shortfall(credit(**changes), Decimal("5950.00"), "USD", DAY, POLICY)


def test_a_credit_that_covers_the_balance_in_time_secures_it():
    assert shortfall() is None
    assert shortfall(amount=Decimal("9999.99")) is None
    assert shortfall(latest_shipment_date=DAY, expiry_date=DAY) is None  # the day itself


@pytest.mark.parametrize(("changes", "why"), [
    ({"amount": Decimal("5949.99")}, "covers 5949.99 USD of 5950.00"),
    ({"currency": "EUR"}, "is in EUR"),
    ({"latest_shipment_date": date(2027, 2, 28)}, "latest shipment date 2027-02-28"),
    ({"latest_shipment_date": date(2027, 2, 20), "expiry_date": date(2027, 2, 28)},
     "expired on 2027-02-28"),
    ({"issuing_bank_country": "NG"}, "not confirmed by a third-country bank"),
    ({"issuing_bank_country": "NG", "confirming_bank_country": "CN"}, "third-country"),
    ({"issuing_bank_country": "NG", "confirming_bank_country": "NG"}, "third-country"),
])
def test_a_credit_that_does_not_secure_the_balance_says_why(changes, why):
    assert why in shortfall(**changes)


def test_a_nigerian_credit_confirmed_in_a_third_country_secures_it():
    assert shortfall(issuing_bank_country="NG", confirming_bank_country="GB") is None
    # The company's own country is configurable: then CN is a third country.
    assert gates.g4_credit_shortfall(
        credit(issuing_bank_country="NG", confirming_bank_country="CN"), Decimal("1"), "USD",
        DAY, Policy(company_country="HK")) is None


# ---- the aggregate -----------------------------------------------------------------
@pytest.fixture
def app() -> Gendan:
    return Gendan(Settings(database_url="memory:", snapshot_interval=5))


def run(app: Gendan, order_id, command):
    return on_order(app, order_id, command)


def lc_order_in_production(app: Gendan, method="LC", **terms) -> str:
    customer = app.customers.register_customer("Customer", "DE", MANAGER).view
    if method == "LC":
        terms = {"issuing_bank_country": "DE", **terms}
    order_id = app.orders.create_order(
        reference=f"PO-{customer['id'].hex[:6]}", customer_id=customer["id"],
        currency="USD", incoterm="FOB", delivery_date=DAY, samples_required=False,
        payment_terms={"method": method, "deposit_percent": "30", **terms},
        lines=[{"sku": "NW", "quantity": "10000", "unit": "m", "unit_price": "0.85"}],
        actor=MANAGER,
    ).view["id"]
    for step in (
        lambda o: o.analyse_costs([{"item": "f", "amount": "8000", "currency": "USD"}], {},
                                  MANAGER),
        lambda o: o.confirm("waived", app.policy, MANAGER),
        lambda o: o.analyse_costs([{"item": "f", "amount": "8000", "currency": "USD"}], {},
                                  MANAGER),
        lambda o: o.record_payment("deposit", Decimal("2550.00"), "USD", DAY, "TT1", MANAGER),
    ):
        run(app, order_id, step)
    draft_notice(app, order_id, MANAGER)
    run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    # G11 and G12 passed: only G4 (and G6) stand between the order and its shipment.
    make_ready_to_ship(app, order_id, MANAGER)
    return order_id


def ship(app: Gendan, order_id, on=DAY):
    return run(app, order_id, lambda o: o.ship(on, "COSCO", "BL-1", MANAGER, app.policy))


def test_an_lc_order_ships_against_a_received_credit(app):
    order_id = lc_order_in_production(app)
    with pytest.raises(GateViolation) as refused:
        ship(app, order_id)
    assert refused.value.rule == "G4" and "no letter of credit" in str(refused.value)
    received = run(app, order_id, lambda o: o.receive_letter_of_credit(
        {**credit(), "amount": Decimal("5950")}, ACCOUNTANT))
    [lc] = received.view["letters_of_credit"]
    assert lc["amount"] == Decimal("5950.00") and str(lc["amount"]) == "5950.00"
    assert (lc["latest_shipment_date"], lc["amendments"]) == (date(2027, 3, 15), 0)
    shipped = ship(app, order_id)
    assert shipped.view["state"] == "shipped"
    assert shipped.view["alerts"] == [] and shipped.view["balance_due"] == Decimal("5950.00")


def test_an_amendment_to_a_later_date_lets_it_ship_and_survives_a_snapshot(app):
    order_id = lc_order_in_production(app)  # 9 events: the credit's makes the snapshot at 10
    late = credit(latest_shipment_date=date(2027, 2, 20))
    run(app, order_id, lambda o: o.receive_letter_of_credit(late, ACCOUNTANT))
    with pytest.raises(GateViolation) as refused:
        ship(app, order_id)
    assert "latest shipment date 2027-02-20" in str(refused.value)
    terms = {k: v for k, v in credit().items() if k != "number"}
    amended = run(app, order_id, lambda o: o.amend_letter_of_credit("LC-1", terms, ACCOUNTANT))
    [lc] = amended.view["letters_of_credit"]
    assert (lc["latest_shipment_date"], lc["amendments"]) == (date(2027, 3, 15), 1)
    # The same terms again record nothing.
    again = run(app, order_id, lambda o: o.amend_letter_of_credit("LC-1", terms, ACCOUNTANT))
    assert again.version == amended.version
    assert ship(app, order_id).view["state"] == "shipped"


def test_credits_are_checked(app):
    order_id = lc_order_in_production(app)
    with pytest.raises(InvalidValue):
        run(app, order_id, lambda o: o.receive_letter_of_credit(
            credit(expiry_date=date(2027, 3, 1)), ACCOUNTANT))
    with pytest.raises(InvalidValue):
        run(app, order_id, lambda o: o.receive_letter_of_credit(
            credit(amount=Decimal("1.001")), ACCOUNTANT))
    with pytest.raises(InvalidValue):
        run(app, order_id, lambda o: o.receive_letter_of_credit(
            credit(confirming_bank="Citibank London"), ACCOUNTANT))  # no country
    with pytest.raises(InvalidValue):
        run(app, order_id, lambda o: o.receive_letter_of_credit(
            credit(issuing_bank_country="XX"), ACCOUNTANT))
    run(app, order_id, lambda o: o.receive_letter_of_credit(credit(), ACCOUNTANT))
    with pytest.raises(InvalidState):
        run(app, order_id, lambda o: o.receive_letter_of_credit(credit(), ACCOUNTANT))
    with pytest.raises(NotFound):
        run(app, order_id, lambda o: o.amend_letter_of_credit("LC-9", credit(), ACCOUNTANT))


def test_only_an_lc_order_receives_a_credit(app):
    order_id = lc_order_in_production(app, method="TT")
    with pytest.raises(InvalidState):
        run(app, order_id, lambda o: o.receive_letter_of_credit(credit(), ACCOUNTANT))


def test_a_version_2_snapshot_has_no_credits():
    state: dict = {}
    Order.upcast_v2_v3(state)
    assert state == {"letters_of_credit": {}}


# ---- the board's L/C blocker, on the day the board is read -------------------------
@pytest.mark.parametrize(("state", "latest", "blockers"), [
    ("in_production", "2027-03-08", ["L/C latest shipment date in 7 days"]),
    ("confirmed", "2027-03-01", ["L/C latest shipment date in 0 days"]),
    ("ready_to_ship", "2027-02-27", ["L/C latest shipment date passed 2 days ago"]),
    ("in_production", "2027-03-09", []),
    ("shipped", "2027-03-02", []),
    ("cancelled", "2027-03-02", []),
])
def test_the_board_warns_of_a_near_latest_shipment_date(state, latest, blockers):

    facts = {"lc_latest_shipment": {"LC-1": latest, "LC-0": "2027-01-01"}}
    assert lc_blockers(state, facts, DAY) == blockers
    assert lc_blockers(state, {}, DAY) == []  # no credit, or a row from before issue 10
