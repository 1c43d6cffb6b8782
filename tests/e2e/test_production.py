"""Production follow-up over HTTP (issue 11, "Done when"), on both stores
(``api``): a plan worked backward from the ex-factory date on the factory's
working days, an infeasible plan, a late milestone moving the forecast,
progress behind plan and the delay that explains it, G6 (a late shipment
waits for the customer's consent), G9 (changes and cancellation by how far
production has gone), and a price change after confirmation (G1, G2).

The expected dates are computed here from the calendar's definition, not
with ``app.domain.tna``. "Today" is the server's UTC day, as the use cases
take it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import holidays

from tests.e2e.helpers import (
    PROBLEM,
    SHIPMENT,
    alert_codes,
    command,
    get_order,
    headers,
    lifecycle,
    make_ready_to_ship,
    pay,
    refused,
)

ALL_DAYS = {"working_weekdays": [1, 2, 3, 4, 5, 6, 7], "country": None}


def today() -> date:
    return datetime.now(timezone.utc).date()


def milestone(code: str, lead_days: int, owner_role: str = "merchandiser") -> dict:
    return {"code": code, "name": code.replace("_", " ").capitalize(),
            "owner_role": owner_role, "lead_days": lead_days}


async def production(api, oid: str, role: str = "merchandiser") -> dict:
    r = await api.get(f"/v1/orders/{oid}/production", role=role)
    assert r.status_code == 200, r.text
    return r.json()


def planned(view: dict) -> dict[str, date]:
    return {m["code"]: date.fromisoformat(m["planned_on"]) for m in view["plan"]["milestones"]}


# ---- the plan, worked backward ---------------------------------------------------

# Monday to Friday (Saturday off), China's public holidays, and the Spring
# Festival shutdown, longer than the statutory holiday (2027-02-05..10).
CLOSURE = (date(2027, 1, 25), date(2027, 2, 14))
FIVE_DAYS = {"working_weekdays": [1, 2, 3, 4, 5], "country": "CN",
             "closures": [{"from": CLOSURE[0].isoformat(), "to": CLOSURE[1].isoformat()}]}
GARMENT = [milestone("fabric_in_house", 0, "purchaser"), milestone("cutting_start", 6),
           milestone("sewing_start", 3), milestone("sewing_end", 15),
           milestone("packing", 4), milestone("final_inspection", 2, "qc"),
           milestone("ex_factory", 2)]


def is_working(day: date) -> bool:
    """FIVE_DAYS, as the issue defines a working day."""
    return (day.isoweekday() <= 5 and day not in holidays.country_holidays("CN", years=day.year)
            and not CLOSURE[0] <= day <= CLOSURE[1])


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end."""
    return sum(is_working(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


async def test_a_plan_is_worked_backward_on_the_factorys_working_days(api):
    order = await lifecycle(api, "confirmed")  # due ex-factory 2027-03-01, a Monday
    oid = order["id"]
    view = await command(api, oid, "/production-plan",
                         {"milestones": GARMENT, "calendar": FIVE_DAYS}, role="merchandiser",
                         status=201)
    plan = view["plan"]
    assert (plan["revision"], plan["feasible"], plan["days_short"]) == (1, True, 0)
    assert (plan["template"], plan["ex_factory"]) == (None, "2027-03-01")
    assert plan["calendar"] == FIVE_DAYS
    days = planned(view)
    assert list(days) == [m["code"] for m in GARMENT]
    assert days["ex_factory"] == date(2027, 3, 1)
    assert all(is_working(day) for day in days.values()), days
    # Each milestone lead_days(next) working days before the next.
    for before, after in zip(GARMENT, GARMENT[1:]):
        assert working_days_after(days[before["code"]], days[after["code"]]) == \
            after["lead_days"], (before["code"], after["code"], days)
    # New Year's Day lies in the plan's window, the shutdown inside sewing.
    assert days["fabric_in_house"] < date(2027, 1, 1) < days["sewing_start"]
    assert days["sewing_start"] < CLOSURE[0] and days["sewing_end"] > CLOSURE[1]
    assert all(m["forecast_on"] == m["planned_on"] and m["completed_on"] is None
               for m in plan["milestones"])
    assert plan["forecast_ex_factory"] == view["forecast_ex_factory"] == "2027-03-01"
    assert view["waiting_for_consent"] is False
    assert view == {**(await production(api, oid, role="bi")), "position": view["position"]}

    # Re-planned from the garment template at 500 a day: sewing lasts the
    # 20 working days 10000 units need (the end's lead: 20 - 1 - 3 inside).
    again = await command(api, oid, "/production-plan", {
        "template": "garment", "daily_capacity": 500, "calendar": FIVE_DAYS},
        role="supervisor", status=201)
    assert (again["plan"]["revision"], again["plan"]["template"]) == (2, "garment")
    leads = {m["code"]: m["lead_days"] for m in again["plan"]["milestones"]}
    assert leads["sewing_end"] == 16
    days = planned(again)
    assert working_days_after(days["sewing_start"], days["sewing_end"]) == 20
    assert days["ex_factory"] == date(2027, 3, 1) and len(days) == 12


async def test_an_infeasible_plan_says_how_many_working_days_it_is_short(api):
    due = today() + timedelta(days=10)
    order = await lifecycle(api, "confirmed", delivery_date=due.isoformat())
    view = await command(api, order["id"], "/production-plan",
                         {"template": "garment", "calendar": ALL_DAYS}, status=201)
    # The garment template needs 28 working days after its first milestone.
    days = planned(view)
    assert days["ex_factory"] == due
    assert days["fabric_in_house"] == due - timedelta(days=28)
    assert (view["plan"]["feasible"], view["plan"]["days_short"]) == (False, 18)


# ---- the merchandiser's day: a late milestone, progress, a delay, G6 ----------------

SHORT_PLAN = [milestone("materials_in_house", 0, "purchaser"),
              milestone("production_start", 5), milestone("production_end", 10),
              milestone("packing", 2), milestone("ex_factory", 3)]


async def test_a_late_order_from_its_milestone_to_the_customers_consent(api):
    now = today()
    due = now + timedelta(days=10)
    order = await lifecycle(api, "in_production", delivery_date=due.isoformat())
    oid = order["id"]
    view = await command(api, oid, "/production-plan",
                         {"milestones": SHORT_PLAN, "calendar": ALL_DAYS}, status=201)
    days = planned(view)
    assert days["production_start"] == now - timedelta(days=5)
    assert days["production_end"] == now + timedelta(days=5)

    # Production started today, five days late: every later milestone moves.
    done = await command(api, oid, "/milestones/production_start/completion",
                         {"on": now.isoformat(), "evidence_ref": "photo-line-3"}, role="qc")
    start = {m["code"]: m for m in done["plan"]["milestones"]}["production_start"]
    assert (start["completed_on"], start["days_late"]) == (now.isoformat(), 5)
    forecast = {m["code"]: m["forecast_on"] for m in done["plan"]["milestones"]}
    assert forecast["production_end"] == (now + timedelta(days=10)).isoformat()
    late = (due + timedelta(days=5)).isoformat()
    assert forecast["ex_factory"] == done["forecast_ex_factory"] == late
    assert done["waiting_for_consent"] is True
    order = await get_order(api, oid)
    [risk] = [a for a in order["alerts"] if a["code"] == "ex_factory_at_risk"]
    assert risk["for_role"] == "supervisor"

    # 1000 made against 10000 x 6/11 planned by today (the span's 6th of 11 days).
    progress = await command(api, oid, "/progress", {
        "on": now.isoformat(), "cut": "3000", "made": "1000", "lines_running": 2,
        "by_size": [{"colour": "natural", "size": "std", "cut": "3000", "made": "1000"}],
    }, role="merchandiser")
    [report] = progress["progress"]
    assert (report["made"], report["planned"], report["behind"]) == ("1000", "5455", "4455")
    assert (report["finished"], report["packed"], progress["stage"]) == ("0", "0", "partial")
    order = await get_order(api, oid, role="merchandiser")
    [behind] = [a for a in order["alerts"] if a["code"] == "progress_behind_plan"]
    assert behind["for_role"] == "merchandiser"

    # A delay with its cause answers the alert; the forecast stays late.
    delayed = await command(api, oid, "/delays", {
        "cause": "material_shortage", "responsible": "supplier", "days": 5,
        "forecast_ex_factory": late, "action": "second supplier for the lining"},
        role="merchandiser")
    [delay] = delayed["delays"]
    assert delay["delay_id"] == delayed["delay_id"]
    assert (delay["cause"], delay["responsible"], delay["days"]) == (
        "material_shortage", "supplier", 5)
    assert delay["reported_on"] == now.isoformat()
    order = await get_order(api, oid)
    assert "progress_behind_plan" not in alert_codes(order)
    assert "ex_factory_at_risk" in alert_codes(order)

    # G6: shipped after the agreed date only once the customer consented.
    await make_ready_to_ship(api, oid)  # G11, G12
    await pay(api, oid, "balance", None)
    shipment = {**SHIPMENT, "shipped_on": late}
    problem = await refused(api, oid, "/shipments", shipment, rule="G6", role="purchaser")
    assert "no consent" in problem["detail"]
    await refused(api, oid, "/delay-consent", {"consented_date": late, "evidence_ref": " "},
                  status=422, role="merchandiser")
    consent = await command(api, oid, "/delay-consent", {
        "consented_date": (due + timedelta(days=3)).isoformat(), "evidence_ref": "mail-77"},
        role="supervisor")
    assert consent["waiting_for_consent"] is True  # three days are not five
    await refused(api, oid, "/shipments", shipment, rule="G6", role="purchaser")
    consent = await command(api, oid, "/delay-consent", {
        "consented_date": late, "evidence_ref": "mail-78",
        "compensation": {"amount": "150.00", "currency": "USD", "terms": "off the balance"}},
        role="merchandiser")
    assert consent["waiting_for_consent"] is False
    assert consent["consents"][-1] == {"consented_date": late, "evidence_ref": "mail-78",
                                       "compensation": {"amount": "150.00", "currency": "USD",
                                                        "terms": "off the balance"}}
    assert "ex_factory_at_risk" not in alert_codes(await get_order(api, oid))
    shipped = await command(api, oid, "/shipments", shipment, role="purchaser")
    assert shipped["state"] == "shipped"


async def test_progress_on_plan_raises_nothing_and_a_report_is_idempotent(api):
    now = today()
    order = await lifecycle(api, "in_production",
                            delivery_date=(now + timedelta(days=10)).isoformat())
    oid = order["id"]
    await command(api, oid, "/production-plan", {"milestones": SHORT_PLAN,
                                                 "calendar": ALL_DAYS}, status=201)
    body = {"on": now.isoformat(), "made": "5000", "note": "two lines"}
    key = {"Idempotency-Key": f"progress-{uuid.uuid4()}"}
    url = f"/v1/orders/{oid}/progress"
    first = await api.client.post(url, json=body, headers={**headers(api, "qc"), **key})
    again = await api.client.post(url, json=body, headers={**headers(api, "qc"), **key})
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json() and len(first.json()["progress"]) == 1
    assert (first.json()["progress"][0]["behind"], first.json()["stage"]) == ("455", "partial")
    assert "progress_behind_plan" not in alert_codes(await get_order(api, oid))
    # Cumulative figures never go down; a day to come is not reported.
    await refused(api, oid, "/progress", {"on": now.isoformat(), "made": "4000"}, status=422,
                  role="qc")
    problem = await refused(api, oid, "/progress", {
        "on": (now + timedelta(days=1)).isoformat(), "made": "6000"}, status=422, role="qc")
    assert problem["errors"][0]["field"] == "on"


# ---- changes by production stage (G9) ----------------------------------------------

QUANTITY_CHANGE = {"kind": "quantity", "lines": [{"line_no": 1, "quantity": "12000"}],
                   "requested_by": "customer", "reason": "a second shop opens",
                   "evidence_ref": "mail-2027-01-03"}


async def test_a_change_before_production_is_accepted_at_once(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    changed = await command(api, oid, "/changes", QUANTITY_CHANGE, role="merchandiser",
                            status=201)
    assert (changed["status"], changed["stage"]) == ("accepted", "none")
    [change] = changed["changes"]
    assert change["change_id"] == changed["change_id"]
    assert (change["status"], change["kind"], change["pi_revision"]) == ("accepted",
                                                                          "quantity", 2)
    order = await get_order(api, oid)
    assert (order["lines"][0]["quantity"], order["total"]) == ("12000", "10200.00")
    assert order["proforma_invoice"] == {"revision": 2, "signed_back": False}
    assert order["state"] == "in_production"


async def test_a_change_during_production_waits_for_a_decision_with_its_costs(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    await command(api, oid, "/production-plan", {"template": "garment"}, status=201)
    await command(api, oid, "/progress", {"on": today().isoformat(), "cut": "2000",
                                          "made": "500"}, role="qc")
    later = {"kind": "delivery_date", "delivery_date": "2027-04-15", "requested_by": "customer",
             "reason": "the shop opens later", "evidence_ref": "mail-2027-01-20"}
    pending = await command(api, oid, "/changes", later, role="merchandiser", status=201)
    assert (pending["status"], pending["stage"]) == ("pending", "partial")
    cid = pending["change_id"]
    assert (await get_order(api, oid))["delivery_date"] == "2027-03-01"  # not yet
    decision = f"/changes/{cid}/decision"
    bears = [{"item": "storage", "amount": "120.00", "currency": "USD"}]
    await refused(api, oid, decision, {"decision": "accepted", "customer_bears": bears,
                                       "evidence_ref": "mail-2027-01-21"},
                  status=403, role="merchandiser")
    await refused(api, oid, "/changes/no-such-change/decision",
                  {"decision": "accepted", "evidence_ref": "mail"}, status=404,
                  role="supervisor")
    decided = await command(api, oid, decision, {
        "decision": "accepted", "customer_bears": bears, "evidence_ref": "mail-2027-01-21"},
        role="supervisor")
    assert (decided["change_id"], decided["status"]) == (cid, "accepted")
    [change] = decided["changes"]
    assert (change["status"], change["customer_bears"]) == ("accepted", bears)
    assert decided["delivery_date"] == "2027-04-15"
    # The plan is worked again from the new date.
    assert (decided["plan"]["revision"], decided["plan"]["ex_factory"]) == (2, "2027-04-15")
    assert planned(decided)["ex_factory"] <= date(2027, 4, 15)
    await refused(api, oid, decision, {"decision": "rejected", "evidence_ref": "mail"},
                  status=409, role="manager")
    # Another one, rejected: the order keeps its quantity.
    pending = await command(api, oid, "/changes", QUANTITY_CHANGE, status=201)
    rejected = await command(api, oid, f"/changes/{pending['change_id']}/decision",
                             {"decision": "rejected", "evidence_ref": "call-2027-01-22"},
                             role="manager")
    assert rejected["status"] == "rejected"
    assert (await get_order(api, oid))["lines"][0]["quantity"] == "10000"


async def test_after_production_a_change_or_cancellation_is_g9(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    view = await command(api, oid, "/progress", {"on": today().isoformat(), "cut": "10000",
                                                 "made": "10000", "finished": "10000"},
                         role="merchandiser")
    assert view["stage"] == "finished"
    problem = await refused(api, oid, "/changes", QUANTITY_CHANGE, rule="G9",
                            role="merchandiser")
    assert "finished" in problem["detail"]
    await refused(api, oid, "/cancellation", {"reason": "withdrawn"}, rule="G9",
                  role="supervisor")


async def test_a_partly_produced_order_is_cancelled_with_what_the_customer_bears(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    await command(api, oid, "/progress", {"on": today().isoformat(), "cut": "4000"}, role="qc")
    problem = await refused(api, oid, "/cancellation", {"reason": "shop closed"}, rule="G9",
                            role="supervisor")
    assert "customer_bears" in problem["detail"]
    bears = [{"item": "special_materials", "amount": "800.00", "currency": "USD"},
             {"item": "wastage", "amount": "120.50", "currency": "USD"}]
    cancelled = await command(api, oid, "/cancellation", {
        "reason": "shop closed", "customer_bears": bears, "evidence_ref": "mail-2027-02-01"},
        role="supervisor")
    assert cancelled["state"] == "cancelled"
    [alert] = [a for a in cancelled["alerts"] if a["code"] == "cancelled_during_production"]
    assert alert["for_role"] == "purchaser"
    r = await api.get("/v1/audit", role="supervisor", params={
        "order_id": oid, "type": "CancellationCostsAgreed",
        "min_position": cancelled["position"]})
    assert r.status_code == 200, r.text
    [event] = r.json()["data"]
    assert event["data"]["customer_bears"] == bears
    # Before release nothing was produced: a plain cancellation, as before.
    confirmed = await lifecycle(api, "confirmed")
    plain = await command(api, confirmed["id"], "/cancellation", {"reason": "withdrawn"},
                          role="manager")
    assert plain["state"] == "cancelled" and plain["alerts"] == []


# ---- a price rise after confirmation (Plan 3 a-001: G1, G2) -------------------------


async def test_a_price_change_needs_the_new_pi_signed_back_and_a_new_cost_analysis(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    change = {"kind": "price", "lines": [{"line_no": 1, "unit_price": "0.90"}],
              "requested_by": "company", "reason": "raw-material price rise",
              "evidence_ref": "supplier-notice-12"}
    changed = await command(api, oid, "/changes", change, role="supervisor", status=201)
    assert changed["status"] == "accepted"
    order = await get_order(api, oid)
    assert (order["total"], order["lines"][0]["unit_price"]) == ("9000.00", "0.90")
    assert order["proforma_invoice"] == {"revision": 2, "signed_back": False}
    paid = await pay(api, oid, "balance", None)
    assert paid["balance_due"] == "0.00"  # 9000.00 - the 2550.00 deposit, paid

    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G1", role="purchaser")
    assert "revision 2" in problem["detail"]
    signed = await command(api, oid, "/proforma-invoice/signed-back",
                           {"signed_by": "Hans Meyer", "evidence_ref": "scan-PI-2"},
                           role="supervisor")
    assert signed["proforma_invoice"] == {"revision": 2, "signed_back": True}
    assert signed["state"] == "in_production"  # the column never moves back
    await make_ready_to_ship(api, oid)  # G11, G12
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G2", role="purchaser")
    assert "cost analysis" in problem["detail"]
    costed = await command(api, oid, "/cost-analysis", {"costs": [
        {"item": "fabric", "amount": "8600.00", "currency": "USD"}]}, role="merchandiser")
    assert costed["margin"] == "0.0444"  # (9000 - 8600) / 9000: below 5 %
    await refused(api, oid, "/shipments", SHIPMENT, rule="G2", role="purchaser")
    await command(api, oid, "/margin-approval", {"reason": "the customer pays the rise"})
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"


# ---- the notice, templates, bad inputs and roles -------------------------------------


async def test_the_notice_is_drafted_before_release_and_frozen_by_it(api):
    order = await lifecycle(api, "deposit_paid", lines=[
        {"sku": "TEE", "quantity": "300", "unit": "pcs", "unit_price": "3.00"},
        {"sku": "CAP", "quantity": "100", "unit": "pcs", "unit_price": "2.00"}],
        costs=[{"item": "all", "amount": "900.00", "currency": "USD"}])
    oid = order["id"]
    notice = {
        "factory": {"name": "Ningbo Sewing Co.", "kind": "subcontractor"},
        "requirements": {"quality": "AQL 2.5", "packaging": "10 pcs a polybag",
                         "shipping_marks": "NORDWIND / PO / C/NO.", "labels": "care label"},
        "breakdown": [
            {"line_no": 1, "colour": "navy", "size": "M", "quantity": "120"},
            {"line_no": 1, "colour": "navy", "size": "L", "quantity": "180"},
            {"line_no": 2, "colour": "white", "size": "one", "quantity": "90"}],
        "accessories": [{"item": "polybag", "spec": "30x40 cm"}],
    }
    problem = await refused(api, oid, "/production-notice", notice, status=422,
                            role="merchandiser", method="PUT")
    assert problem["errors"][0]["field"] == "breakdown"
    assert "line 2" in problem["errors"][0]["message"]
    notice["breakdown"][2]["quantity"] = "100"
    view = await command(api, oid, "/production-notice", notice, role="merchandiser",
                         method="PUT")
    assert view["notice"]["revision"] == 1 and view["notice"]["frozen"] is False
    assert view["notice"]["factory"] == {"name": "Ningbo Sewing Co.", "kind": "subcontractor",
                                         "supplier_id": None}
    assert view["notice"]["breakdown"][1] == {"line_no": 1, "colour": "navy", "size": "L",
                                              "quantity": "180"}
    again = await command(api, oid, "/production-notice", notice, role="supervisor",
                          method="PUT")
    assert again["notice"]["revision"] == 2
    await command(api, oid, "/production-release", {}, role="supervisor")
    assert (await production(api, oid))["notice"]["frozen"] is True
    await refused(api, oid, "/production-notice", notice, status=409, role="merchandiser",
                  method="PUT")


async def test_templates_are_listed_for_staff(api):
    r = await api.get("/v1/production-templates", role="qc")
    assert r.status_code == 200, r.text
    templates = {t["code"]: t for t in r.json()["data"]}
    assert set(templates) >= {"garment", "general"}
    codes = [m["code"] for m in templates["garment"]["milestones"]]
    assert codes[0] == "fabric_in_house" and codes[-1] == "ex_factory"
    assert {"pp_meeting", "cutting_start", "sewing_start", "final_inspection"} <= set(codes)
    for role in ("bi", "supplier"):
        r = await api.client.get("/v1/production-templates", headers=headers(api, role))
        assert r.status_code == 403, role


async def test_bad_inputs_are_422_naming_the_field(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    cases = [
        ("/production-plan", {"template": "shoes"}, "body.template"),
        ("/production-plan", {"template": "garment", "milestones": GARMENT}, "template"),
        ("/production-plan", {"milestones": GARMENT[:-1]}, "milestones"),
        ("/production-plan", {"template": "garment", "calendar": {"working_weekdays": [0]}},
         "body.calendar.working_weekdays.0"),
        ("/production-plan", {"template": "garment", "daily_capacity": "500"},
         "body.daily_capacity"),
        ("/delays", {"cause": "laziness", "responsible": "factory", "days": 2,
                     "forecast_ex_factory": "2027-03-03", "action": "talk"}, "body.cause"),
        ("/delays", {"cause": "workforce", "responsible": "factory", "days": 2,
                     "forecast_ex_factory": "2027-03-03", "action": "hire",
                     "purchase_order_id": str(uuid.uuid4())}, "purchase_order_id"),
        ("/progress", {"on": "2027-13-01", "made": "1"}, "body.on"),
        ("/progress", {"on": today().isoformat(), "made": 5}, "body.made"),
        ("/changes", {**QUANTITY_CHANGE, "lines": [{"line_no": 7, "quantity": "1"}]},
         "lines.0.line_no"),
        ("/changes", {**QUANTITY_CHANGE, "kind": "colour"}, "body.kind"),
        ("/delay-consent", {"consented_date": "2027-02-01", "evidence_ref": "mail"},
         "consented_date"),
    ]
    for path, body, field in cases:
        problem = await refused(api, oid, path, body, status=422, role="merchandiser")
        assert field in [e["field"] for e in problem["errors"]], (path, body, problem)
    problem = await refused(api, oid, "/milestones/sewing_start/completion",
                            {"on": today().isoformat()}, status=409, role="qc")
    assert "no production plan" in problem["detail"]
    await command(api, oid, "/production-plan", {"template": "garment"}, status=201)
    await refused(api, oid, "/milestones/no_such_step/completion",
                  {"on": today().isoformat()}, status=404, role="qc")


async def test_roles_outside_each_row_are_refused(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    now = today().isoformat()
    rows = [
        ("/production-notice", {}, {"qc", "purchaser", "accountant", "bi", "supplier"}, "PUT"),
        ("/production-plan", {"template": "garment"}, {"qc", "accountant", "bi"}, "POST"),
        ("/progress", {"on": now}, {"supervisor", "manager", "purchaser", "bi"}, "POST"),
        ("/milestones/packing/completion", {"on": now}, {"purchaser", "accountant"}, "POST"),
        ("/delays", {}, {"qc", "purchaser", "accountant"}, "POST"),
        ("/delay-consent", {}, {"qc", "accountant", "supplier"}, "POST"),
        ("/changes", QUANTITY_CHANGE, {"qc", "purchaser", "accountant", "bi"}, "POST"),
        (f"/changes/{uuid.uuid4()}/decision", {"decision": "rejected", "evidence_ref": "m"},
         {"merchandiser", "qc", "purchaser"}, "POST"),
    ]
    for path, body, roles, method in rows:
        for role in roles:
            r = await api.client.request(method, f"/v1/orders/{oid}{path}", json=body,
                                         headers=headers(api, role))
            assert r.status_code == 403, (path, role, r.text)
            assert r.headers["content-type"].startswith(PROBLEM)
    assert (await get_order(api, oid))["version"] == order["version"]
    for role in ("bi", "qc", "accountant"):
        assert (await api.get(f"/v1/orders/{oid}/production", role=role)).status_code == 200
    r = await api.client.get(f"/v1/orders/{oid}/production", headers=headers(api, "supplier"))
    assert r.status_code == 403
    r = await api.get(f"/v1/orders/{uuid.uuid4()}/production")
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
