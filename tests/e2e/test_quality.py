"""Quality and packing over HTTP (issue 12, "Done when"), on both stores
(``api``): the ISO 2859-1 sampling plans, G11 (a failed final inspection
blocks shipment until a passed re-inspection or a manager's concession),
the switching rules across a factory's lots, G12 (a packing list short on
one colour and size blocks shipment until a supervisor accepts it), an
incoming inspection rejecting a PO's lot, and the documents as JSON, CSV
and PDF.

The expected plans are the standard's, written here from its tables: Table
1's letters, the sample sizes of Tables 2-A, 2-B and 2-C, and Table 2-A's
cells read along its diagonals (each step down a letter and left an AQL
keeps the acceptance number), not computed with ``app.domain.sampling``.

Each lot that moves a factory's switching state is the first final
inspection of its own order; a test's orders share a SKU of their own, so
no other test's lots touch its record (the records are per factory and
product, and the live server is shared).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from tests.commands import notice_for
from tests.e2e.helpers import (
    PROBLEM,
    SHIPMENT,
    command,
    get_order,
    headers,
    inspection_body,
    lifecycle,
    new_customer,
    pay,
    refused,
)
from tests.e2e.sourcing import line, new_item, placed_po

OWN = "own:own workshop"  # the factory of notice_for's production notice
FAIL = {"defects": {"critical": 0, "major": 12, "minor": 0}}  # lot 1000: J, Ac 5 (3 tightened)


def today() -> date:
    return datetime.now(timezone.utc).date()


def new_sku() -> str:
    return f"TEE-{uuid.uuid4().hex[:8].upper()}"


async def own_order(api, customer: str, sku: str, until: str = "in_production") -> dict:
    """An order of 1000 pcs of ``sku`` made in the own workshop."""
    return await lifecycle(api, until, customer_id=customer, samples_required=False, lines=[
        {"sku": sku, "description": "cotton tee", "quantity": "1000", "unit": "pcs",
         "unit_price": "8.50"}])


async def record(api, oid: str, *, role: str = "qc", status: int = 201, **overrides) -> dict:
    """``POST /v1/orders/{id}/inspections``: a final inspection of 1000 that
    passes, with ``overrides``; the answer."""
    order = await get_order(api, oid)
    r = await api.post(f"/v1/orders/{oid}/inspections", inspection_body(order, **overrides),
                       role=role)
    assert r.status_code == status, r.text
    return r.json()


async def switching(api, product: str, factory: str = OWN) -> dict:
    r = await api.get("/v1/quality/switching", role="merchandiser",
                      params={"factory": factory, "product": product})
    assert r.status_code == 200, r.text
    return r.json()


async def document(api, path: str, accept: str, role: str = "merchandiser"):
    return await api.client.get(path, headers={**headers(api, role), "Accept": accept})


# ---- the sampling plan (ISO 2859-1) ----------------------------------------------------

LETTERS = "ABCDEFGHJKLMNPQR"
# Table 1, level II: the largest lot of each letter (Q: any lot from 500001).
LEVEL_II_LOTS = dict(zip(LETTERS, (8, 15, 25, 50, 90, 150, 280, 500, 1200, 3200, 10000,
                                   35000, 150000, 500000, 10_000_000)))
NORMAL_SIZES = dict(zip(LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800,
                                  1250, 2000)))
REDUCED_SIZES = dict(zip(LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500,
                                   800)))
AQLS = ("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65",
        "1.0", "1.5", "2.5", "4.0", "6.5", "10")
# Table 2-A along its diagonals (letter index + AQL index): Ac 0 where the
# sum is 14, an arrow up below it, an arrow down at 16 and before 14, then
# Ac 1, 2, 3, 5, 7, 10, 14, 21 (Re = Ac + 1), arrows up after 21.
PLANS_BY_DIAGONAL = {14: 0, 17: 1, 18: 2, 19: 3, 20: 5, 21: 7, 22: 10, 23: 14, 24: 21}
# At the table's edges the arrow that the diagonal gives would leave it.
EDGES = {("R", "0.015"), ("A", "10")}


def table_2a(letter: str, aql: str) -> tuple[str, int]:
    """The letter whose plan a Table 2-A cell leads to, and its Ac."""
    at, column = LETTERS.index(letter), AQLS.index(aql)
    while at + column not in PLANS_BY_DIAGONAL:
        at += 1 if at + column <= 13 or at + column == 16 else -1
    return LETTERS[at], PLANS_BY_DIAGONAL[at + column]


async def plan(api, lot: int, aql: str, severity: str = "normal", level: str = "II",
               role: str = "qc") -> dict:
    r = await api.get("/v1/sampling-plan", role=role, params={
        "lot": lot, "level": level, "aql": aql, "severity": severity})
    assert r.status_code == 200, r.text
    return r.json()


async def test_table_2a_every_letter_and_aql_arrows_included(api):
    lots = {**LEVEL_II_LOTS, "R": 10_000_000}  # R: level III from 500001
    for letter, lot in lots.items():
        level = "III" if letter == "R" else "II"
        for aql in AQLS:
            if (letter, aql) in EDGES:
                continue
            used, accept = table_2a(letter, aql)
            size = NORMAL_SIZES[used]
            full = size >= lot
            assert await plan(api, lot, aql, level=level) == {
                "lot_code_letter": letter, "code_letter": used,
                "sample_size": lot if full else size, "accept": accept, "reject": accept + 1,
                "full_inspection": full}, (letter, aql)


async def test_published_cells_of_tables_2a_2b_and_2c(api):
    # 2-A: the garment trade's everyday plans (lot 500, 1000; AQL 2.5 and 4.0).
    assert await plan(api, 500, "2.5") == {
        "lot_code_letter": "H", "code_letter": "H", "sample_size": 50, "accept": 3,
        "reject": 4, "full_inspection": False}
    assert (await plan(api, 1000, "4.0", role="accountant"))["accept"] == 7
    # Arrows: down from E to F's plan, up from D to C's, with that letter's sample.
    assert await plan(api, 60, "2.5") == {
        "lot_code_letter": "E", "code_letter": "F", "sample_size": 20, "accept": 1,
        "reject": 2, "full_inspection": False}
    assert await plan(api, 30, "2.5", role="purchaser") == {
        "lot_code_letter": "D", "code_letter": "C", "sample_size": 5, "accept": 0,
        "reject": 1, "full_inspection": False}
    # Up from N to M's 21/22 at 4.0; down from A to F at 0.65: more than the lot of 4.
    assert await plan(api, 150000, "4.0") == {
        "lot_code_letter": "N", "code_letter": "M", "sample_size": 315, "accept": 21,
        "reject": 22, "full_inspection": False}
    assert await plan(api, 4, "0.65") == {
        "lot_code_letter": "A", "code_letter": "F", "sample_size": 4, "accept": 0,
        "reject": 1, "full_inspection": True}
    # The right of 2-A: A and B end on 30/31 and 44/45 at AQL 1000; C points up to B.
    assert (await plan(api, 8, "1000"))["accept"] == 30
    assert (await plan(api, 15, "1000"))["accept"] == 44
    assert (await plan(api, 25, "1000"))["code_letter"] == "B"
    # Special levels read Table 1's other columns: 3000 at S-3 is E; 1.5 points up to D.
    assert await plan(api, 3000, "1.5", level="S-3") == {
        "lot_code_letter": "E", "code_letter": "D", "sample_size": 8, "accept": 0,
        "reject": 1, "full_inspection": False}

    # 2-B (tightened): normal's sample sizes, Ac 0, 1, 2, 3, 5, 8, 12, 18.
    for lot, letter, accept in ((50, "D", 0), (500, "H", 2), (1200, "J", 3), (3200, "K", 5),
                                (10000, "L", 8), (35000, "M", 12), (150000, "N", 18)):
        assert await plan(api, lot, "2.5", "tightened", role="merchandiser") == {
            "lot_code_letter": letter, "code_letter": letter,
            "sample_size": NORMAL_SIZES[letter], "accept": accept, "reject": accept + 1,
            "full_inspection": False}, letter
    # 2-C (reduced): the smaller samples, Ac 1, 2, 3, 5, 6, 8, 10 at AQL 10.
    for lot, letter, accept in ((50, "D", 1), (90, "E", 2), (150, "F", 3), (280, "G", 5),
                                (500, "H", 6), (1200, "J", 8), (3200, "K", 10)):
        assert await plan(api, lot, "10", "reduced", role="supervisor") == {
            "lot_code_letter": letter, "code_letter": letter,
            "sample_size": REDUCED_SIZES[letter], "accept": accept, "reject": accept + 1,
            "full_inspection": False}, letter
    for lot, letter in ((10000, "L"), (35000, "M")):
        assert (await plan(api, lot, "4.0", "reduced"))["sample_size"] == REDUCED_SIZES[letter]


@pytest.mark.parametrize(("params", "field"), [
    ({"lot": 1, "aql": "2.5"}, "query.lot"),
    ({"lot": 0, "aql": "2.5"}, "query.lot"),
    ({"lot": "many", "aql": "2.5"}, "query.lot"),
    ({"lot": 10_000_001, "aql": "2.5"}, "query.lot"),
    ({"lot": 500, "aql": "2.4"}, "query.aql"),
    ({"lot": 500, "aql": "3"}, "query.aql"),
    ({"lot": 500, "aql": "-1"}, "query.aql"),
    ({"lot": 500}, "query.aql"),
    ({"lot": 500, "aql": "2.5", "level": "IV"}, "query.level"),
    ({"lot": 500, "aql": "2.5", "severity": "strict"}, "query.severity"),
])
async def test_outside_the_standard_is_422_naming_the_parameter(api, params, field):
    r = await api.get("/v1/sampling-plan", params=params, role="qc")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


# ---- G11: the final inspection ---------------------------------------------------------


async def test_a_failed_final_inspection_blocks_shipment_until_a_passed_reinspection(api):
    customer, sku = await new_customer(api), new_sku()
    order = await own_order(api, customer, sku)
    oid = order["id"]
    await pay(api, oid, "balance", None)

    # An inline inspection neither moves the order nor counts as a lot.
    inline = await record(api, oid, stage="inline", lot_size=300, role="merchandiser")
    assert (inline["stage"], inline["result"], inline["state"]) == ("inline", "passed",
                                                                    "in_production")
    await refused(api, oid, "/shipments", SHIPMENT, rule="G11", role="purchaser")

    failed = await record(api, oid, **FAIL, findings=[
        {"description": "open seam at the side", "class": "major", "quantity": 12,
         "photo_ref": "IMG-0012"}], report_ref="QC-F-1")
    assert (failed["id"], failed["state"], failed["result"]) == (oid, "in_production", "failed")
    assert failed["version"] == inline["version"] + 1
    assert failed["class_results"] == {"critical": "passed", "major": "failed",
                                       "minor": "passed"}
    assert (failed["severity"], failed["severity_after"]) == ("normal", "normal")
    assert failed["plans"]["major"] == {
        "aql": "2.5", "lot_code_letter": "J", "code_letter": "J", "sample_size": 80,
        "accept": 5, "reject": 6, "full_inspection": False}
    assert failed["plans"]["minor"]["accept"] == 7  # AQL 4.0
    # Critical, AQL 0: none allowed, on the smallest AQL's plan (Q: more than the lot).
    critical = failed["plans"]["critical"]
    assert (critical["aql"], critical["accept"], critical["sample_size"],
            critical["full_inspection"]) == ("0", 0, 1000, True)
    [action] = failed["corrective_actions"]
    assert (action["owner"], action["closed_at"]) == ("factory", None)
    assert action["due_on"] == (today() + timedelta(days=7)).isoformat()

    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G11", role="purchaser")
    assert failed["inspection_id"] in problem["detail"]

    # The factory's report of the measures taken closes the action.
    closure = f"/inspections/{failed['inspection_id']}/corrective-actions/{action['action_id']}"
    await refused(api, oid, f"{closure}/closure", {"evidence_ref": " "}, status=422,
                  role="qc")
    closed = await command(api, oid, f"{closure}/closure",
                           {"evidence_ref": "factory 8D report 2026-12"}, role="merchandiser")
    assert (closed["id"], closed["state"]) == (oid, "in_production")
    await refused(api, oid, f"{closure}/closure", {"evidence_ref": "again"}, role="qc")
    await refused(api, oid, f"/inspections/{failed['inspection_id']}/corrective-actions/"
                  f"{uuid.uuid4()}/closure", {"evidence_ref": "x"}, status=404, role="qc")
    summary = (await get_order(api, oid))["inspections"]
    assert [(i["stage"], i["result"], i["open_corrective_actions"]) for i in summary] == [
        ("inline", "passed", 0), ("final", "failed", 0)]

    # The re-inspection passes: inspected; it does not count as a lot again.
    passed = await record(api, oid, report_ref="QC-F-2")
    assert (passed["result"], passed["state"], passed["corrective_actions"]) == (
        "passed", "inspected", [])
    assert (await switching(api, sku))["recent_normal_results"] == ["not accepted"]
    # G12 is next: no packing list yet.
    await refused(api, oid, "/shipments", SHIPMENT, rule="G12", role="purchaser")
    order = await get_order(api, oid)
    packed = await command(api, oid, "/packing-list", {"cartons": [
        {"from_no": 1, "to_no": 1, "line_no": 1, "colour": "natural", "size": "std",
         "quantity_per_carton": "1000", "net_kg": "10", "gross_kg": "11", "length_cm": "60",
         "width_cm": "40", "height_cm": "35"}]}, role="merchandiser", method="PUT")
    assert (packed["state"], packed["shippable"]) == ("ready_to_ship", True)
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"
    # Nothing of quality is recorded on a shipped order.
    await refused(api, oid, "/inspections", inspection_body(order), role="qc")


async def test_a_managers_concession_lets_the_failed_lot_ship(api):
    customer, sku = await new_customer(api), new_sku()
    order = await own_order(api, customer, sku)
    oid = order["id"]
    await pay(api, oid, "balance", None)
    failed = await record(api, oid, **FAIL)
    path = f"/inspections/{failed['inspection_id']}/concession"
    body = {"reason": "shade within the customer's tolerance",
            "evidence_ref": "customer mail 2026-12-03"}
    for role in ("supervisor", "merchandiser", "qc"):  # G11: the manager only
        problem = await refused(api, oid, path, body, status=403, role=role)
        assert problem["type"] == "/problems/forbidden"
    await refused(api, oid, path, {**body, "evidence_ref": ""}, status=422)
    await refused(api, oid, f"/inspections/{uuid.uuid4()}/concession", body)  # not the latest
    granted = await command(api, oid, path, body)
    assert (granted["state"], granted["version"]) == ("inspected", failed["version"] + 1)
    await refused(api, oid, path, body)  # once

    r = await api.get(f"/v1/orders/{oid}/inspections/{failed['inspection_id']}", role="qc")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["concession"] == {**body, "granted_by": "manager-1"}
    assert (report["result"], report["latest_final"]) == ("failed", True)
    assert (await get_order(api, oid))["inspections"][0]["concession"] is True

    await refused(api, oid, "/shipments", SHIPMENT, rule="G12", role="purchaser")
    await command(api, oid, "/packing-list", {"cartons": [
        {"from_no": 1, "to_no": 10, "line_no": 1, "colour": "natural", "size": "std",
         "quantity_per_carton": "100", "net_kg": "10", "gross_kg": "11", "length_cm": "60",
         "width_cm": "40", "height_cm": "35"}]}, role="supervisor", method="PUT")
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"


# ---- switching (ISO 2859-1 clause 9) ---------------------------------------------------


async def test_switching_to_tightened_after_2_of_5_lots_and_back_after_5_accepted(api):
    customer, sku = await new_customer(api), new_sku()

    async def lot(**overrides) -> dict:
        """The first final inspection of a new order of the same SKU and factory."""
        order = await own_order(api, customer, sku)
        return await record(api, order["id"], **overrides)

    first = await lot()
    assert (first["severity"], first["result"]) == ("normal", "passed")
    second = await lot(**FAIL)
    assert (second["severity"], second["severity_after"]) == ("normal", "normal")
    third = await lot(**FAIL)  # 2 of the last 3 lots not accepted
    assert (third["severity"], third["severity_after"]) == ("normal", "tightened")
    assert "2 of the last 5" in third["severity_reason_after"]
    state = await switching(api, sku)
    assert (state["severity"], state["factory"], state["product"]) == ("tightened", OWN, sku)
    assert state["reason"] == third["severity_reason_after"]

    accepted = []
    for n in range(5):
        accepted.append(await lot())
        assert accepted[-1]["severity"] == "tightened", n
        # Table 2-B at J, AQL 2.5: 80 pieces, Ac 3.
        assert (accepted[-1]["plans"]["major"]["sample_size"],
                accepted[-1]["plans"]["major"]["accept"]) == (80, 3)
    assert "2 of the last 5" in accepted[0]["severity_reason"]
    assert [a["severity_after"] for a in accepted] == ["tightened"] * 4 + ["normal"]
    assert accepted[-1]["severity_reason_after"] == "5 consecutive lots accepted: back to normal"

    # The next lot is inspected at normal again, and says why.
    back = await lot()
    assert (back["severity"], back["plans"]["major"]["accept"]) == ("normal", 5)
    assert back["severity_reason"] == "5 consecutive lots accepted: back to normal"
    state = await switching(api, sku)
    assert (state["severity"], state["recent_normal_results"]) == ("normal", ["accepted"])
    # The order's own report says which severity it used.
    r = await api.get(f"/v1/orders/{back['id']}/inspections/{back['inspection_id']}")
    assert r.json()["severity"] == "normal" and r.json()["counts_for_switching"] is True


async def test_five_lots_not_accepted_on_tightened_discontinue_until_a_supervisor_resumes(api):
    customer, sku = await new_customer(api), new_sku()

    async def lot(**overrides) -> dict:
        order = await own_order(api, customer, sku)
        return await record(api, order["id"], **overrides)

    await lot(**FAIL)
    assert (await lot(**FAIL))["severity_after"] == "tightened"
    on_tightened = [await lot(**FAIL) for _ in range(5)]
    assert {a["severity"] for a in on_tightened} == {"tightened"}
    last = on_tightened[-1]
    assert "discontinued" in last["severity_reason_after"]
    order = await get_order(api, last["id"])
    [alert] = [a for a in order["alerts"] if a["code"] == "inspection_discontinued"]
    assert alert["for_role"] == "supervisor"
    state = await switching(api, sku)
    assert (state["discontinued"], state["tightened_not_accepted"]) == (True, 5)

    # Further inspections of the factory's product are refused, at any stage.
    waiting = await own_order(api, customer, sku)
    problem = await refused(api, waiting["id"], "/inspections",
                            inspection_body(waiting), role="qc")
    assert "discontinued" in problem["detail"]
    await refused(api, waiting["id"], "/inspections",
                  inspection_body(waiting, stage="inline"), role="qc")

    decision = {"factory": OWN, "product": sku, "decision": "resume"}
    for role in ("qc", "merchandiser"):
        r = await api.post("/v1/quality/switching/decision", decision, role=role)
        assert r.status_code == 403, r.text
    r = await api.post("/v1/quality/switching/decision", {**decision, "decision": "approve_reduced"},
                       role="supervisor")
    assert r.status_code == 422, r.text
    r = await api.post("/v1/quality/switching/decision",
                       {**decision, "factory": "OWN:Own Workshop"}, role="supervisor")
    assert r.status_code == 422, r.text  # the factory is own:<name> or supplier:<id>
    r = await api.post("/v1/quality/switching/decision",
                       {**decision, "factory": "own:Own Workshop "}, role="supervisor")
    assert r.status_code == 200, r.text  # the workshop's name as the record keys it
    resumed = r.json()
    assert r.headers["etag"] == f'"{resumed["version"]}"'
    assert (resumed["severity"], resumed["discontinued"]) == ("tightened", False)
    assert "resumed" in resumed["reason"]
    r = await api.post("/v1/quality/switching/decision", decision, role="manager")
    assert r.status_code == 422  # no longer discontinued

    again = await record(api, waiting["id"])
    assert (again["severity"], again["result"]) == ("tightened", "passed")
    assert "resumed by a supervisor" in again["severity_reason"]


async def test_switching_decisions_need_an_inspected_lot(api):
    r = await api.post("/v1/quality/switching/decision", {
        "factory": f"supplier:{uuid.uuid4()}", "product": "X", "decision": "irregular"},
        role="supervisor")
    assert r.status_code == 404, r.text
    fresh = await switching(api, new_sku(), f"supplier:{uuid.uuid4()}")
    assert (fresh["severity"], fresh["version"], fresh["discontinued"]) == ("normal", 0, False)
    for factory in ("supplier:42", "elsewhere:x", "own:   "):
        r = await api.get("/v1/quality/switching", params={"factory": factory, "product": "X"})
        assert r.status_code == 422, (factory, r.text)


# ---- G12: the packing list -------------------------------------------------------------


def two_sizes(order: dict) -> dict:
    """A production notice: the order's 1000 pcs as 600 red M and 400 red L."""
    return {**notice_for(order), "breakdown": [
        {"line_no": 1, "colour": "red", "size": "M", "quantity": "600"},
        {"line_no": 1, "colour": "red", "size": "L", "quantity": "400"}]}


# 20 cartons of 30 red M, 13 of 30 red L: 390 of the 400 ordered.
SHORT_ON_L = [
    {"from_no": 1, "to_no": 20, "line_no": 1, "colour": "red", "size": "M",
     "quantity_per_carton": "30", "net_kg": "8.5", "gross_kg": "9.2", "length_cm": "60",
     "width_cm": "40", "height_cm": "35"},
    {"from_no": 21, "to_no": 33, "line_no": 1, "colour": "red", "size": "L",
     "quantity_per_carton": "30", "net_kg": "9", "gross_kg": "9.8", "length_cm": "60",
     "width_cm": "40", "height_cm": "35"},
]


async def released_in_two_sizes(api, sku: str, customer: str | None = None) -> dict:
    order = await own_order(api, customer or await new_customer(api), sku, until="deposit_paid")
    oid = order["id"]
    await command(api, oid, "/production-notice", two_sizes(order), role="merchandiser",
                  method="PUT")
    await command(api, oid, "/production-release", {}, role="supervisor")
    await command(api, oid, "/progress", {"on": today().isoformat(), "cut": "1005", "by_size": [
        {"colour": "red", "size": "M", "cut": "610"}, {"colour": "red", "size": "L",
                                                         "cut": "395"}]},
        role="merchandiser")
    return await get_order(api, oid)


async def test_a_packing_list_short_on_one_size_blocks_shipment_until_a_supervisor_accepts(api):
    order = await released_in_two_sizes(api, new_sku())
    oid = order["id"]
    inspected = await record(api, oid)
    assert inspected["state"] == "inspected"
    tolerance = await command(api, oid, "/quantity-tolerance",
                              {"quantity_tolerance_percent": "1"}, role="merchandiser",
                              method="PUT")
    assert (tolerance["state"], tolerance["version"]) == ("inspected", inspected["version"] + 1)
    await refused(api, oid, "/quantity-tolerance", {"quantity_tolerance_percent": "101"},
                  status=422, method="PUT")
    await refused(api, oid, "/quantity-tolerance", {"quantity_tolerance_percent": 1},
                  status=422, method="PUT")

    r = await api.put(f"/v1/orders/{oid}/packing-list", {"cartons": SHORT_ON_L},
                      role="merchandiser")
    assert r.status_code == 200, r.text
    packed = r.json()
    assert r.headers["etag"] == f'"{packed["version"]}"'
    assert (packed["state"], packed["revision"], packed["order_id"]) == ("ready_to_ship", 1, oid)
    assert packed["totals"] == {
        "cartons": 33, "quantity": "990", "net_kg": "287.000", "gross_kg": "311.400",
        "cbm": "2.772", "by_line": [{"line_no": 1, "quantity": "990"}],
        "by_colour_size": [{"line_no": 1, "colour": "red", "size": "L", "quantity": "390"},
                           {"line_no": 1, "colour": "red", "size": "M", "quantity": "600"}]}
    # 10 short of 400 is beyond 1 % (4 pieces); the cut was 395.
    assert packed["differences"] == [{
        "line_no": 1, "colour": "red", "size": "L", "ordered": "400", "packed": "390",
        "cut": "395", "difference": "-10", "within_tolerance": False}]
    assert (packed["tolerance_percent"], packed["within_tolerance"], packed["shippable"],
            packed["difference_accepted"]) == ("1", False, False, None)
    summary = (await get_order(api, oid))["packing_list"]
    assert summary == {"revision": 1, "cartons": 33, "quantity": "990",
                       "within_tolerance": False, "difference_accepted": False}

    await pay(api, oid, "balance", None)
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G12", role="purchaser")
    assert "red/L" in problem["detail"]
    acceptance = {"reason": "customer takes 390 L", "evidence_ref": "mail 2026-12-20"}
    for role in ("merchandiser", "qc", "purchaser"):
        await refused(api, oid, "/packing-list/difference-acceptance", acceptance, status=403,
                      role=role)
    accepted = await command(api, oid, "/packing-list/difference-acceptance", acceptance,
                             role="supervisor")
    assert (accepted["shippable"], accepted["within_tolerance"]) == (True, False)
    assert accepted["difference_accepted"] == {**acceptance, "accepted_by": "supervisor-1"}
    await refused(api, oid, "/packing-list/difference-acceptance", acceptance)  # once
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"


async def test_bad_packing_lists_are_refused(api):
    order = await released_in_two_sizes(api, new_sku())
    oid = order["id"]
    carton = SHORT_ON_L[0]
    for cartons, status in (
        ([], 422),
        ([{**carton, "to_no": 0}], 422),
        ([{**carton, "from_no": 5, "to_no": 4}], 422),
        ([{**carton, "line_no": 2}], 422),  # the order has one line
        ([{**carton, "gross_kg": "8"}], 422),  # lighter than the net weight
        ([carton, {**carton, "from_no": 20, "to_no": 21}], 422),  # overlapping
        ([{**carton, "net_kg": 8.5}], 422),  # a JSON number for a weight
        ([{**carton, "colour": " "}], 422),
        ([{**carton, "cbm": "1"}], 422),  # computed, never given
    ):
        await refused(api, oid, "/packing-list", {"cartons": cartons}, status=status,
                      role="merchandiser", method="PUT")
    r = await api.get(f"/v1/orders/{oid}/packing-list", role="qc")
    assert r.status_code == 404, r.text
    # Issued before the final inspection: the order stays in production.
    packed = await command(api, oid, "/packing-list", {"cartons": SHORT_ON_L},
                           role="supervisor", method="PUT")
    assert packed["state"] == "in_production"


# ---- incoming inspection of a PO -------------------------------------------------------


async def test_a_failed_incoming_inspection_rejects_the_receipts_lot(api):
    item = new_item()
    supplier, po = await placed_po(api, lines=[line(item, quantity="1000")])
    path = f"/v1/purchase-orders/{po['id']}/inspections"
    body = {"lot_size": 500, "defects": {"critical": 0, "major": 15, "minor": 0},
            "report_ref": "IQC-7", "inspected_on": today().isoformat()}
    r = await api.post(path, body, role="qc")
    assert r.status_code == 409, r.text  # nothing received yet
    r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", {"lines": [
        {"line_no": 1, "received": "500", "accepted": "500", "unit_price_invoiced": "0.1250",
         "partial": True}]}, role="qc")
    assert r.status_code == 201, r.text
    receipt_id = r.json()["receipt_id"]
    r = await api.post(path, {**body, "receipt_id": "no-such-receipt"}, role="qc")
    assert r.status_code == 404, r.text
    r = await api.post(path, {**body, "stage": "final", "receipt_id": receipt_id}, role="qc")
    assert r.status_code == 422, r.text
    r = await api.post(path, {**body, "receipt_id": receipt_id}, role="merchandiser")
    assert r.status_code == 403, r.text

    r = await api.post(path, {**body, "receipt_id": receipt_id}, role="purchaser")
    assert r.status_code == 201, r.text
    failed = r.json()
    assert (failed["id"], failed["state"], failed["stage"], failed["result"]) == (
        po["id"], None, "incoming", "failed")
    assert failed["plans"]["major"] == {  # lot 500: H, 50 pieces, Ac 3
        "aql": "2.5", "lot_code_letter": "H", "code_letter": "H", "sample_size": 50,
        "accept": 3, "reject": 4, "full_inspection": False}
    assert failed["rejected"] == [{"line_no": 1, "quantity": "500"}]
    [action] = failed["corrective_actions"]
    assert action["owner"] == "supplier"

    r = await api.get(f"/v1/purchase-orders/{po['id']}", role="accountant")
    [inspection] = r.json()["inspections"]
    assert inspection == {
        "inspection_id": failed["inspection_id"], "result": "failed", "severity": "normal",
        "inspected_on": today().isoformat(), "receipt_id": receipt_id,
        "rejected": [{"line_no": 1, "quantity": "500"}], "open_corrective_actions": 1}
    state = await switching(api, item, f"supplier:{supplier.id}")
    assert state["recent_normal_results"] == ["not accepted"]
    # The supplier's corrective action, closed with its evidence.
    closure = (f"{path}/{failed['inspection_id']}/corrective-actions/{action['action_id']}"
               "/closure")
    r = await api.post(closure, {"evidence_ref": "supplier 8D report"}, role="merchandiser")
    assert r.status_code == 403, r.text
    r = await api.post(closure, {"evidence_ref": "supplier 8D report"}, role="qc")
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["version"]) == (po["id"], failed["version"] + 1)
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    r = await api.post(closure, {"evidence_ref": "again"}, role="qc")
    assert r.status_code == 409, r.text
    r = await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")
    assert r.json()["inspections"][0]["open_corrective_actions"] == 0

    # The rejected lot does not fill the PO: the rest of the delivery leaves it short.
    r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", {"lines": [
        {"line_no": 1, "received": "500", "accepted": "500", "unit_price_invoiced": "0.1250"}]},
        role="purchaser")
    assert r.status_code == 201, r.text
    [short] = [a for a in r.json()["alerts"] if a["code"] == "quantity_off_po:1"]
    assert "1000 received, 500 accepted of 1000 ordered" in short["message"]
    # A re-inspection of the same lot rejects nothing more and does not count again.
    r = await api.post(path, {**body, "receipt_id": receipt_id}, role="qc")
    assert r.status_code == 201 and r.json()["rejected"] == []
    assert (await switching(api, item, f"supplier:{supplier.id}"))[
        "recent_normal_results"] == ["not accepted"]


# ---- the documents ---------------------------------------------------------------------


async def test_the_inspection_report_and_the_packing_list_as_json_csv_and_pdf(api):
    sku = new_sku()
    customer = await new_customer(api, name=f"北風貿易 Nordwind {uuid.uuid4().hex[:4]}")
    order = await released_in_two_sizes(api, sku, customer)
    oid = order["id"]
    failed = await record(api, oid, **FAIL, findings=[
        {"description": "線頭未剪 loose threads", "class": "minor", "quantity": 4},
        {"description": "open seam", "class": "major", "quantity": 12, "photo_ref": "IMG-7"}])
    iid = failed["inspection_id"]
    packed = await command(api, oid, "/packing-list", {"cartons": SHORT_ON_L},
                           role="merchandiser", method="PUT")
    report_path = f"/v1/orders/{oid}/inspections/{iid}"
    packing_path = f"/v1/orders/{oid}/packing-list"

    # JSON: the report as recorded.
    r = await document(api, report_path, "application/json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json", r.text
    report = r.json()
    assert (report["order_id"], report["reference"], report["customer"]) == (
        oid, order["reference"], (await api.get(f"/v1/customers/{customer}")).json()["name"])
    assert (report["factory"], report["product"], report["stage"], report["lot_size"],
            report["level"]) == (OWN, sku, "final", 1000, "II")
    assert (report["defects"], report["result"], report["inspector"]) == (
        FAIL["defects"], "failed", "qc-1")
    assert report["findings"] == [
        {"description": "線頭未剪 loose threads", "class": "minor", "quantity": 4,
         "photo_ref": None},
        {"description": "open seam", "class": "major", "quantity": 12, "photo_ref": "IMG-7"}]
    assert report["plans"] == failed["plans"]
    assert report["corrective_actions"] == failed["corrective_actions"]
    assert (report["concession"], report["latest_final"]) == (None, True)
    r = await document(api, packing_path, "application/json")
    assert r.status_code == 200 and r.headers["etag"] == f'"{packed["version"]}"'
    assert r.json() == {**packed, "position": None}  # the command answered the same list
    assert packed["customer"] == report["customer"]

    # CSV: a row per defect class; a row per carton range.
    r = await document(api, report_path, "text/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["class"] for row in rows] == ["critical", "major", "minor"]
    major = rows[1]
    assert (major["reference"], major["sample_size"], major["accept"], major["reject"],
            major["defects"], major["class_result"], major["result"]) == (
        order["reference"], "80", "5", "6", "12", "failed", "failed")
    r = await document(api, packing_path, "text/csv")
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(row["from_no"], row["to_no"], row["size"], row["quantity"]) for row in rows] == [
        ("1", "20", "M", "600"), ("21", "33", "L", "390")]

    # PDF: real documents, read back.
    r = await document(api, packing_path, "application/pdf", role="accountant")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    for expected in (order["reference"], "990", "287.000", "311.400", "2.772", "33",
                     "北風貿易", "BEYOND TOLERANCE"):
        assert expected in text, (expected, text)
    r = await document(api, report_path, "application/pdf", role="qc")
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    for expected in (order["reference"], "線頭未剪", "open seam", "IMG-7"):
        assert expected in text, (expected, text)

    # Nothing else is offered; unknown ids are 404.
    r = await document(api, packing_path, "image/png")
    assert r.status_code == 406 and r.headers["content-type"].startswith(PROBLEM)
    r = await document(api, f"/v1/orders/{oid}/inspections/{uuid.uuid4()}", "application/json")
    assert r.status_code == 404
    r = await document(api, f"/v1/orders/{uuid.uuid4()}/packing-list", "text/csv")
    assert r.status_code == 404
    for role in ("supplier", "bi"):
        r = await document(api, report_path, "application/json", role=role)
        assert r.status_code == 403, role
