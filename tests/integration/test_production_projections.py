"""The read side of production follow-up (issue 11) on both stores: the
board row follows a plan, a late completion, delays, consents and changes
(risk, blockers, forecast, days late, the risk filter); finance follows an
accepted change; the delay-cause report counts the delays; a rebuild equals
the live read models."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from app.application import Gendan
from app.domain.values import Actor
from app.projections import board, production
from app.projections.reads import ReadModels
from app.projections.runner import ProjectionRunner, rebuild_all
from tests.commands import on_order
from tests.integration.test_projections import dump, new_order, to_confirmed

BOSS = Actor("boss", "manager")
MERCH = Actor("mia", "merchandiser")
ACCOUNTANT = Actor("acc", "accountant")
TODAY = datetime.now(timezone.utc).date()
D = TODAY + timedelta(days=30)  # the main order's agreed ex-factory date
EVERY_DAY = {"working_weekdays": [1, 2, 3, 4, 5, 6, 7], "country": None}
# 40 working days (every day one) from the first milestone to ex-factory.
MILESTONES = [
    {"code": "fabric_in_house", "name": "Fabric in-house", "owner_role": "purchaser",
     "lead_days": 0},
    {"code": "cutting_start", "name": "Cutting start", "owner_role": "merchandiser",
     "lead_days": 20},
    {"code": "sewing_end", "name": "Sewing end", "owner_role": "merchandiser", "lead_days": 15},
    {"code": "ex_factory", "name": "Ex-factory", "owner_role": "merchandiser", "lead_days": 5},
]


def reads(settings, method: str, **params) -> Any:
    async def call():
        models = ReadModels(settings)
        try:
            return await getattr(models, method)(**params)
        finally:
            await models.close()
    return asyncio.run(call())


def notice(gendan: Gendan, oid) -> None:
    gendan.production.draft_production_notice(
        oid, factory={"name": "Own workshop", "kind": "own"},
        requirements={"quality": "as the sample", "packaging": "export cartons",
                      "shipping_marks": "as on the PI"},
        breakdown=[{"line_no": 1, "colour": "natural", "size": "std", "quantity": "10000"}],
        accessories=[], actor=MERCH)


def released(gendan: Gendan, customer) -> Any:
    oid = new_order(gendan, customer, delivery=D)
    to_confirmed(gendan, oid)
    on_order(gendan, oid, lambda o: o.record_payment(
        "deposit", Decimal("2550.00"), "USD", TODAY, "TT-1", ACCOUNTANT))
    notice(gendan, oid)
    on_order(gendan, oid, lambda o: o.release_production(gendan.policy, BOSS))
    return oid


def test_the_board_finance_and_delay_causes_follow_production(fresh_settings, gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store, batch_size=7)
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    main = released(gendan, customer)
    calm = new_order(gendan, customer, delivery=TODAY + timedelta(days=90))

    def row(oid=main) -> dict[str, Any]:
        runner.run_until_caught_up()
        page = reads(fresh_settings, "board", customer_id=str(customer), state=None)
        return {str(r["order_id"]): r for r in page["data"]}[str(oid)]

    def at_risk(risk: str) -> set[str]:
        runner.run_until_caught_up()
        page = reads(fresh_settings, "board", customer_id=str(customer), risk=risk)
        return {str(r["order_id"]) for r in page["data"]}

    assert (row()["risk"], row()["next_milestone"], row()["next_milestone_on"]) == (
        "green", "shipment", None)

    # A plan made 20 days ago: feasible then, its first milestone 10 days past now.
    on_order(gendan, main, lambda o: o.plan_production(
        None, MILESTONES, None, EVERY_DAY, TODAY - timedelta(days=20), gendan.policy, MERCH))
    found = row()
    assert found["next_milestone"] == "Fabric in-house"
    assert found["next_milestone_on"] == TODAY - timedelta(days=10)
    assert found["forecast_ex_factory"] == D and found["agreed_on"] == D
    assert (found["risk"], found["days_late"], found["overdue"]) == ("amber", 10, False)
    assert found["blockers"] == [board.WAITING_BALANCE]
    assert (at_risk("amber"), at_risk("red"), at_risk("green")) == (
        {str(main)}, set(), {str(calm)})

    # Completed 10 days late: the forecast moves 10 days past the agreed date.
    gendan.production.complete_milestone(main, "fabric_in_house", TODAY, "GRN-1", None, MERCH)
    found = row()
    assert found["next_milestone"] == "Cutting start"
    assert found["next_milestone_on"] == TODAY + timedelta(days=10)
    assert found["forecast_ex_factory"] == D + timedelta(days=10)
    assert (found["risk"], found["days_late"]) == ("red", 0)
    assert at_risk("red") == {str(main)}

    gendan.production.report_progress(main, TODAY, "500", "200", None, None, None, 2, None, MERCH)
    gendan.production.report_delay(main, "material_shortage", "supplier", 10,
                                   D + timedelta(days=10), "fabric by air", None, MERCH)
    assert row()["blockers"] == [board.WAITING_BALANCE, production.WAITING_CONSENT]
    # The customer's own delay needs no consent of theirs; the forecast follows it.
    gendan.production.report_delay(main, "rush_orders", "customer", 3,
                                   D + timedelta(days=13), "customer's rush order first",
                                   None, MERCH)
    found = row()
    assert found["forecast_ex_factory"] == D + timedelta(days=13)
    assert found["blockers"] == [board.WAITING_BALANCE, production.WAITING_CONSENT]

    gendan.production.record_delay_consent(
        main, D + timedelta(days=10), "mail-consent-1",
        {"amount": "100.00", "currency": "USD", "terms": "credit note"}, BOSS)
    found = row()
    assert found["blockers"] == [board.WAITING_BALANCE]  # the supplier's delay is consented
    assert found["agreed_on"] == D + timedelta(days=10)
    assert found["risk"] == "red"  # the customer's 3 days are not
    gendan.production.record_delay_consent(main, D + timedelta(days=13), "mail-consent-2",
                                           None, BOSS)
    found = row()
    # On time for the agreed date, the late completion still shows.
    assert (found["agreed_on"], found["risk"]) == (D + timedelta(days=13), "amber")
    assert at_risk("amber") == {str(main)}

    # A price rise during production (a-001): pending, then accepted.
    change = gendan.production.request_change(
        main, "price", [{"line_no": 1, "unit_price": "0.95"}], None, None, "company",
        "raw material price rise", "mail-3", MERCH).extra
    assert change["status"] == "pending"
    assert row()["blockers"] == [board.WAITING_BALANCE, production.CHANGE_PENDING]
    gendan.production.decide_change(main, change["change_id"], "accepted", [], "mail-4", BOSS)
    found = row()
    assert found["total"] == "9500.00"
    assert found["blockers"] == [board.WAITING_PI, board.WAITING_BALANCE,
                                 production.COST_ANALYSIS_NEEDED]
    money = {str(r["order_id"]): r for r in reads(fresh_settings, "finance_orders")["data"]}
    assert (money[str(main)]["contract_amount"], money[str(main)]["deposit_due"],
            money[str(main)]["paid"], money[str(main)]["balance_due"]) == (
        "9500.00", "2850.00", "2550.00", "6950.00")

    on_order(gendan, main, lambda o: o.sign_back_proforma_invoice("Hans", "scan-2", BOSS))
    on_order(gendan, main, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "9100", "currency": "USD"}], {}, BOSS))  # 4.2 %
    found = row()
    assert found["state"] == "in_production"
    assert found["blockers"] == [board.MARGIN_APPROVAL, board.WAITING_BALANCE]  # G2 again
    on_order(gendan, main, lambda o: o.approve_margin("price rise agreed", BOSS))
    assert row()["blockers"] == [board.WAITING_BALANCE]

    # Re-dated by a change: the plan worked again from the new date keeps the
    # completion (now early), and the forecast is on time.
    change = gendan.production.request_change(
        main, "delivery_date", None, None, D + timedelta(days=20), "customer",
        "their warehouse is full", "mail-5", MERCH).extra
    view = gendan.production.decide_change(main, change["change_id"], "accepted",
                                           [{"item": "storage", "amount": "50.00",
                                             "currency": "USD"}], "mail-6", BOSS).view
    assert view["plan"]["feasible"] and view["plan"]["revision"] == 2
    found = row()
    assert (found["delivery_date"], found["agreed_on"]) == (D + timedelta(days=20),) * 2
    assert found["next_milestone_on"] == TODAY + timedelta(days=30)  # cutting start
    assert found["forecast_ex_factory"] == D + timedelta(days=10)
    assert (found["risk"], found["days_late"], found["blockers"]) == (
        "green", 0, [board.WAITING_PI, board.WAITING_BALANCE])  # every change: a PI revision
    on_order(gendan, main, lambda o: o.sign_back_proforma_invoice("Hans", "scan-3", BOSS))
    assert row()["blockers"] == [board.WAITING_BALANCE]

    # A second order: an infeasible plan before release, a factory's delay.
    rushed = new_order(gendan, customer, delivery=TODAY + timedelta(days=10))
    to_confirmed(gendan, rushed)
    plan = gendan.production.plan_production(rushed, "general", None, None, None, MERCH).view
    assert not plan["plan"]["feasible"]
    gendan.production.report_delay(rushed, "workforce", "factory", 4,
                                   TODAY + timedelta(days=14), "overtime", None, MERCH)
    found = row(rushed)
    assert found["next_milestone"] == "production release"  # not released: as before
    assert found["blockers"] == [
        board.WAITING_DEPOSIT, production.plan_infeasible(plan["plan"]["days_short"]),
        production.WAITING_CONSENT]
    assert found["risk"] == "red"
    assert at_risk("red") == {str(rushed)}
    assert at_risk("green") == {str(main), str(calm)} and at_risk("amber") == set()

    # The delay-cause report: every cause and party, by days lost.
    report = reads(fresh_settings, "delay_causes")
    assert report["total"] == {"count": 3, "days": 17}
    assert report["by_cause"] == [
        {"cause": "material_shortage", "count": 1, "days": 10},
        {"cause": "workforce", "count": 1, "days": 4},
        {"cause": "rush_orders", "count": 1, "days": 3},
        {"cause": "accumulated_delay", "count": 0, "days": 0},
        {"cause": "equipment_failure", "count": 0, "days": 0},
        {"cause": "high_defect_rate", "count": 0, "days": 0},
        {"cause": "plan_error", "count": 0, "days": 0},
    ]
    assert report["by_responsible"] == [
        {"responsible": "supplier", "count": 1, "days": 10},
        {"responsible": "factory", "count": 1, "days": 4},
        {"responsible": "customer", "count": 1, "days": 3},
        {"responsible": "company", "count": 0, "days": 0},
    ]
    assert reads(fresh_settings, "delay_causes", since=TODAY, until=TODAY)["total"] == {
        "count": 3, "days": 17}
    before = reads(fresh_settings, "delay_causes", until=TODAY - timedelta(days=1))
    assert before["total"] == {"count": 0, "days": 0} and before["until"] == (
        TODAY - timedelta(days=1))
    assert len(before["by_cause"]) == 7 and len(before["by_responsible"]) == 4

    # Everything in the audit trail; a rebuild equals the live read models.
    runner.run_until_caught_up()
    runner.stop()
    live = dump(fresh_settings)
    types = {r["type"] for r in live["rm_audit"]}
    assert {"ProductionNoticeDrafted", "ProductionPlanned", "MilestoneCompleted",
            "ProgressReported", "DelayReported", "DelayConsented", "ChangeRequested",
            "ChangeAccepted"} <= types
    delays = [(r["reference"], r["cause"], r["reported_on"]) for r in live["rm_delays"]]
    references = {r["order_id"]: r["reference"] for r in live["rm_board"]}
    assert delays == [(references[str(main)], "material_shortage", TODAY),
                      (references[str(main)], "rush_orders", TODAY),
                      (references[str(rushed)], "workforce", TODAY)]
    assert rebuild_all(fresh_settings) == gendan.last_position()
    assert dump(fresh_settings) == live


def test_a_rejected_change_and_a_consent_before_the_delay(fresh_settings, gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store)
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    oid = released(gendan, customer)

    def blockers() -> list[str]:
        runner.run_until_caught_up()
        (found,) = [r for r in dump(fresh_settings)["rm_board"] if r["order_id"] == str(oid)]
        return found["blockers"]

    # A consent given first covers a later delay up to its date.
    gendan.production.record_delay_consent(oid, D + timedelta(days=5), "mail-1", None, BOSS)
    gendan.production.report_delay(oid, "equipment_failure", "factory", 5,
                                   D + timedelta(days=5), "spare part", None, MERCH)
    assert production.WAITING_CONSENT not in blockers()
    gendan.production.report_delay(oid, "equipment_failure", "factory", 2,
                                   D + timedelta(days=7), "second failure", None, MERCH)
    assert production.WAITING_CONSENT in blockers()
    gendan.production.report_progress(oid, TODAY, "100", None, None, None, None, None, None,
                                      MERCH)
    # A change that re-dates the order past the forecast ends the wait.
    change = gendan.production.request_change(
        oid, "delivery_date", None, None, D + timedelta(days=7), "company", "late fabric",
        "mail-2", MERCH).extra
    gendan.production.decide_change(oid, change["change_id"], "accepted", [], "mail-3", BOSS)
    assert production.WAITING_CONSENT not in blockers()
    change = gendan.production.request_change(
        oid, "quantity", [{"line_no": 1, "quantity": "12000"}], None, None, "customer",
        "more", "mail-4", MERCH).extra
    assert production.CHANGE_PENDING in blockers()
    gendan.production.decide_change(oid, change["change_id"], "rejected", None, "mail-5", BOSS)
    assert production.CHANGE_PENDING not in blockers()
    assert production.COST_ANALYSIS_NEEDED not in blockers()
    runner.stop()
    live = dump(fresh_settings)
    (money,) = live["rm_finance"]
    assert money["contract_minor"] == 850000  # a rejected change changes nothing
    rebuild_all(fresh_settings)
    assert dump(fresh_settings) == live
