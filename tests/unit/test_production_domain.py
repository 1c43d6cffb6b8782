"""Production follow-up on the in-memory store (issue 11): the notice, the
plan, progress, delays, consents, changes, and the gates G1, G2, G6, G9 they
feed. Over HTTP on both stores: tests/e2e/test_production.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.application import Gendan
from app.config import Settings
from app.domain.errors import GateViolation, InvalidState, InvalidValue, NotFound, RoleRefused
from app.domain.values import Actor
from tests.commands import make_ready_to_ship, notice_for, on_order

MANAGER = Actor("chen", "manager")
MERCH = Actor("li", "merchandiser")
TODAY = datetime.now(timezone.utc).date()
WEEKDAYS = {"working_weekdays": [1, 2, 3, 4, 5], "country": None}


@pytest.fixture
def app() -> Gendan:
    return Gendan(Settings(database_url="memory:", snapshot_interval=5))


def confirmed_order(app: Gendan, *, quantity="1000", days=90) -> str:
    customer = app.customers.register_customer("Customer", "DE", MANAGER).view
    oid = app.orders.create_order(
        reference=f"PO-{customer['id'].hex[:6]}", customer_id=customer["id"], currency="USD",
        incoterm="FOB", delivery_date=TODAY + timedelta(days=days), samples_required=False,
        payment_terms={"method": "TT", "deposit_percent": "30"},
        lines=[{"sku": "TEE", "quantity": quantity, "unit": "pcs", "unit_price": "5"}],
        actor=MANAGER).view["id"]
    for command in (lambda o: o.issue_proforma_invoice(MANAGER),
                    lambda o: o.sign_back_proforma_invoice("Hans", "scan-1", MANAGER),
                    lambda o: o.analyse_costs(
                        [{"item": "fabric", "amount": "3000", "currency": "USD"}], {}, MANAGER),
                    lambda o: o.confirm(None, app.policy, MANAGER),
                    lambda o: o.analyse_costs(
                        [{"item": "fabric", "amount": "3000", "currency": "USD"}], {}, MANAGER)):
        on_order(app, oid, command)
    return oid


def draft(app: Gendan, oid) -> None:
    body = notice_for(app.orders.get_order(oid))
    app.production.draft_production_notice(oid, body["factory"], body["requirements"],
                                           body["breakdown"], body.get("accessories"), MERCH)


def released(app: Gendan, **kw) -> str:
    oid = confirmed_order(app, **kw)
    draft(app, oid)
    on_order(app, oid, lambda o: o.release_production(app.policy, MANAGER))
    return oid


def progress(app: Gendan, oid, **figures):
    return app.production.report_progress(
        oid, figures.pop("on", TODAY), figures.get("cut"), figures.get("made"),
        figures.get("finished"), figures.get("packed"), None, None, None, MERCH)


def alerts(app: Gendan, oid) -> set[str]:
    return {a["code"] for a in app.orders.get_order(oid)["alerts"]}


# ---- the production notice --------------------------------------------------------
def test_release_needs_a_notice_which_it_then_freezes(app):
    oid = confirmed_order(app)
    with pytest.raises(InvalidState, match="production notice"):
        on_order(app, oid, lambda o: o.release_production(app.policy, MANAGER))
    draft(app, oid)
    on_order(app, oid, lambda o: o.release_production(app.policy, MANAGER))
    with pytest.raises(InvalidState, match="frozen"):
        draft(app, oid)
    assert app.production.get_production(oid)["notice"]["frozen"] is True


def test_a_breakdown_sums_to_each_line(app):
    oid = confirmed_order(app)
    breakdown = [{"line_no": 1, "colour": "red", "size": "M", "quantity": "600"},
                 {"line_no": 1, "colour": "red", "size": "L", "quantity": "300"}]
    requirements = {"quality": "q", "packaging": "p", "shipping_marks": "m"}
    with pytest.raises(InvalidValue, match="sum to 900") as refused:
        app.production.draft_production_notice(oid, {"name": "F", "kind": "own"}, requirements,
                                               breakdown, None, MERCH)
    assert refused.value.field == "breakdown"
    breakdown[1]["size"] = "M"
    with pytest.raises(InvalidValue, match="twice"):
        app.production.draft_production_notice(oid, {"name": "F", "kind": "own"}, requirements,
                                               breakdown, None, MERCH)
    breakdown[1].update(size="L", quantity="400", line_no=2)
    with pytest.raises(InvalidValue, match="no line 2"):
        app.production.draft_production_notice(oid, {"name": "F", "kind": "own"}, requirements,
                                               breakdown, None, MERCH)


# ---- the plan -------------------------------------------------------------------------
def test_a_plan_is_worked_backward_on_working_days(app):
    oid = confirmed_order(app, days=120)
    plan = app.production.plan_production(
        oid, None, [{"code": "start", "name": "Start", "owner_role": "merchandiser",
                     "lead_days": 0},
                    {"code": "ex_factory", "name": "Ex-factory", "owner_role": "merchandiser",
                     "lead_days": 5}], None, WEEKDAYS, MERCH).view["plan"]
    start, ex = (date.fromisoformat(m["planned_on"]) for m in plan["milestones"])
    assert ex.isoweekday() <= 5 and ex <= TODAY + timedelta(days=120)
    days = [start + timedelta(days=n) for n in range(1, (ex - start).days + 1)]
    assert sum(d.isoweekday() <= 5 for d in days) == 5
    assert plan["feasible"] is True and plan["days_short"] == 0


def test_an_infeasible_plan_is_recorded_with_the_days_it_is_short(app):
    oid = confirmed_order(app, days=10)
    plan = app.production.plan_production(oid, "garment", None, None, WEEKDAYS,
                                          MERCH).view["plan"]
    assert plan["feasible"] is False and plan["days_short"] > 0


def test_a_plan_comes_from_a_template_or_milestones(app):
    oid = confirmed_order(app)
    with pytest.raises(InvalidValue):
        app.production.plan_production(oid, None, None, None, None, MERCH)
    with pytest.raises(InvalidValue, match="garment"):
        app.production.plan_production(oid, "shoes", None, None, None, MERCH)
    with pytest.raises(InvalidValue, match="ex_factory"):
        app.production.plan_production(oid, None, [{"code": "a", "name": "A",
                                                    "owner_role": "qc", "lead_days": 1}],
                                       None, None, MERCH)


def test_a_late_milestone_moves_the_forecast_and_raises_the_risk(app):
    oid = confirmed_order(app, days=30)
    plan = app.production.plan_production(
        oid, None, [{"code": "fabric", "name": "Fabric", "owner_role": "purchaser",
                     "lead_days": 0},
                    {"code": "ex_factory", "name": "Ex-factory", "owner_role": "merchandiser",
                     "lead_days": 5}], None, WEEKDAYS, MERCH).view["plan"]
    assert plan["forecast_ex_factory"] == plan["milestones"][-1]["planned_on"]
    with pytest.raises(InvalidValue):
        app.production.complete_milestone(oid, "fabric", TODAY + timedelta(days=1), None, None,
                                          MERCH)
    with pytest.raises(NotFound):
        app.production.complete_milestone(oid, "cutting", TODAY, None, None, MERCH)
    # Completed today while it was planned weeks ahead: early, forecast earlier.
    view = app.production.complete_milestone(oid, "fabric", TODAY, "photo-1", None, MERCH).view
    assert view["forecast_ex_factory"] < plan["forecast_ex_factory"]
    with pytest.raises(InvalidState):
        app.production.complete_milestone(oid, "fabric", TODAY, None, None, MERCH)


# ---- progress and delays -----------------------------------------------------------------
def test_progress_behind_plan_asks_for_a_cause_that_a_delay_gives(app):
    oid = released(app, days=40)
    # Planned so that production runs from weeks ago: behind at once.
    plan = app.production.plan_production(
        oid, None, [{"code": "production_start", "name": "S", "owner_role": "merchandiser",
                     "lead_days": 0},
                    {"code": "production_end", "name": "E", "owner_role": "merchandiser",
                     "lead_days": 30},
                    {"code": "ex_factory", "name": "X", "owner_role": "merchandiser",
                     "lead_days": 1}], 20, WEEKDAYS, MERCH).view["plan"]
    assert plan["feasible"] is False  # started before today: recorded, flagged
    report = progress(app, oid, cut="200", made="10").view["progress"][-1]
    assert Decimal(report["planned"]) > 60 and Decimal(report["behind"]) > 50
    assert "progress_behind_plan" in alerts(app, oid)
    with pytest.raises(InvalidValue, match="cumulative"):
        progress(app, oid, made="5")
    app.production.report_delay(oid, "material_shortage", "supplier", 4,
                                TODAY + timedelta(days=45), "air-freight the fabric", None,
                                MERCH)
    assert "progress_behind_plan" not in alerts(app, oid)
    assert "ex_factory_at_risk" in alerts(app, oid)
    with pytest.raises(InvalidValue):
        app.production.report_delay(oid, "bad_luck", "factory", 1, TODAY, "x", None, MERCH)
    with pytest.raises(InvalidValue, match="not a known purchase order"):
        app.production.report_delay(oid, "plan_error", "factory", 1, TODAY, "x",
                                    "6f1c2f5e-0000-4000-8000-000000000000", MERCH)


def test_progress_needs_the_release(app):
    oid = confirmed_order(app)
    with pytest.raises(InvalidState, match="released"):
        progress(app, oid, cut="1")


# ---- G6 -------------------------------------------------------------------------------------
def ship(app, oid, on):
    if app.orders.get_order(oid)["state"] == "in_production":
        make_ready_to_ship(app, oid, MANAGER)  # G11, G12 (issue 12)
    return on_order(app, oid, lambda o: o.ship(on, "COSCO", "BL-1", MANAGER, app.policy))


def pay_balance(app, oid):
    on_order(app, oid, lambda o: o.record_payment("balance", o.balance_due, "USD", TODAY, "TT",
                                                  MANAGER))


def test_a_late_shipment_waits_for_the_customers_consent(app):
    oid = released(app, days=20)
    pay_balance(app, oid)
    agreed = TODAY + timedelta(days=20)
    with pytest.raises(GateViolation) as refused:
        ship(app, oid, agreed + timedelta(days=5))
    assert refused.value.rule == "G6"
    with pytest.raises(InvalidValue):
        app.production.record_delay_consent(oid, agreed, "mail", None, MERCH)
    app.production.record_delay_consent(oid, agreed + timedelta(days=3), "mail-1",
                                        {"amount": "150", "currency": "USD", "terms": "off"},
                                        MERCH)
    with pytest.raises(GateViolation) as refused:
        ship(app, oid, agreed + timedelta(days=5))  # beyond the consented date
    assert refused.value.rule == "G6"
    assert ship(app, oid, agreed + timedelta(days=3)).view["state"] == "shipped"


# ---- G9 changes --------------------------------------------------------------------------------
def change(app, oid, kind="quantity", **kw):
    lines = kw.pop("lines", [{"line_no": 1, "quantity": "1200"}])
    return app.production.request_change(oid, kind, lines, kw.get("packaging"),
                                         kw.get("delivery_date"), "customer", "more",
                                         "mail-9", MERCH)


def test_changes_follow_how_far_production_has_gone(app):
    oid = released(app)
    accepted = change(app, oid)
    assert accepted.extra["status"] == "accepted"
    order = app.orders.get_order(oid)
    assert order["total"] == Decimal("6000.00") and order["deposit_due"] == Decimal("1800.00")
    progress(app, oid, cut="500", made="100")
    pending = change(app, oid, lines=[{"line_no": 1, "quantity": "1100"}])
    assert pending.extra["status"] == "pending"
    assert app.orders.get_order(oid)["total"] == Decimal("6000.00")
    with pytest.raises(RoleRefused):
        app.production.decide_change(oid, pending.extra["change_id"], "accepted", [], "m",
                                     MERCH)
    decided = app.production.decide_change(
        oid, pending.extra["change_id"], "accepted",
        [{"item": "wastage", "amount": "80", "currency": "USD"}], "mail-10", MANAGER)
    assert decided.extra["status"] == "accepted"
    assert app.orders.get_order(oid)["total"] == Decimal("5500.00")
    with pytest.raises(InvalidState):
        app.production.decide_change(oid, pending.extra["change_id"], "rejected", None, None,
                                     MANAGER)
    progress(app, oid, cut="1100", made="1100", finished="1100")
    with pytest.raises(GateViolation) as refused:
        change(app, oid, kind="packaging", lines=None, packaging="gift boxes")
    assert refused.value.rule == "G9"
    with pytest.raises(GateViolation) as refused:
        on_order(app, oid, lambda o: o.cancel("customer went bust", MANAGER, []))
    assert refused.value.rule == "G9"


def test_a_price_rise_after_confirmation_needs_the_pi_signed_back_and_a_new_analysis(app):
    oid = released(app)
    pay_balance(app, oid)
    change(app, oid, kind="price", lines=[{"line_no": 1, "unit_price": "5.50"}])
    on_order(app, oid, lambda o: o.record_payment("balance", o.balance_due, "USD", TODAY,
                                                  "TT-2", MANAGER))
    with pytest.raises(GateViolation) as refused:
        ship(app, oid, TODAY)
    assert refused.value.rule == "G1"
    on_order(app, oid, lambda o: o.sign_back_proforma_invoice("Hans", "scan-2", MANAGER))
    with pytest.raises(GateViolation) as refused:
        ship(app, oid, TODAY)
    assert refused.value.rule == "G2"
    # A new analysis below the margin threshold needs the manager's approval.
    on_order(app, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "5400", "currency": "USD"}], {}, MANAGER))
    with pytest.raises(GateViolation) as refused:
        ship(app, oid, TODAY)
    assert refused.value.rule == "G2"
    on_order(app, oid, lambda o: o.approve_margin("a-001: price rise accepted", MANAGER))
    assert ship(app, oid, TODAY).view["state"] == "shipped"


def test_a_new_delivery_date_re_works_the_plan_and_answers_g6(app):
    oid = released(app, days=60)
    app.production.plan_production(oid, "general", None, None, WEEKDAYS, MERCH)
    later = TODAY + timedelta(days=75)
    change(app, oid, kind="delivery_date", lines=None, delivery_date=later)
    view = app.production.get_production(oid)
    assert view["delivery_date"] == later.isoformat()
    assert view["plan"]["revision"] == 2 and view["plan"]["ex_factory"] == later.isoformat()
    pay_balance(app, oid)
    with pytest.raises(GateViolation) as refused:  # the change's PI revision first
        ship(app, oid, later)
    assert refused.value.rule == "G1"
    on_order(app, oid, lambda o: o.sign_back_proforma_invoice("Hans", "scan-3", MANAGER))
    assert ship(app, oid, later).view["state"] == "shipped"  # re-dated: no consent needed


def test_cancelling_a_partly_produced_order_records_what_the_customer_bears(app):
    oid = released(app)
    progress(app, oid, cut="300")
    with pytest.raises(GateViolation) as refused:
        on_order(app, oid, lambda o: o.cancel("no longer needed", MANAGER))
    assert refused.value.rule == "G9"
    on_order(app, oid, lambda o: o.cancel(
        "no longer needed", MANAGER,
        [{"item": "special_materials", "amount": "700", "currency": "USD"}], "mail-11"))
    assert app.orders.get_order(oid)["state"] == "cancelled"
    assert "cancelled_during_production" in alerts(app, oid)


def test_only_a_material_shortage_names_a_po():
    from app.domain.production import parse_delay
    with pytest.raises(InvalidValue, match="material shortage"):
        parse_delay("plan_error", "factory", 1, TODAY, "re-plan", "po-1")
    assert parse_delay("material_shortage", "supplier", 2, TODAY, "chase",
                       "po-1")["purchase_order_id"] == "po-1"
