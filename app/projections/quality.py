"""Quality and packing on the read side (issue 12).

Three things live here:
- the QC board (``rm_inspections``, one row per ``InspectionRecorded`` of
  an order or of a PO's delivery), read by GET /v1/inspections; a
  corrective action closed and a concession granted update its row;
- a factory's record per product (``rm_factory_quality``, keyed by the
  ``QualityRecord``'s id): the ISO 2859-1 severity its lots gave, and the
  incoming lots of a supplier judged and rejected, which supplier
  performance shows (app/projections/sourcing_reads.py);
- what the progress board keeps of an order's inspections and packing list
  in its row's ``facts`` (app/projections/board.py) and the blockers the
  pure functions below derive from them.

Choices where the issue is silent:
- "final inspection pending" shows once the final inspection is due: the
  plan's next milestone is the final inspection or ex-factory, or a
  packing list is issued; not from the release on (the next milestone
  says what comes first, and a released order is not late for it);
- a rejected lot counts once: only an original inspection of a lot
  (``counts_for_switching``, as the switching rules count it) is an
  incoming lot, and it is rejected when it failed; a re-inspection of the
  same receipt is on the QC board but not counted again;
- the corrective actions a PO's incoming inspection opens are on the QC
  board, not on the order's board row: the domain closes an order's
  corrective actions only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.quality_record import QualityRecord, record_id
from app.domain.values import decimal_text, utc_text
from app.projections.batch import Batch
from app.projections.common import text_id
from app.projections.tables import board, factory_quality, inspections

NAME = "quality"

FINAL_PENDING = "final inspection pending"
FINAL_FAILED = "final inspection failed"
PACKING_DIFFERS = "packing differs from order"
# The plan's milestones from which the final inspection is due.
FINAL_DUE_AT = ("final_inspection", "ex_factory")
SUPPLIER_PREFIX = "supplier:"
OWN_PREFIX = "own:"


def corrective_actions_open(count: int) -> str:
    return f"corrective actions open ({count})"


_INSPECTED = (Order.InspectionRecorded, PurchaseOrder.InspectionRecorded)
_INSPECTION_CHANGES = (Order.CorrectiveActionClosed, Order.QualityConcessionGranted)


# ---- the QC board and the factories' records ----------------------------------------
def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """An inspection reads its order's board row (the reference) and, on a
    PO, the factory's record; a closure or concession the inspection's row;
    a quality record's event its row."""
    if isinstance(event, Order.InspectionRecorded):
        return ((board, text_id(event.originator_id)),)
    if isinstance(event, PurchaseOrder.InspectionRecorded):
        found = ((factory_quality, _record_key(event.factory, event.product)),)
        if event.order_id is not None:
            found += ((board, text_id(event.order_id)),)
        return found
    if isinstance(event, _INSPECTION_CHANGES):
        return ((inspections, event.inspection_id),)
    if isinstance(event, QualityRecord.Event):
        return ((factory_quality, text_id(event.originator_id)),)
    return ()


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if isinstance(event, _INSPECTED):
        order_id = (event.originator_id if isinstance(event, Order.Event)
                    else event.order_id)
        order = None if order_id is None else batch.get(board, text_id(order_id))
        batch.add(inspections, inspection_row(event, position, order))
        if isinstance(event, PurchaseOrder.InspectionRecorded):
            key = _record_key(event.factory, event.product)
            row = _record_row(batch, key, event.factory, event.product, position)
            batch.update(factory_quality, key, {**lot_counted(row, event), "position": position})
    elif isinstance(event, _INSPECTION_CHANGES):
        row = batch.row(inspections, event.inspection_id)
        batch.update(inspections, event.inspection_id,
                     {**inspection_changes(row, event), "position": position})
    elif isinstance(event, QualityRecord.Event):
        key = text_id(event.originator_id)
        if isinstance(event, QualityRecord.RecordOpened):
            _record_row(batch, key, event.factory, event.product, position)
        else:  # LotJudged, SwitchingDecided: the switching state after them
            batch.row(factory_quality, key)
            batch.update(factory_quality, key, {
                "severity": event.state["severity"], "severity_reason": event.reason,
                "discontinued": bool(event.state["discontinued"]), "position": position})


def inspection_row(event: Any, position: int, order: dict[str, Any] | None) -> dict[str, Any]:
    on_po = isinstance(event, PurchaseOrder.InspectionRecorded)
    order_id = event.order_id if on_po else event.originator_id
    actions = len(event.corrective_actions)
    return dict(
        inspection_id=event.inspection_id,
        order_id=None if order_id is None else text_id(order_id),
        purchase_order_id=text_id(event.originator_id) if on_po else None,
        reference=None if order is None else order["reference"],
        stage=event.stage, factory=event.factory, product=event.product,
        lot_size=int(event.lot_size), level=event.level, severity=event.severity,
        result=event.result,
        **{f"defects_{cls}": int(event.defects.get(cls, 0))
           for cls in ("critical", "major", "minor")},
        inspected_on=event.inspected_on, report_ref=event.report_ref,
        inspector=event.actor_sub, corrective_actions=actions,
        open_corrective_actions=sum(1 for a in event.corrective_actions
                                    if not a.get("closed_at")),
        concession=False, recorded_at=utc_text(event.timestamp),
        recorded_position=position, position=position,
    )


def inspection_changes(row: dict[str, Any], event: Any) -> dict[str, Any]:
    if isinstance(event, Order.CorrectiveActionClosed):
        return {"open_corrective_actions": max(0, row["open_corrective_actions"] - 1)}
    return {"concession": True}  # QualityConcessionGranted


def supplier_of(factory: str) -> str | None:
    """The supplier id of a factory key ("supplier:<id>"); None for the own
    workshop."""
    return factory[len(SUPPLIER_PREFIX):] if factory.startswith(SUPPLIER_PREFIX) else None


def new_record(key: str, factory: str, product: str, position: int) -> dict[str, Any]:
    """A factory's record before any lot: normal inspection (ISO 2859-1 9.1)."""
    return dict(record_id=key, factory=factory, supplier_id=supplier_of(factory),
                product=product, severity="normal",
                severity_reason="normal inspection at the start", discontinued=False,
                incoming_lots=0, rejected_lots=0, rejected_quantity="0", position=position)


def lot_counted(row: dict[str, Any], event: Any) -> dict[str, Any]:
    """The incoming counters after a PO's inspection: an original
    inspection of a lot counts as a lot, rejected when it failed; the
    quantities a failed lot takes back off the PO add up either way."""
    taken_back = sum((Decimal(line["quantity"]) for line in event.rejected), Decimal(0))
    counted = bool(event.counts_for_switching)
    return {
        "incoming_lots": row["incoming_lots"] + counted,
        "rejected_lots": row["rejected_lots"] + (counted and event.result == "failed"),
        "rejected_quantity": decimal_text(Decimal(row["rejected_quantity"]) + taken_back),
    }


def _record_key(factory: str, product: str) -> str:
    return text_id(record_id(factory, product))


def _record_row(batch: Batch, key: str, factory: str, product: str,
                position: int) -> dict[str, Any]:
    """The factory's record row, made by whichever comes first: the record's
    opening or the PO's inspection saved with it."""
    row = batch.get(factory_quality, key)
    if row is None:
        row = new_record(key, factory, product.strip(), position)
        batch.add(factory_quality, row)
    return row


# ---- the board's facts ---------------------------------------------------------------
def facts_after(facts: dict[str, Any], event: Any) -> dict[str, Any]:
    """The board's quality facts after an order's event (``facts`` is the
    row's new dict; its lists and dicts are replaced, never changed in
    place): the latest final inspection, the corrective actions open
    ("<inspection>/<action>") and the latest packing list."""
    match event:
        case Order.InspectionRecorded():
            if event.stage == "final":
                facts["final_inspection"] = {"inspection_id": event.inspection_id,
                                             "result": event.result, "concession": False}
            opened = [f"{event.inspection_id}/{a['action_id']}"
                      for a in event.corrective_actions if not a.get("closed_at")]
            if opened:
                facts["open_actions"] = [*facts.get("open_actions", ()), *opened]
        case Order.CorrectiveActionClosed():
            closed = f"{event.inspection_id}/{event.action_id}"
            facts["open_actions"] = [a for a in facts.get("open_actions", ()) if a != closed]
        case Order.QualityConcessionGranted():
            final = facts.get("final_inspection")
            if final is not None and final["inspection_id"] == event.inspection_id:
                facts["final_inspection"] = {**final, "concession": True}
        case Order.PackingListIssued():
            facts["packing"] = {"revision": event.revision, "accepted": False,
                                "differs": any(not d["within_tolerance"]
                                               for d in event.differences)}
        case Order.PackingDifferenceAccepted():
            packing = facts.get("packing")
            if packing is not None and packing["revision"] == event.revision:
                facts["packing"] = {**packing, "accepted": True}
    return facts


def final_due(facts: dict[str, Any], next_code: str | None) -> bool:
    """The final inspection is due once the plan's next milestone is the
    final inspection or ex-factory, or a packing list is issued."""
    return next_code in FINAL_DUE_AT or facts.get("packing") is not None


def blockers(facts: dict[str, Any], producing: bool, next_code: str | None) -> list[str]:
    """The quality blockers of an order not shipped yet (``producing``:
    released to production; ``next_code``: the plan's next milestone's)."""
    found = []
    final = facts.get("final_inspection")
    if final is None:
        if producing and final_due(facts, next_code):
            found.append(FINAL_PENDING)  # G11
    elif final["result"] == "failed" and not final["concession"]:
        found.append(FINAL_FAILED)  # G11
    if open_actions := len(facts.get("open_actions", ())):
        found.append(corrective_actions_open(open_actions))
    packing = facts.get("packing")
    if packing is not None and packing["differs"] and not packing["accepted"]:
        found.append(PACKING_DIFFERS)  # G12
    return found
