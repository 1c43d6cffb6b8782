"""The board's production helpers (app/projections/production.py): what
the plan, the forecasts and today's date make of an order's risk, days
late and blockers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest

from app.domain.order import Order
from app.projections import board, production
from app.projections.production import (
    AMBER,
    GREEN,
    RED,
    days_late,
    facts_after,
    pareto,
    plan_risk,
    risk,
)

AGREED = date(2027, 3, 1)
TODAY = date(2027, 2, 1)
NOW = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
ORDER = uuid4()
BASE = {"samples_required": False, "pp_sample_approved": False, "deposit_due_minor": 0,
        "paid_minor": 0, "margin": None, "margin_approved": False,
        "shipment_without_balance": True}


def plan(*milestones, feasible=True, days_short=0) -> dict:
    return {"plan": {"revision": 1, "feasible": feasible, "days_short": days_short,
                     "milestones": [
                         {"code": code, "name": code.title(), "owner_role": "merchandiser",
                          "planned_on": planned, "forecast_on": planned, "completed_on": done}
                         for code, planned, done in milestones]}}


def event(cls, **data):
    return cls(originator_id=ORDER, originator_version=9, timestamp=NOW, actor_sub="mia",
               actor_role="merchandiser", **data)


def delay(responsible: str, forecast: date):
    return event(Order.DelayReported, delay_id="d", cause="workforce", responsible=responsible,
                 days=3, forecast_ex_factory=forecast, action="overtime",
                 purchase_order_id=None, reported_on=TODAY)


def test_the_plans_own_risk():
    on_time = plan(("cut", "2027-02-01", "2027-02-01"), ("ex_factory", "2027-03-01", None))
    late = plan(("cut", "2027-01-25", "2027-02-01"), ("ex_factory", "2027-03-01", None))
    recovered = plan(("cut", "2027-01-25", "2027-02-01"), ("sew", "2027-02-10", "2027-02-01"),
                     ("ex_factory", "2027-03-01", None))
    assert plan_risk(on_time, AGREED, AGREED) == GREEN
    # A completion recorded late, the forecast still on time: amber.
    assert plan_risk(late, AGREED, AGREED) == AMBER
    # The next one completed on time: recovered.
    assert plan_risk(recovered, AGREED, AGREED) == GREEN
    assert plan_risk(late, date(2027, 3, 2), AGREED) == RED  # the forecast after the agreed date
    assert plan_risk(plan(feasible=False, days_short=3), None, AGREED) == RED
    assert plan_risk({}, None, AGREED) == GREEN  # no plan, no forecast


@pytest.mark.parametrize(("state", "stored", "next_on", "expected"), [
    ("in_production", GREEN, date(2027, 2, 1), GREEN),  # due today: not late yet
    ("in_production", GREEN, date(2027, 1, 31), AMBER),  # a milestone past its date
    ("in_production", GREEN, None, GREEN),
    ("in_production", AMBER, None, AMBER),
    ("in_production", RED, None, RED),
    ("shipped", RED, date(2027, 1, 31), GREEN),  # nothing at risk once shipped
    ("cancelled", RED, None, GREEN),
])
def test_the_risk_on_a_day(state, stored, next_on, expected):
    assert risk(state, stored, AGREED, next_on, TODAY) == expected


def test_an_order_past_its_agreed_date_unshipped_is_red():
    assert risk("confirmed", GREEN, date(2027, 1, 31), None, TODAY) == RED
    assert risk("confirmed", GREEN, TODAY, None, TODAY) == GREEN  # due today


def test_days_late_against_the_plan_or_the_delivery_date():
    facts = plan(("cut", "2027-01-25", None))
    assert days_late("in_production", facts, AGREED, date(2027, 1, 25), TODAY) == 7
    assert days_late("in_production", facts, AGREED, date(2027, 2, 5), TODAY) == 0
    # No plan, or every milestone done: days past the delivery date, as before.
    assert days_late("confirmed", {}, date(2027, 1, 29), None, TODAY) == 3
    assert days_late("in_production", facts, date(2027, 1, 29), None, TODAY) == 3
    assert days_late("confirmed", {}, AGREED, None, TODAY) == 0
    assert days_late("shipped", facts, date(2027, 1, 29), date(2027, 1, 25), TODAY) == 0


def test_the_consent_blocker_follows_delays_consents_and_re_dating():
    facts = facts_after({}, delay("customer", date(2027, 3, 5)), AGREED)
    assert production.blockers(facts) == []  # the customer's own delay
    facts = facts_after(facts, delay("factory", date(2027, 3, 5)), AGREED)
    assert production.blockers(facts) == [production.WAITING_CONSENT]
    consent = event(Order.DelayConsented, consented_date=date(2027, 3, 4), evidence_ref="m",
                    compensation=None)
    assert production.blockers(facts_after(dict(facts), consent, AGREED)) == [
        production.WAITING_CONSENT]  # short of the forecast
    consent = event(Order.DelayConsented, consented_date=date(2027, 3, 5), evidence_ref="m",
                    compensation=None)
    consented = facts_after(dict(facts), consent, AGREED)
    assert production.blockers(consented) == []
    assert production.agreed_on(consented, AGREED) == date(2027, 3, 5)
    # A later delay within the consent needs none; past it, a new one.
    assert production.blockers(facts_after(dict(consented), delay("supplier", date(2027, 3, 5)),
                                           AGREED)) == []
    assert production.blockers(facts_after(dict(consented), delay("supplier", date(2027, 3, 6)),
                                           AGREED)) == [production.WAITING_CONSENT]
    # Back on time: nothing to consent to.
    assert production.blockers(facts_after(dict(facts), delay("factory", AGREED), AGREED)) == []


def test_the_board_lists_the_production_blockers_before_the_pos():
    facts = {**BASE, **plan(("cut", "2027-01-25", None), feasible=False, days_short=4),
             "consent_for": "2027-03-05", "changes_pending": ["c"], "cost_analysis_due": True,
             "pi_to_sign": 2, "open_pos": ["p"]}
    assert board.derive("in_production", facts, 0, Decimal("0.05")) == ("Cut", [
        board.WAITING_PI, "production plan infeasible (4 working days short)",
        production.WAITING_CONSENT, production.CHANGE_PENDING, production.COST_ANALYSIS_NEEDED,
        board.waiting_pos(1)])
    # Before release the next milestone is the release, as before.
    assert board.derive("confirmed", facts, 0, Decimal("0.05"))[0] == "production release"
    assert board.derive("shipped", facts, 0, Decimal("0.05")) == ("closure", [
        board.waiting_pos(1)])


def test_the_pareto_lists_every_name_by_days_then_name():
    counts = {"workforce": (2, 5), "plan_error": (1, 5), "rush_orders": (3, 1)}
    assert pareto(counts, production.CAUSES, "cause")[:4] == [
        {"cause": "plan_error", "count": 1, "days": 5},
        {"cause": "workforce", "count": 2, "days": 5},
        {"cause": "rush_orders", "count": 3, "days": 1},
        {"cause": "accumulated_delay", "count": 0, "days": 0},
    ]
    assert len(pareto({}, production.CAUSES, "cause")) == 7


def test_the_risk_goes_to_the_late_milestones_owner_then_the_supervisor():
    facts = {"plan": {"milestones": [
        {"code": "fabric", "owner_role": "purchaser", "completed_on": "2027-01-04",
         "planned_on": "2027-01-04"},
        {"code": "final_inspection", "owner_role": "qc", "completed_on": None,
         "planned_on": "2027-01-20"}]}}
    assert production.attention("amber", facts) == "qc"
    assert production.attention("red", facts) == "supervisor"
    assert production.attention("green", facts) is None
