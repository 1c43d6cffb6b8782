"""The Order aggregate and its gates, on the in-memory event store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.application import Gendan
from app.config import Settings
from app.domain.errors import Conflict, GateViolation, InvalidState, InvalidValue, NotFound
from app.domain.values import Actor
from app.application.views import order_view
from tests.commands import draft_notice, make_ready_to_ship, on_order

MANAGER = Actor("chen", "manager")
DAY = date(2027, 3, 1)


@pytest.fixture
def app() -> Gendan:
    return Gendan(Settings(database_url="memory:", snapshot_interval=5))


def new_order(app: Gendan, *, country="DE", method="TT", deposit="30", currency="USD",
              quantity="10000", price="0.85", samples=True, **terms) -> str:
    customer = app.customers.register_customer("Customer", country, MANAGER).view
    result = app.orders.create_order(
        reference=f"PO-{customer['id'].hex[:6]}", customer_id=customer["id"],
        currency=currency, incoterm="FOB", delivery_date=DAY, samples_required=samples,
        payment_terms={"method": method, "deposit_percent": deposit, **terms},
        lines=[{"sku": "NW", "quantity": quantity, "unit": "m", "unit_price": price}],
        actor=MANAGER,
    )
    return result.view["id"]


def run(app: Gendan, order_id, command):
    return on_order(app, order_id, command)


def rule_of(excinfo) -> str:
    return excinfo.value.rule


def analyse(app: Gendan, order_id, costs="8000.00"):
    return run(app, order_id, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": costs, "currency": "USD"}], {}, MANAGER))


def confirm_ready(app: Gendan, order_id, costs="8000.00") -> None:
    """Pre-production sample approved, PI signed back, margin fine."""
    sample = run(app, order_id, lambda o: {"id": o.request_sample("pre_production", MANAGER)})
    run(app, order_id, lambda o: o.decide_sample(sample.extra["id"], "approved", None, "mail", MANAGER))
    run(app, order_id, lambda o: o.issue_proforma_invoice(MANAGER))
    run(app, order_id, lambda o: o.sign_back_proforma_invoice("Hans", "scan", MANAGER))
    run(app, order_id, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": costs, "currency": "USD"}], {}, MANAGER))


def test_totals_respect_minor_units_and_unit_prices_keep_their_decimals(app):
    order = app.orders.get_order(new_order(app, quantity="333", price="0.8512"))
    assert order["lines"][0]["amount"] == Decimal("283.45")  # 283.4496 half up
    assert order["total"] == Decimal("283.45")
    assert order["deposit_due"] == Decimal("85.04")  # 30 % of 283.45 = 85.035
    jpy = app.orders.get_order(new_order(app, currency="JPY", quantity="3", price="333.5", deposit="0"))
    assert str(jpy["total"]) == "1001"  # 1000.5 rounded to whole yen
    assert str(jpy["paid"]) == "0"


def test_second_order_with_the_same_reference_is_a_conflict(app):
    customer = app.customers.register_customer("C", "FR", MANAGER).view
    body = dict(customer_id=customer["id"], currency="EUR", incoterm="CIF", delivery_date=DAY,
                samples_required=False, payment_terms={"method": "TT"},
                lines=[{"sku": "A", "quantity": "1", "unit": "pc", "unit_price": "10"}],
                actor=MANAGER)
    app.orders.create_order(reference="PO-1", **body)
    with pytest.raises(Conflict):
        app.orders.create_order(reference=" po-1 ", **body)


def test_g1_confirmation_needs_signed_pi_or_waiver(app):
    order_id = new_order(app, samples=False)
    analyse(app, order_id)  # G2
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm(None, app.policy, MANAGER))
    assert rule_of(refused) == "G1"
    with pytest.raises(GateViolation):
        run(app, order_id, lambda o: o.confirm("   ", app.policy, MANAGER))
    result = run(app, order_id, lambda o: o.confirm("customer on holiday", app.policy, MANAGER))
    assert result.view["state"] == "confirmed"


def test_g1_production_needs_confirmation_and_reissued_pi_needs_new_signature(app):
    order_id = new_order(app, samples=False)
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G1"
    run(app, order_id, lambda o: o.issue_proforma_invoice(MANAGER))
    run(app, order_id, lambda o: o.sign_back_proforma_invoice("Hans", "scan", MANAGER))
    run(app, order_id, lambda o: o.issue_proforma_invoice(MANAGER))  # revision 2
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm(None, app.policy, MANAGER))
    assert "revision 2" in refused.value.detail


@pytest.mark.parametrize("costs, needs_approval", [
    ("8075.01", True),   # margin 0.04999... floors to 0.0499
    ("8075.00", False),  # exactly 5 %
    ("8000.00", False),
])
def test_g2_threshold_is_exact(app, costs, needs_approval):
    order_id = new_order(app)
    confirm_ready(app, order_id, costs)
    if needs_approval:
        with pytest.raises(GateViolation) as refused:
            run(app, order_id, lambda o: o.confirm(None, app.policy, MANAGER))
        assert rule_of(refused) == "G2"
    else:
        run(app, order_id, lambda o: o.confirm(None, app.policy, MANAGER))


def test_g2_approval_covers_one_analysis(app):
    order_id = new_order(app)
    confirm_ready(app, order_id, "8200.00")
    run(app, order_id, lambda o: o.approve_margin("strategic customer", MANAGER))
    run(app, order_id, lambda o: o.confirm(None, app.policy, MANAGER))
    # The detailed analysis after confirmation is still below: new approval needed.
    result = run(app, order_id, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "8300.00", "currency": "USD"}], {}, MANAGER))
    assert result.view["needs_margin_approval"]
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G2"
    run(app, order_id, lambda o: o.approve_margin("still worth it", MANAGER))
    draft_notice(app, order_id, MANAGER)
    assert run(app, order_id, lambda o: o.release_production(app.policy, MANAGER)).view["state"] == "in_production"


def test_g2_production_needs_a_cost_analysis(app):
    order_id = new_order(app, samples=False)
    analyse(app, order_id)  # rough: confirmation needs one (G2)
    run(app, order_id, lambda o: o.confirm("verbal ok", app.policy, MANAGER))
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G2"


def test_g2_confirmation_needs_an_analysis_and_release_a_detailed_one(app):
    """Plan 5 form 4: a rough analysis at quotation, a detailed one after
    confirmation; the margin rule at both."""
    order_id = new_order(app, samples=False)
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm("verbal ok", app.policy, MANAGER))
    assert (rule_of(refused), refused.value.detail) == ("G2", "Confirmation needs a cost analysis")
    analyse(app, order_id, "8200.00")  # rough, margin 0.0352
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm("verbal ok", app.policy, MANAGER))
    assert rule_of(refused) == "G2" and "0.0352" in refused.value.detail
    run(app, order_id, lambda o: o.approve_margin("new market", MANAGER))
    run(app, order_id, lambda o: o.confirm("verbal ok", app.policy, MANAGER))
    # Only the rough analysis, approved as it is: release wants a detailed one.
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G2" and "rough" in refused.value.detail
    detailed = analyse(app, order_id, "8100.00")  # detailed, margin 0.0470
    stages = [e.stage for e in app.store.events.get(order_id) if type(e).__name__ == "CostAnalysed"]
    assert stages == ["rough", "detailed"]
    assert detailed.view["needs_margin_approval"]
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G2" and "0.0470" in refused.value.detail
    run(app, order_id, lambda o: o.approve_margin("still worth it", MANAGER))
    draft_notice(app, order_id, MANAGER)
    released = run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert released.view["state"] == "in_production"


def test_g2_detailed_analysis_survives_a_snapshot(app):
    order_id = new_order(app, samples=False)  # snapshot_interval=5
    analyse(app, order_id)
    run(app, order_id, lambda o: o.confirm("verbal ok", app.policy, MANAGER))
    analyse(app, order_id)  # detailed, version 4
    run(app, order_id, lambda o: o.request_sample("style", MANAGER))  # version 5: snapshot
    assert [s.originator_version for s in app.store.snapshots.get(order_id)] == [5]
    draft_notice(app, order_id, MANAGER)
    released = run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert released.view["state"] == "in_production"


def test_fx_rates_convert_costs_and_missing_rate_is_invalid(app):
    order_id = new_order(app)
    result = run(app, order_id, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "50000", "currency": "CNY"}], {"CNY": Decimal("0.14")},
        MANAGER))
    assert result.view["margin"] == Decimal("0.1764")  # (8500 - 7000) / 8500
    with pytest.raises(InvalidValue) as invalid:
        run(app, order_id, lambda o: o.analyse_costs(
            [{"item": "mould", "amount": "100", "currency": "EUR"}], {}, MANAGER))
    assert invalid.value.field == "fx_rates.EUR"


def test_g3_large_amounts_africa_and_nigerian_lc(app):
    with pytest.raises(GateViolation) as refused:
        new_order(app, method="PAYPAL", quantity="20000")  # 17,000 USD
    assert rule_of(refused) == "G3"
    new_order(app, method="PAYPAL", quantity="100")  # small amounts may use it
    for method in ("DP", "DA"):  # documentary collection, Africa: any amount
        with pytest.raises(GateViolation) as refused:
            new_order(app, country="KE", method=method, quantity="1")
        assert rule_of(refused) == "G3" and "Africa" in refused.value.detail
    new_order(app, country="DE", method="DA", quantity="1")
    order_id = new_order(app, country="NG", method="LC", samples=False,
                         issuing_bank_country="NG")
    analyse(app, order_id)  # G2
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))
    assert rule_of(refused) == "G3"
    with pytest.raises(GateViolation):
        run(app, order_id, lambda o: o.amend_payment_terms(
            {"method": "DP"}, app.policy, MANAGER))
    with pytest.raises(GateViolation):
        run(app, order_id, lambda o: o.amend_payment_terms(
            {"method": "DA"}, app.policy, MANAGER))
    # China is the company's own country (GENDAN_COMPANY_COUNTRY), not a third one.
    for confirming in ("NG", "CN"):
        run(app, order_id, lambda o: o.amend_payment_terms(
            {"method": "LC", "issuing_bank_country": "NG", "confirming_bank_country": confirming},
            app.policy, MANAGER))
        with pytest.raises(GateViolation) as refused:
            run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))
        assert rule_of(refused) == "G3" and f"in {confirming}" in refused.value.detail
    run(app, order_id, lambda o: o.amend_payment_terms(
        {"method": "LC", "issuing_bank_country": "NG", "confirming_bank_country": "GB"},
        app.policy, MANAGER))
    run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))


def test_lowest_gate_wins(app):
    order_id = new_order(app)  # not confirmed (G1), no analysis (G2), no sample (G5)
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G1"
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))
    assert rule_of(refused) == "G2"
    analyse(app, order_id)  # rough: release still wants a detailed one (G2)
    run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G2"


def test_g4_g5_and_the_alerts(app):
    order_id = new_order(app)
    sample = run(app, order_id, lambda o: {"id": o.request_sample("approval", MANAGER)})
    with pytest.raises(InvalidValue) as invalid:  # G5: an approval keeps its evidence
        run(app, order_id, lambda o: o.decide_sample(sample.extra["id"], "approved", None, " ", MANAGER))
    assert invalid.value.field == "evidence_ref"
    run(app, order_id, lambda o: o.decide_sample(sample.extra["id"], "approved", None, "mail", MANAGER))
    analyse(app, order_id)  # rough (G2)
    run(app, order_id, lambda o: o.confirm("waived", app.policy, MANAGER))
    run(app, order_id, lambda o: o.analyse_costs(
        [{"item": "all", "amount": "1000", "currency": "USD"}], {}, MANAGER))
    with pytest.raises(GateViolation) as refused:  # only an approval sample so far
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert rule_of(refused) == "G5"
    pp = run(app, order_id, lambda o: {"id": o.request_sample("pre_production", MANAGER)})
    run(app, order_id, lambda o: o.decide_sample(pp.extra["id"], "rejected", "too thin", None, MANAGER))
    with pytest.raises(GateViolation):
        run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    pp = run(app, order_id, lambda o: {"id": o.request_sample("pre_production", MANAGER)})
    run(app, order_id, lambda o: o.decide_sample(pp.extra["id"], "approved", None, "card-7", MANAGER))
    draft_notice(app, order_id, MANAGER)
    result = run(app, order_id, lambda o: o.release_production(app.policy, MANAGER))
    assert [a["code"] for a in result.view["alerts"]] == ["production_without_deposit"]

    make_ready_to_ship(app, order_id, MANAGER)  # G11, G12
    with pytest.raises(GateViolation) as refused:
        run(app, order_id, lambda o: o.ship(DAY, "COSCO", "BL-1", MANAGER, app.policy))
    assert rule_of(refused) == "G4"
    run(app, order_id, lambda o: o.record_payment("deposit", Decimal("2550.00"), "USD", DAY, "TT1", MANAGER))
    result = run(app, order_id, lambda o: o.approve_shipment_without_balance("good payer", MANAGER))
    assert [a["code"] for a in result.view["alerts"]] == ["shipment_without_balance"]
    assert run(app, order_id, lambda o: o.ship(DAY, "COSCO", "BL-1", MANAGER, app.policy)).view["state"] == "shipped"
    result = run(app, order_id, lambda o: o.record_payment(
        "balance", Decimal("5950.00"), "USD", DAY, "TT2", MANAGER))
    assert result.view["alerts"] == [] and result.view["balance_due"] == 0


def test_payments_are_checked(app):
    order_id = new_order(app)
    with pytest.raises(InvalidValue) as invalid:
        run(app, order_id, lambda o: o.record_payment("deposit", Decimal("10"), "EUR", DAY, "x", MANAGER))
    assert invalid.value.field == "currency"
    with pytest.raises(InvalidValue):
        run(app, order_id, lambda o: o.record_payment("deposit", Decimal("10.001"), "USD", DAY, "x", MANAGER))
    with pytest.raises(InvalidValue) as invalid:
        run(app, order_id, lambda o: o.record_payment("balance", Decimal("8500.01"), "USD", DAY, "x", MANAGER))
    assert invalid.value.field == "amount"
    result = run(app, order_id, lambda o: o.record_payment("mould_fee", Decimal("300"), "USD", DAY, "x", MANAGER))
    assert result.view["fees_received"] == Decimal("300") and result.view["paid"] == 0


def test_state_errors_and_unknown_ids(app):
    order_id = new_order(app, samples=False)
    with pytest.raises(InvalidState):
        run(app, order_id, lambda o: o.sign_back_proforma_invoice("x", "y", MANAGER))
    with pytest.raises(InvalidState):
        run(app, order_id, lambda o: o.close(MANAGER))
    with pytest.raises(NotFound):
        run(app, order_id, lambda o: o.decide_sample("nope", "approved", None, None, MANAGER))
    run(app, order_id, lambda o: o.cancel("customer withdrew", MANAGER))
    with pytest.raises(InvalidState):
        run(app, order_id, lambda o: o.issue_proforma_invoice(MANAGER))


def test_every_event_records_actor_and_utc_time(app):
    order_id = new_order(app)
    run(app, order_id, lambda o: o.request_sample("style", Actor("li", "merchandiser")))
    events = app.feed.read(0, 100)
    assert events[-1]["actor"] == {"sub": "li", "role": "merchandiser"}
    for event in events:
        assert event["occurred_at"].utcoffset().total_seconds() == 0


def test_snapshots_rebuild_the_same_order(app):
    order_id = new_order(app)
    for n in range(12):  # snapshot_interval=5: two snapshots taken
        run(app, order_id, lambda o: o.request_sample("style", MANAGER))
    snapshot_versions = [s.originator_version for s in app.store.snapshots.get(order_id)]
    assert snapshot_versions == [5, 10]
    replayed = None
    for event in app.store.events.get(order_id):  # every event, no snapshot
        replayed = event.mutate(replayed)
    assert app.orders.get_order(order_id) == order_view(replayed, app.policy)


def test_an_order_is_owned_by_its_creator_until_reassigned(app):
    order_id = new_order(app)
    assert app.orders.get_order(order_id)["owner"] == "chen"
    supervisor = Actor("sam", "supervisor")
    result = app.orders.change_owner(order_id, " li ", supervisor)
    assert result.view["owner"] == "li"
    [event] = [e for e in app.store.events.get(order_id) if type(e).__name__ == "OrderOwnerChanged"]
    assert (event.owner, event.previous_owner, event.actor_sub) == ("li", "chen", "sam")
    again = app.orders.change_owner(order_id, "li", supervisor)  # already theirs: nothing new
    assert again.view["version"] == result.view["version"]
    with pytest.raises(InvalidValue) as invalid:
        app.orders.change_owner(order_id, "  ", supervisor)
    assert invalid.value.field == "owner"
    run(app, order_id, lambda o: o.cancel("customer withdrew", MANAGER))
    with pytest.raises(InvalidState):
        app.orders.change_owner(order_id, "wang", supervisor)
