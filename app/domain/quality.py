"""Inspections (Plan 5 form 7; Plan 12 §6 #5-#10): the plan per defect
class from the ISO 2859-1 engine (``sampling``), the result, and the
switching rules of the standard's clause 9 between normal, tightened and
reduced inspection.

Pure functions: ``Order`` and ``PurchaseOrder`` record what
``judge`` answers in their ``InspectionRecorded``; a factory's
``QualityRecord`` records what ``switch`` answers after each lot.

Choices (README, "Quality and packing"):
- Defect classes critical, major and minor; default AQLs 0, 2.5 and 4.0
  (the usual apparel and consumer-goods figures). An AQL of 0 takes the
  engine's plan for the smallest AQL of the series (0.010), or 100 %
  inspection when the company chooses it (``Policy.critical_full_inspection``).
- A class passes with defects <= Ac, fails with defects >= Re; the
  inspection passes when every class passes.
- Only lot inspections count for switching: ``incoming`` (on a PO) and
  ``final`` (on an order), on original inspection (a re-inspection of a
  lot already judged does not count again). Every stage uses the severity
  the factory's record gives.
- Discontinuation follows the standard's wording: five lots not accepted,
  cumulatively, in the sequence of consecutive lots on tightened
  inspection (the issue says "consecutive"; the standard counts them in
  the tightened period, which includes every consecutive case).
- The switching score (ISO 2859-1:1999 9.3.3) is computed per class on
  each normal lot and the lot adds the smallest increment of its classes
  (2 when any class's Ac is 0 or 1, else 3), or resets to 0 when any class
  fails its condition.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4
from typing import Any, Protocol

from app.domain import sampling
from app.domain.errors import InvalidState, InvalidValue, NotFound
from app.domain.production import required_text
from app.domain.sampling_tables import AQLS

CLASSES = ("critical", "major", "minor")
DEFAULT_AQL = {"critical": Decimal(0), "major": Decimal("2.5"), "minor": Decimal("4.0")}
ORDER_STAGES = ("pre_production", "first_piece", "inline", "final")
PO_STAGES = ("incoming",)
LOT_STAGES = ("incoming", "final")
FINDING_LIMIT = 200
ACTION_OWNERS = ("factory", "supplier")
MAX_LOT = 10_000_000
# The switching score that makes reduced inspection possible (9.3.3).
REDUCED_SCORE = 30


def _aql(value: Any, cls: str) -> Decimal:
    try:
        aql = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable text is a 422
        raise InvalidValue(f"aql.{cls}", f"{value!r} is not an AQL") from None
    if aql != 0 and aql not in AQLS:
        raise InvalidValue(f"aql.{cls}", "an AQL of the ISO 2859-1 series (0.010 ... 1000), "
                                         "or 0 for none allowed")
    return aql


def class_plan(lot: int, level: str, aql: Decimal, severity: str,
               full_for_zero: bool) -> dict[str, Any]:
    """The plan of one defect class. AQL 0: the smallest AQL's plan, or
    the whole lot with none allowed."""
    if aql == 0 and full_for_zero:
        return {"aql": "0", "lot_code_letter": sampling.code_letter(lot, level),
                "code_letter": None, "sample_size": lot, "accept": 0, "reject": 1,
                "full_inspection": True}
    used = aql if aql != 0 else AQLS[0]
    return {"aql": format(aql.normalize(), "f"),
            **sampling.plan(lot, level, aql=used, severity=severity)}


def judge(stage: str, lot_size: int, level: str | None, aql: dict[str, Any] | None,
          defects: dict[str, Any], severity: str, full_for_zero: bool,
          inspected_on: date, today: date) -> dict[str, Any]:
    """The plans per class and the result of one inspection."""
    if not isinstance(lot_size, int) or not 2 <= lot_size <= MAX_LOT:
        raise InvalidValue("lot_size", f"2 to {MAX_LOT} units")
    if inspected_on > today:
        raise InvalidValue("inspected_on", "an inspection is recorded on or after its day")
    level = level or "II"
    aqls = {cls: _aql((aql or {}).get(cls, DEFAULT_AQL[cls]), cls) for cls in CLASSES}
    plans, found, results = {}, {}, {}
    for cls in CLASSES:
        plans[cls] = class_plan(lot_size, level, aqls[cls], severity, full_for_zero)
        count = defects.get(cls, 0)
        if not isinstance(count, int) or not 0 <= count <= lot_size:
            raise InvalidValue(f"defects.{cls}", "0 to the lot size")
        found[cls] = count
        results[cls] = "passed" if count <= plans[cls]["accept"] else "failed"
    return {"stage": stage, "lot_size": lot_size, "level": level, "severity": severity,
            "plans": plans, "defects": found, "class_results": results,
            "result": "passed" if all(r == "passed" for r in results.values()) else "failed"}


def parse_findings(findings: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    parsed = []
    for n, finding in enumerate((findings or [])[:FINDING_LIMIT + 1]):
        if n == FINDING_LIMIT:
            raise InvalidValue("findings", f"at most {FINDING_LIMIT} findings")
        if finding.get("class") not in CLASSES:
            raise InvalidValue(f"findings.{n}.class", f"one of {', '.join(CLASSES)}")
        description = str(finding.get("description") or "").strip()
        if not description:
            raise InvalidValue(f"findings.{n}.description", "must not be blank")
        quantity = finding.get("quantity", 1)
        if not isinstance(quantity, int) or quantity < 1:
            raise InvalidValue(f"findings.{n}.quantity", "at least 1")
        parsed.append({"description": description, "class": finding["class"],
                       "quantity": quantity, "photo_ref": finding.get("photo_ref")})
    return parsed


# A frozen dataclass, not an event (as ``alerts.AlertRaised``): the order's
# and the PO's ``InspectionRecorded`` inherit these fields and add their own.
@dataclass(frozen=True)
class InspectionRecorded:
    """What every aggregate's ``InspectionRecorded`` holds."""

    inspection_id: str
    stage: str
    factory: str
    product: str
    lot_size: int
    level: str
    severity: str
    severity_reason: str
    plans: dict[str, Any]
    defects: dict[str, int]
    class_results: dict[str, str]
    result: str
    findings: list[dict[str, Any]]
    report_ref: str
    inspected_on: date
    corrective_actions: list[dict[str, Any]]
    counts_for_switching: bool


# What the order's or PO's record of an inspection keeps of the event.
RECORDED = tuple(f.name for f in fields(InspectionRecorded))
# A failed inspection without corrective actions given opens this one.
DEFAULT_ACTION = "Correct the defects found and present the lot for re-inspection"
DEFAULT_ACTION_DAYS = 7
MAX_ACTIONS = 50


def parse_actions(actions: list[dict[str, Any]] | None, result: str, inspected_on: date,
                  default_owner: str) -> list[dict[str, Any]]:
    """The corrective actions a failed inspection opens (Plan 12 §6 #6, #8):
    those given, or one to correct and re-present the lot within a week."""
    if result == "passed":
        if actions:
            raise InvalidValue("corrective_actions", "a passed inspection opens none")
        return []
    given = actions or [{"what": DEFAULT_ACTION, "owner": default_owner,
                         "due_on": inspected_on + timedelta(days=DEFAULT_ACTION_DAYS)}]
    if len(given) > MAX_ACTIONS:
        raise InvalidValue("corrective_actions", f"at most {MAX_ACTIONS}")
    parsed = []
    for n, action in enumerate(given):
        what = str(action.get("what") or "").strip()
        if not what:
            raise InvalidValue(f"corrective_actions.{n}.what", "must not be blank")
        if action.get("owner") not in ACTION_OWNERS:
            raise InvalidValue(f"corrective_actions.{n}.owner", "factory or supplier")
        parsed.append({"action_id": str(uuid4()), "what": what, "owner": action["owner"],
                       "due_on": action["due_on"], "closed_at": None, "evidence_ref": None})
    return parsed


def find_action(inspections: dict[str, dict[str, Any]], inspection_id: str,
                action_id: str) -> dict[str, Any]:
    inspection = inspections.get(inspection_id)
    if inspection is None:
        raise NotFound(f"Inspection {inspection_id} is not part of this record")
    for action in inspection["corrective_actions"]:
        if action["action_id"] == action_id:
            return action
    raise NotFound(f"Corrective action {action_id} is not part of inspection {inspection_id}")


@dataclass(frozen=True)
class CorrectiveActionClosed:
    """The fields and the effect of every aggregate's ``CorrectiveActionClosed``
    (a frozen dataclass its nested event inherits, as ``alerts.AlertRaised``)."""

    inspection_id: str
    action_id: str
    evidence_ref: str

    def apply(self, aggregate: Any) -> None:
        record = aggregate.inspections[self.inspection_id]
        record["corrective_actions"] = [
            {**a, "closed_at": self.timestamp,  # type: ignore[attr-defined]  # the event's
             "evidence_ref": self.evidence_ref}
            if a["action_id"] == self.action_id else a
            for a in record["corrective_actions"]]


class _Inspected(Protocol):
    """What ``Inspecting`` needs of the aggregate it is mixed into."""

    inspections: dict[str, dict[str, Any]]  # inspection_id -> the record
    CorrectiveActionClosed: type[Any]

    def _emit(self, event_class: type[Any], actor: Any, **data: Any) -> None: ...


class Inspecting:
    """Closing a corrective action, for the order and the PO alike (the
    factory's or the supplier's signed report, Plan 12 §6 #8; ``_Inspected``)."""

    def close_corrective_action(self: _Inspected, inspection_id: str, action_id: str,
                                evidence_ref: str, actor: Any) -> None:
        action = find_action(self.inspections, inspection_id, action_id)
        if action.get("closed_at"):
            raise InvalidState(f"Corrective action {action_id} is already closed")
        self._emit(self.CorrectiveActionClosed, actor, inspection_id=inspection_id,
                   action_id=action_id, evidence_ref=required_text(evidence_ref, "evidence_ref"))


def open_actions(inspections: dict[str, dict[str, Any]]) -> int:
    return sum(1 for i in inspections.values() for a in i["corrective_actions"]
               if not a.get("closed_at"))


# ---- switching (clause 9) ---------------------------------------------------------------------
def new_record() -> dict[str, Any]:
    """A factory's and product's switching state before any lot."""
    return {"severity": "normal", "normal_results": [], "score": 0, "tightened_accepted": 0,
            "tightened_rejected": 0, "discontinued": False}


def _tighter(aql: Decimal) -> Decimal | None:
    index = AQLS.index(aql) if aql in AQLS else 0
    return AQLS[index - 1] if index > 0 else None


def score_after(score: int, inspection: dict[str, Any]) -> int:
    """ISO 2859-1:1999 9.3.3, per class; the lot adds the least of them."""
    increments = []
    for cls in CLASSES:
        plan, count = inspection["plans"][cls], inspection["defects"][cls]
        if plan["accept"] <= 1:
            if count > plan["accept"]:
                return 0
            increments.append(2)
            continue
        tighter = _tighter(Decimal(plan["aql"]))
        accept = (sampling.table_plan(plan["code_letter"], tighter, "normal").accept
                  if tighter is not None else plan["accept"])
        if count > accept:
            return 0
        increments.append(3)
    return score + min(increments)


def switch(record: dict[str, Any], inspection: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The record after one lot on original inspection, and why its
    severity is what it is now."""
    accepted = inspection["result"] == "passed"
    state = {**record, "normal_results": list(record["normal_results"])}
    severity = state["severity"]
    if severity == "normal":
        state["normal_results"] = (state["normal_results"] + [accepted])[-5:]
        state["score"] = score_after(state["score"], inspection)
        if state["normal_results"].count(False) >= 2:
            return _to(state, "tightened"), ("2 of the last 5 or fewer lots were not accepted: "
                                             "tightened inspection")
        if state["score"] >= REDUCED_SCORE:
            return state, (f"switching score {state['score']}: reduced inspection possible "
                           "if production is steady and a supervisor approves")
        return state, f"normal inspection (switching score {state['score']})"
    if severity == "tightened":
        if accepted:
            state["tightened_accepted"] += 1
            if state["tightened_accepted"] >= 5:
                return _to(state, "normal"), "5 consecutive lots accepted: back to normal"
            return state, f"tightened: {state['tightened_accepted']} consecutive lots accepted"
        state["tightened_accepted"] = 0
        state["tightened_rejected"] += 1
        if state["tightened_rejected"] >= 5:
            state["discontinued"] = True
            return state, ("5 lots not accepted on tightened inspection: inspection "
                           "discontinued until a supervisor resumes it")
        return state, f"tightened: {state['tightened_rejected']} lots not accepted"
    if not accepted:
        return _to(state, "normal"), "a lot not accepted on reduced inspection: back to normal"
    return state, "reduced inspection"


def _to(state: dict[str, Any], severity: str) -> dict[str, Any]:
    return {**state, "severity": severity, "normal_results": [], "score": 0,
            "tightened_accepted": 0, "tightened_rejected": 0}


def decide(record: dict[str, Any], decision: str) -> tuple[dict[str, Any], str]:
    """A supervisor's switching decision: ``approve_reduced`` (score >= 30,
    production steady), ``irregular`` (reduced -> normal), ``resume``
    (discontinued -> tightened, as the standard resumes)."""
    if decision == "approve_reduced":
        if record["severity"] != "normal" or record["score"] < REDUCED_SCORE:
            raise InvalidValue("decision", f"reduced inspection needs normal inspection with a "
                                           f"switching score of {REDUCED_SCORE} (now "
                                           f"{record['severity']}, {record['score']})")
        return _to(record, "reduced"), "steady production, approved by a supervisor: reduced"
    if decision == "irregular":
        if record["severity"] != "reduced":
            raise InvalidValue("decision", "production is declared irregular on reduced inspection")
        return _to(record, "normal"), "production irregular: back to normal"
    if decision == "resume":
        if not record["discontinued"]:
            raise InvalidValue("decision", "inspection is not discontinued")
        return ({**_to(record, "tightened"), "discontinued": False},
                "resumed by a supervisor after corrective action: tightened inspection")
    raise InvalidValue("decision", "one of approve_reduced, irregular, resume")
