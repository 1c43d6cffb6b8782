"""The read side of quality and packing (issue 12) on both stores: the board
row follows inspections, corrective actions, a concession and a packing list
(state, blockers, next milestone); the QC board lists every inspection of an
order or a PO and filters them; supplier performance counts the rejected
lots and shows the switching severity; the audit trail and the feed describe
the new events; a rebuild equals the live read models."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from app.domain.errors import InvalidValue
from app.domain.values import Actor
from app.projections import board, quality
from app.projections.runner import ProjectionRunner, rebuild_all
from tests.commands import on_order, packing_for, passed_final_inspection
from tests.integration.test_production_projections import (
    ACCOUNTANT,
    BOSS,
    EVERY_DAY,
    MERCH,
    TODAY,
    reads,
    released,
)
from tests.integration.test_projections import dump
from tests.integration.test_sourcing_projections import ZIP, Sourcing, line

QC = Actor("quinn", "qc")
SUPERVISOR = Actor("sue", "supervisor")
OWN = "own:own workshop"  # the production notice's factory (released())
PENDING_PLAN = [
    {"code": "fabric_in_house", "name": "Fabric in-house", "owner_role": "purchaser",
     "lead_days": 0},
    {"code": "final_inspection", "name": "Final inspection", "owner_role": "qc",
     "lead_days": 10},
    {"code": "ex_factory", "name": "Ex-factory", "owner_role": "merchandiser", "lead_days": 2},
]


def inspect(gendan, oid, stage: str, major: int, *, on: date = TODAY) -> dict[str, Any]:
    """An inspection of a lot of 500 (level II: letter H, 50 pieces; major
    AQL 2.5: Ac 3, Re 4 on normal inspection)."""
    return gendan.quality.record_order_inspection(
        oid, stage=stage, lot_size=500, level=None, aql=None,
        defects={"critical": 0, "major": major, "minor": 0},
        findings=[{"description": "open seam", "class": "major", "quantity": major}]
        if major else None,
        report_ref=f"QC-{stage}-{major}", inspected_on=on, corrective_actions=None,
        factory_id=None, product=None, actor=QC).extra


def inspect_po(gendan, po: str, receipt: str | None, major: int) -> dict[str, Any]:
    return gendan.quality.record_po_inspection(
        UUID(po), lot_size=500, level=None, aql=None,
        defects={"critical": 0, "major": major, "minor": 0}, findings=None,
        report_ref=f"IQC-{major}", inspected_on=TODAY, corrective_actions=None,
        receipt_id=receipt, actor=QC).extra


def test_the_board_qc_board_and_supplier_performance_follow_quality(fresh_settings, gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store, batch_size=7)
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    main = released(gendan, customer)
    planned = released(gendan, customer)
    order = gendan.orders.get_order(main)

    def row(oid=main) -> dict[str, Any]:
        runner.run_until_caught_up()
        page = reads(fresh_settings, "board", customer_id=str(customer))
        return {str(r["order_id"]): r for r in page["data"]}[str(oid)]

    def qc(**filters) -> list[dict[str, Any]]:
        runner.run_until_caught_up()
        return reads(fresh_settings, "inspections", limit=500, **filters)["data"]

    found = row()
    assert (found["state"], found["next_milestone"], found["blockers"]) == (
        "in_production", "shipment", [board.WAITING_BALANCE])  # not due yet: no plan, no packing

    # A failed first-piece inspection opens a corrective action.
    first = inspect(gendan, main, "first_piece", 6, on=TODAY - timedelta(days=3))
    assert first["result"] == "failed"
    assert row()["blockers"] == [board.WAITING_BALANCE, quality.corrective_actions_open(1)]

    # A failed final inspection: G11 holds the shipment, a second action opens.
    final = inspect(gendan, main, "final", 9)
    found = row()
    assert found["state"] == "in_production"
    assert found["blockers"] == [board.WAITING_BALANCE, quality.FINAL_FAILED,
                                 quality.corrective_actions_open(2)]
    gendan.quality.close_corrective_action(
        main, first["inspection_id"], first["corrective_actions"][0]["action_id"],
        "8D report signed by the factory", QC)
    assert row()["blockers"] == [board.WAITING_BALANCE, quality.FINAL_FAILED,
                                 quality.corrective_actions_open(1)]

    # A manager's concession: inspected, the packing list is next.
    gendan.quality.grant_concession(main, final["inspection_id"], "minor seam flaws",
                                    "mail-customer-accepts", BOSS)
    found = row()
    assert (found["state"], found["next_milestone"], found["blockers"]) == (
        "inspected", "packing list", [board.WAITING_BALANCE, quality.corrective_actions_open(1)])

    # A packing list short on the one colour/size: ready to ship, G12 holds it.
    short = packing_for(order)
    short[0]["quantity_per_carton"] = "9000"
    view = gendan.quality.issue_packing_list(main, short, MERCH).view
    assert not view["within_tolerance"]
    found = row()
    assert (found["state"], found["next_milestone"]) == ("ready_to_ship", "shipment")
    assert found["blockers"] == [board.WAITING_BALANCE, quality.corrective_actions_open(1),
                                 quality.PACKING_DIFFERS]
    gendan.quality.accept_packing_difference(main, "customer takes 9000", "mail-ok", SUPERVISOR)
    assert row()["blockers"] == [board.WAITING_BALANCE, quality.corrective_actions_open(1)]
    on_order(gendan, main, lambda o: o.record_payment(
        "balance", Decimal("5950.00"), "USD", TODAY, "TT-2", ACCOUNTANT))
    on_order(gendan, main, lambda o: o.ship(TODAY, "COSCO", "BL-1", BOSS, gendan.policy))
    found = row()
    assert (found["state"], found["next_milestone"], found["blockers"]) == (
        "shipped", "closure", [])

    # The second order: the final inspection is due once the plan reaches it.
    gendan.production.plan_production(planned, None, PENDING_PLAN, None, EVERY_DAY, MERCH)
    assert quality.FINAL_PENDING not in row(planned)["blockers"]
    gendan.production.complete_milestone(planned, "fabric_in_house", TODAY, "GRN-1", None,
                                         MERCH)
    found = row(planned)
    assert found["next_milestone"] == "Final inspection"
    assert found["blockers"] == [board.WAITING_BALANCE, quality.FINAL_PENDING]
    passed = gendan.quality.record_order_inspection(
        planned, **passed_final_inspection(order), actor=QC).extra
    found = row(planned)
    assert (found["state"], found["blockers"]) == ("inspected", [board.WAITING_BALANCE])

    # A supplier's PO serving the second order: three lots, two rejected
    # (tightened inspection after them), a re-inspection not counted again.
    s = Sourcing(gendan)
    supplier = s.supplier("Alpha Zips", "CN")
    other = s.supplier("Bravo Trims", "VN")
    po = s.draft(supplier, [line(1, "3000", "0.10", TODAY + timedelta(days=20))],
                 order_id=str(planned), waiver="sole source")
    s.review_and_send(po)
    s.sign(po)
    for _ in range(3):
        s.receive(po, TODAY, (1, "1000", "1000", "0.10", True))
    receipts = [r["receipt_id"]
                for r in gendan.purchase_orders.get_purchase_order(UUID(po))["receipts"]]
    lots = [inspect_po(gendan, po, receipts[0], 10), inspect_po(gendan, po, receipts[1], 5)]
    assert [lot["result"] for lot in lots] == ["failed", "failed"]
    assert lots[1]["severity_after"] == "tightened"
    third = inspect_po(gendan, po, receipts[2], 0)
    assert (third["result"], third["severity"]) == ("passed", "tightened")
    inspect_po(gendan, po, receipts[0], 0)  # re-inspection of the rejected lot

    runner.run_until_caught_up()
    performance = reads(fresh_settings, "supplier_performance", supplier_id=supplier)
    assert (performance["incoming_lots"], performance["rejected_lots"],
            performance["rejection_rate"], performance["rejected_lot_quantity"]) == (
        3, 2, "0.6667", "2000")
    switching = gendan.quality.get_switching(f"supplier:{supplier}", ZIP)
    assert performance["quality_by_item"] == [{
        "item": ZIP, "severity": "tightened", "severity_reason": switching["reason"],
        "discontinued": False, "incoming_lots": 3, "rejected_lots": 2,
        "rejection_rate": "0.6667", "rejected_quantity": "2000"}]
    # What it had before issue 12 is unchanged; a supplier never inspected has nothing.
    assert (performance["receipts"], performance["accepted_quantity"]) == (3, "0")
    untouched = reads(fresh_settings, "supplier_performance", supplier_id=other)
    assert (untouched["incoming_lots"], untouched["rejected_lots"],
            untouched["rejection_rate"], untouched["rejected_lot_quantity"],
            untouched["quality_by_item"]) == (0, 0, None, "0", [])

    # The QC board: every inspection, in the order recorded.
    rows = qc()
    assert [(r["stage"], r["result"]) for r in rows] == [
        ("first_piece", "failed"), ("final", "failed"), ("final", "passed"),
        ("incoming", "failed"), ("incoming", "failed"), ("incoming", "passed"),
        ("incoming", "passed")]
    reference = order["reference"]
    by_id = {r["inspection_id"]: r for r in rows}
    assert {k: by_id[first["inspection_id"]][k] for k in (
        "order_id", "purchase_order_id", "reference", "factory", "supplier_id", "product",
        "lot_size", "level", "severity", "defects", "inspected_on", "report_ref", "inspector",
        "corrective_actions", "open_corrective_actions", "concession")} == {
        "order_id": str(main), "purchase_order_id": None, "reference": reference,
        "factory": OWN, "supplier_id": None, "product": "NW-45G", "lot_size": 500,
        "level": "II", "severity": "normal", "defects": {"critical": 0, "major": 6, "minor": 0},
        "inspected_on": TODAY - timedelta(days=3), "report_ref": "QC-first_piece-6",
        "inspector": "quinn", "corrective_actions": 1, "open_corrective_actions": 0,
        "concession": False}
    assert (by_id[final["inspection_id"]]["open_corrective_actions"],
            by_id[final["inspection_id"]]["concession"]) == (1, True)
    assert by_id[passed["inspection_id"]]["order_id"] == str(planned)
    incoming = [r for r in rows if r["stage"] == "incoming"]
    assert {(r["order_id"], r["purchase_order_id"], r["reference"], r["factory"],
             r["supplier_id"], r["product"]) for r in incoming} == {
        (str(planned), po, gendan.orders.get_order(planned)["reference"],
         f"supplier:{supplier}", supplier, ZIP)}
    assert [r["severity"] for r in incoming] == ["normal", "normal", "tightened", "tightened"]
    assert [r["open_corrective_actions"] for r in incoming] == [1, 1, 0, 0]

    # ... and its filters, each alone and together, and its pages.
    assert [r["stage"] for r in qc(stage="final")] == ["final", "final"]
    assert len(qc(result="failed")) == 4
    assert len(qc(factory_id=supplier)) == 4 and qc(factory_id=other) == []
    assert {r["factory"] for r in qc(factory_id="own")} == {OWN}
    assert len(qc(factory_id="own")) == 3
    assert len(qc(since=TODAY - timedelta(days=1))) == 6
    assert qc(since=TODAY + timedelta(days=1)) == []
    assert [r["inspection_id"] for r in qc(stage="incoming", result="failed",
                                           factory_id=supplier, since=TODAY)] == [
        r["inspection_id"] for r in incoming[:2]]
    seen, cursor = [], None
    while True:
        page = reads(fresh_settings, "inspections", limit=3, cursor=cursor)
        seen.extend(r["inspection_id"] for r in page["data"])
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [r["inspection_id"] for r in rows]
    with pytest.raises(InvalidValue):
        reads(fresh_settings, "inspections", cursor="not-a-cursor")

    # Seven lots of a third supplier rejected: tightened after two,
    # discontinued after five more; a supervisor resumes it.
    charlie = s.supplier("Charlie Tapes", "IN")
    tapes = s.draft(charlie, [line(1, "7000", "0.10", TODAY + timedelta(days=20))],
                    waiver="sole source")
    s.review_and_send(tapes)
    s.sign(tapes)
    for _ in range(7):
        s.receive(tapes, TODAY, (1, "1000", "1000", "0.10", True))
    for receipt in gendan.purchase_orders.get_purchase_order(UUID(tapes))["receipts"]:
        inspect_po(gendan, tapes, receipt["receipt_id"], 10)
    runner.run_until_caught_up()
    (item,) = reads(fresh_settings, "supplier_performance",
                    supplier_id=charlie)["quality_by_item"]
    assert (item["severity"], item["discontinued"], item["rejected_lots"]) == (
        "tightened", True, 7)
    resumed = gendan.quality.decide_switching(f"supplier:{charlie}", ZIP, "resume",
                                              SUPERVISOR).view
    runner.run_until_caught_up()
    (item,) = reads(fresh_settings, "supplier_performance",
                    supplier_id=charlie)["quality_by_item"]
    assert (item["severity"], item["severity_reason"], item["discontinued"]) == (
        resumed["severity"], resumed["reason"], False)
    assert len(qc(factory_id=charlie)) == 7

    # The audit trail files the inspections by order (a PO's under the
    # order it serves); a quality record's events (no order) are there too,
    # and in the feed.
    types = [r["type"] for r in reads(fresh_settings, "audit", order_id=str(main),
                                      limit=500)["data"]]
    for kind in ("InspectionRecorded", "CorrectiveActionClosed", "QualityConcessionGranted",
                 "PackingListIssued", "PackingDifferenceAccepted"):
        assert kind in types
    trail = reads(fresh_settings, "audit", order_id=str(planned), limit=500)["data"]
    assert sum(1 for r in trail if r["type"] == "InspectionRecorded"
               and r["aggregate_id"] == po) == 4
    records = reads(fresh_settings, "audit", type_="LotJudged", limit=500)["data"]
    assert len(records) == 12 and {r["order_id"] for r in records} == {None}
    assert len(reads(fresh_settings, "audit", type_="SwitchingDecided")["data"]) == 1
    feed = {e["type"] for e in gendan.feed.read(0, 10_000)}
    assert {"RecordOpened", "LotJudged", "InspectionRecorded"} <= feed

    # A rebuild gives the same rows.
    runner.stop()
    live = dump(fresh_settings)
    assert len(live["rm_inspections"]) == 14 and len(live["rm_factory_quality"]) == 3
    assert rebuild_all(fresh_settings) == gendan.last_position()
    assert dump(fresh_settings) == live
