"""The quality read side's helpers (app/projections/quality.py): what an
order's inspections and packing list make of its board row, the QC board's
row and item, and a factory's record per product."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.quality_record import QualityRecord, record_id
from app.projections import board, quality
from app.projections.batch import Batch
from app.projections.quality import (
    FINAL_FAILED,
    FINAL_PENDING,
    PACKING_DIFFERS,
    blockers,
    corrective_actions_open,
    facts_after,
    lot_counted,
    supplier_of,
)
from app.projections.quality_reads import inspection_item
from app.projections.tables import board as board_table
from app.projections.tables import factory_quality, inspections

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
DAY = date(2027, 2, 1)
ORDER = uuid4()
SUPPLIER = uuid4()
BASE = {"samples_required": False, "pp_sample_approved": False, "deposit_due_minor": 0,
        "paid_minor": 0, "margin": None, "margin_approved": False,
        "shipment_without_balance": True}
NO_DEFECTS = {"critical": 0, "major": 0, "minor": 0}


def event(cls, originator=ORDER, **data):
    return cls(originator_id=originator, originator_version=9, timestamp=NOW,
               actor_sub="quinn", actor_role="qc", **data)


def action(action_id: str) -> dict:
    return {"action_id": action_id, "what": "fix", "owner": "factory", "due_on": DAY,
            "closed_at": None, "evidence_ref": None}


def inspected(stage: str, result: str, *actions: str, iid: str = "i1",
              cls=Order.InspectionRecorded, originator=ORDER, factory="own:own workshop",
              **extra):
    return event(cls, originator, inspection_id=iid, stage=stage, factory=factory,
                 product="TEE", lot_size=500, level="II", severity="normal",
                 severity_reason="normal inspection at the start", plans={},
                 defects={**NO_DEFECTS, "major": 0 if result == "passed" else 9},
                 class_results={}, result=result, findings=[], report_ref="R-1",
                 inspected_on=DAY, corrective_actions=[action(a) for a in actions],
                 **{"counts_for_switching": stage in ("final", "incoming"),
                    **({"packed": False} if cls is Order.InspectionRecorded else {}), **extra})


def packed(revision: int, *within: bool):
    return event(Order.PackingListIssued, revision=revision, cartons=[], totals={},
                 differences=[{"line_no": 1, "colour": "red", "size": str(n), "ordered": 10,
                               "packed": 9, "cut": None, "difference": -1,
                               "within_tolerance": w} for n, w in enumerate(within)],
                 tolerance_percent=Decimal(0))


def after(facts: dict, *events) -> dict:
    for e in events:
        facts = facts_after(dict(facts), e)
    return facts


def test_a_failed_final_blocks_until_a_concession_or_a_passed_reinspection():
    failed = after({}, inspected("final", "failed", "a1"))
    assert blockers(failed, True, None) == [FINAL_FAILED, corrective_actions_open(1)]
    conceded = after(failed, event(Order.QualityConcessionGranted, inspection_id="i1",
                                   reason="ok", evidence_ref="mail", packed=False))
    assert blockers(conceded, True, None) == [corrective_actions_open(1)]
    # A concession on an earlier final does not cover the latest one.
    again = after(failed, inspected("final", "failed", iid="i2"),
                  event(Order.QualityConcessionGranted, inspection_id="i1", reason="ok",
                        evidence_ref="mail", packed=False))
    assert FINAL_FAILED in blockers(again, True, None)
    passed = after(failed, inspected("final", "passed", iid="i2"),
                   event(Order.CorrectiveActionClosed, inspection_id="i1", action_id="a1",
                         evidence_ref="8D"))
    assert blockers(passed, True, None) == []
    # Other stages never make the final pending or failed.
    inline = after({}, inspected("inline", "failed", "a1", "a2"))
    assert blockers(inline, True, None) == [corrective_actions_open(2)]


def test_the_final_inspection_is_pending_once_due():
    assert blockers({}, True, None) == []  # released, nothing due yet
    assert blockers({}, True, "sewing_end") == []
    assert blockers({}, True, "final_inspection") == [FINAL_PENDING]
    assert blockers({}, True, "ex_factory") == [FINAL_PENDING]
    assert blockers({}, False, "final_inspection") == []  # not released
    listed = after({}, packed(1, True))
    assert blockers(listed, True, None) == [FINAL_PENDING]


def test_a_packing_list_beyond_tolerance_blocks_until_accepted():
    beyond = after({}, packed(1, True, False))
    assert PACKING_DIFFERS in blockers(beyond, False, None)
    accepted = after(beyond, event(Order.PackingDifferenceAccepted, revision=1, reason="ok",
                                   evidence_ref="mail"))
    assert PACKING_DIFFERS not in blockers(accepted, False, None)
    # A new revision is checked again; an acceptance of an older one does not cover it.
    revised = after(accepted, packed(2, False))
    assert PACKING_DIFFERS in blockers(revised, False, None)
    assert PACKING_DIFFERS not in blockers(after(revised, packed(3, True)), False, None)


def test_the_board_derives_state_milestone_and_quality_blockers():
    assert Order.InspectionRecorded.state_after(inspected("final", "passed"),
                                                "in_production") == "inspected"
    facts = after(BASE, inspected("final", "failed", "a1"))
    assert board.derive("in_production", facts, 0, Decimal("0.05")) == (
        "shipment", [FINAL_FAILED, corrective_actions_open(1)])
    facts = after(facts, inspected("final", "passed", iid="i2"), packed(1, False))
    assert board.derive("inspected", facts, 0, Decimal("0.05")) == (
        "packing list", [corrective_actions_open(1), PACKING_DIFFERS])
    assert board.derive("ready_to_ship", {**facts, "open_pos": ["p"]}, 0, Decimal("0.05")) == (
        "shipment", [corrective_actions_open(1), PACKING_DIFFERS, board.waiting_pos(1)])
    assert board.derive("shipped", facts, 0, Decimal("0.05")) == ("closure", [])


def test_a_po_lot_counts_once_and_its_rejected_quantity_adds_up():
    row = quality.new_record("k", f"supplier:{SUPPLIER}", "zip", 1)
    assert (row["supplier_id"], row["severity"]) == (str(SUPPLIER), "normal")
    rejected = inspected("incoming", "failed", cls=PurchaseOrder.InspectionRecorded,
                         originator=uuid4(), supplier_id=SUPPLIER, order_id=None,
                         receipt_id="r1", rejected=[{"line_no": 1, "quantity": Decimal("1000")},
                                                    {"line_no": 2, "quantity": Decimal("0.5")}])
    row.update(lot_counted(row, rejected))
    assert (row["incoming_lots"], row["rejected_lots"], row["rejected_quantity"]) == (
        1, 1, "1000.5")
    again = inspected("incoming", "passed", cls=PurchaseOrder.InspectionRecorded,
                      originator=uuid4(), supplier_id=SUPPLIER, order_id=None,
                      receipt_id="r1", rejected=[], counts_for_switching=False)
    row.update(lot_counted(row, again))
    assert (row["incoming_lots"], row["rejected_lots"]) == (1, 1)
    assert supplier_of(f"supplier:{SUPPLIER}") == str(SUPPLIER)
    assert supplier_of("own:own workshop") is None


def test_the_projection_keeps_the_qc_row_and_the_factory_record():
    batch = Batch(None, fresh=True)  # type: ignore[arg-type] # in memory: nothing to load
    batch.add(board_table, {"order_id": str(ORDER), "reference": "X-1"})
    po = uuid4()
    factory = f"supplier:{SUPPLIER}"
    rid = record_id(factory, "TEE")
    # The PO's lot comes before the record's opening (saved together): one row.
    quality.apply(batch, inspected(
        "incoming", "failed", "a1", iid="p1", cls=PurchaseOrder.InspectionRecorded,
        originator=po, factory=factory, supplier_id=SUPPLIER, order_id=ORDER, receipt_id="r1",
        rejected=[{"line_no": 1, "quantity": Decimal("10")}]), 5, None)
    quality.apply(batch, event(QualityRecord.RecordOpened, rid, factory=factory, product="TEE",
                               originator_topic="app.domain.quality_record:QualityRecord"),
                  6, None)
    quality.apply(batch, event(QualityRecord.LotJudged, rid, inspection_id="p1",
                               subject_id=str(po), stage="incoming", result="failed",
                               severity_used="normal", reason="normal: 1 lot not accepted",
                               state={"severity": "normal", "discontinued": False}), 7, None)
    quality.apply(batch, event(QualityRecord.SwitchingDecided, rid, decision="irregular",
                               reason="production irregular",
                               state={"severity": "tightened", "discontinued": False}), 8, None)
    record = batch.row(factory_quality, str(rid))
    assert {k: record[k] for k in ("factory", "supplier_id", "product", "severity",
                                   "severity_reason", "incoming_lots", "rejected_lots",
                                   "rejected_quantity", "position")} == {
        "factory": factory, "supplier_id": str(SUPPLIER), "product": "TEE",
        "severity": "tightened", "severity_reason": "production irregular",
        "incoming_lots": 1, "rejected_lots": 1, "rejected_quantity": "10", "position": 8}

    quality.apply(batch, event(Order.CorrectiveActionClosed, inspection_id="p1",
                               action_id="a1", evidence_ref="8D"), 9, None)
    row = batch.row(inspections, "p1")
    assert (row["order_id"], row["purchase_order_id"], row["reference"],
            row["recorded_position"], row["open_corrective_actions"], row["position"]) == (
        str(ORDER), str(po), "X-1", 5, 0, 9)
    item = inspection_item(row)
    assert item["defects"] == {"critical": 0, "major": 9, "minor": 0}
    assert item["supplier_id"] == str(SUPPLIER) and "recorded_position" not in item
    assert not any(k.startswith("defects_") for k in item)
