"""Production follow-up on the read side (issue 11).

Two things live here:
- the delays read model (``rm_delays``, one row per ``DelayReported``) that
  the delay-cause report counts (GET /v1/production/delay-causes);
- what the progress board keeps of the time-and-action plan in its row's
  ``facts`` (app/projections/board.py): the milestones planned, forecast and
  completed, the forecast ex-factory date, the customer's consents, the
  changes pending and what an accepted change still waits for. The board's
  blockers, next milestone, stored columns and risk are derived from them
  by the pure functions below.

The risk is red when the plan is infeasible or the forecast ex-factory date
falls after the agreed date (the delivery date, or a later date the customer
consented to), amber when a milestone is late; what depends on today's date
(a milestone past its planned date, the agreed date passed) is added when
the board is read (``risk``), never stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.domain import changes, roles
from app.domain import production as domain
from app.domain.order import Order
from app.projections.batch import Batch
from app.projections.common import DONE_STATES, text_id
from app.projections.tables import board, delays

NAME = "production"

# The seven causes of Plan 12 §6 #7 and who answers for a delay (issue 11).
CAUSES = domain.CAUSES
RESPONSIBLE = domain.RESPONSIBLE

WAITING_CONSENT = "waiting for the customer's consent"
COST_ANALYSIS_NEEDED = "new cost analysis needed"
CHANGE_PENDING = "change pending decision"
RED, AMBER, GREEN = "red", "amber", "green"
RISKS = (RED, AMBER, GREEN)


def plan_infeasible(days_short: int) -> str:
    return f"production plan infeasible ({days_short} working days short)"


# ---- the delays read model ---------------------------------------------------------
def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """A delay reads its order's board row, for the order's reference."""
    if isinstance(event, Order.DelayReported):
        return ((board, text_id(event.originator_id)),)
    return ()


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if isinstance(event, Order.DelayReported):
        batch.append(delays, delay_row(event, position, batch.get(board, text_id(
            event.originator_id))))


def delay_row(event: Any, position: int, order: dict[str, Any] | None) -> dict[str, Any]:
    return dict(
        position=position, order_id=text_id(event.originator_id),
        reference=None if order is None else order["reference"],
        delay_id=str(event.delay_id), cause=event.cause, responsible=event.responsible,
        days=int(event.days), forecast_ex_factory=event.forecast_ex_factory,
        reported_on=event.reported_on,
    )


def pareto(counts: dict[str, tuple[int, int]], names: tuple[str, ...],
           key: str) -> list[dict[str, Any]]:
    """Every name (at zero when nothing was reported) with its count and
    days, by days lost (most first), then by name."""
    found = {name: counts.get(name, (0, 0)) for name in (*names, *counts)}
    return [{key: name, "count": count, "days": days}
            for name, (count, days) in sorted(found.items(), key=lambda i: (-i[1][1], i[0]))]


# ---- the board's facts ---------------------------------------------------------------
def facts_after(facts: dict[str, Any], event: Any, delivery_date: date) -> dict[str, Any]:
    """The board's production facts after an order's event (``facts`` is the
    row's new dict, changed here; its lists and dicts are replaced, never
    changed in place). ``delivery_date`` is the row's before the event."""
    match event:
        case Order.ProductionPlanned():
            facts["plan"] = _plan(event, facts.get("plan"))
            facts["forecast_ex_factory"] = event.forecast_ex_factory.isoformat()
        case Order.MilestoneCompleted():
            facts["plan"] = _completed(facts.get("plan"), event)
            facts["forecast_ex_factory"] = event.forecast_ex_factory.isoformat()
        case Order.DelayReported():
            forecast = event.forecast_ex_factory
            facts["forecast_ex_factory"] = forecast.isoformat()
            if event.responsible != "customer":
                covered = _consented(facts) is not None and _consented(facts) >= forecast
                facts["consent_for"] = (forecast.isoformat()
                                        if forecast > delivery_date and not covered else None)
        case Order.DelayConsented():
            consented = event.consented_date
            if _consented(facts) is None or consented > _consented(facts):
                facts["consented_on"] = consented.isoformat()
            if facts.get("consent_for") and consented >= date.fromisoformat(facts["consent_for"]):
                facts["consent_for"] = None
        case Order.ChangeRequested():
            facts["changes_pending"] = [*facts.get("changes_pending", ()), event.change_id]
        case Order.ChangeRejected():
            facts["changes_pending"] = _without(facts, event.change_id)
        case Order.ChangeAccepted():
            facts["changes_pending"] = _without(facts, event.change_id)
            if event.pi_revision > 0:
                facts["pi_to_sign"] = event.pi_revision
            if event.kind in changes.REPRICING:  # G2 again at shipment
                facts["cost_analysis_due"] = True
                facts["repriced"] = True  # the margin rule applies to the analyses after it
            if (facts.get("consent_for")
                    and event.delivery_date >= date.fromisoformat(facts["consent_for"])):
                facts["consent_for"] = None
        case Order.ProformaInvoiceSignedBack():
            if facts.get("pi_to_sign") and event.revision >= facts["pi_to_sign"]:
                facts["pi_to_sign"] = None
        case Order.CostAnalysed():
            facts["cost_analysis_due"] = False
    return facts


def _plan(event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    """A plan (revision) as the board keeps it: each milestone's code, name,
    owner and dates. A milestone already completed stays completed under a
    new revision that keeps its code (the aggregate keeps its actual date)."""
    done = {m["code"]: m["completed_on"] for m in (previous or {}).get("milestones", ())
            if m["completed_on"]}
    milestones = []
    for m in event.milestones:
        planned = m["planned_on"].isoformat()
        forecast = event.forecast.get(m["code"])
        milestones.append({"code": m["code"], "name": m["name"], "owner_role": m["owner_role"],
                           "planned_on": planned,
                           "forecast_on": planned if forecast is None else forecast.isoformat(),
                           "completed_on": done.get(m["code"])})
    return {"revision": event.revision, "feasible": bool(event.feasible),
            "days_short": int(event.days_short), "milestones": milestones}


def _completed(plan: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
    if plan is None:
        return None
    forecast = {code: d.isoformat() for code, d in event.forecast.items()}
    milestones = []
    for m in plan["milestones"]:
        m = {**m, "forecast_on": forecast.get(m["code"], m["forecast_on"])}
        if m["code"] == event.code:
            m["completed_on"] = m["forecast_on"] = event.on.isoformat()
        milestones.append(m)
    return {**plan, "milestones": milestones}


def _without(facts: dict[str, Any], change_id: str) -> list[str]:
    return [c for c in facts.get("changes_pending", ()) if c != change_id]


def _consented(facts: dict[str, Any]) -> date | None:
    value = facts.get("consented_on")
    return None if value is None else date.fromisoformat(value)


# ---- what the board derives from them ------------------------------------------------------
def next_milestone(facts: dict[str, Any]) -> dict[str, Any] | None:
    """The plan's first milestone not completed (the planned dates of a plan
    never go backward, so it is also the earliest planned)."""
    plan = facts.get("plan")
    if plan is None:
        return None
    return next((m for m in plan["milestones"] if m["completed_on"] is None), None)


def blockers(facts: dict[str, Any]) -> list[str]:
    """The production blockers of an order not shipped yet."""
    found = []
    plan = facts.get("plan")
    if plan is not None and not plan["feasible"]:
        found.append(plan_infeasible(plan["days_short"]))
    if facts.get("consent_for"):
        found.append(WAITING_CONSENT)
    if facts.get("changes_pending"):
        found.append(CHANGE_PENDING)
    if facts.get("cost_analysis_due"):
        found.append(COST_ANALYSIS_NEEDED)
    return found


def agreed_on(facts: dict[str, Any], delivery_date: date) -> date:
    """The latest ex-factory date the customer agreed to: the delivery date,
    or a later date consented to (G6)."""
    consented = _consented(facts)
    return delivery_date if consented is None else max(delivery_date, consented)


def columns(state: str, facts: dict[str, Any], delivery_date: date) -> dict[str, Any]:
    """The board row's stored production columns."""
    forecast = facts.get("forecast_ex_factory")
    forecast_on = None if forecast is None else date.fromisoformat(forecast)
    upcoming = None if state in DONE_STATES else next_milestone(facts)
    agreed = agreed_on(facts, delivery_date)
    return dict(
        next_milestone_on=None if upcoming is None else date.fromisoformat(upcoming["planned_on"]),
        forecast_ex_factory=forecast_on, agreed_on=agreed,
        plan_risk=plan_risk(facts, forecast_on, agreed),
    )


def plan_risk(facts: dict[str, Any], forecast: date | None, agreed: date) -> str:
    """The risk the plan and the forecasts give whatever the day: red when
    the plan is infeasible or the forecast is after the agreed date; amber
    when the latest milestone completed (in the plan's order) was late."""
    plan = facts.get("plan")
    if (plan is not None and not plan["feasible"]) or (forecast is not None and forecast > agreed):
        return RED
    if plan is not None:
        done = [m for m in plan["milestones"] if m["completed_on"] is not None]
        if done and done[-1]["completed_on"] > done[-1]["planned_on"]:  # ISO dates sort
            return AMBER
    return GREEN


def risk(state: str, stored: str, agreed: date, next_on: date | None, today: date) -> str:
    """The board's risk on ``today`` (reads.py spells the same in SQL for
    ``risk=``): an order not shipped is red past its agreed date (its
    forecast can be no earlier than today), amber with a milestone past its
    planned date."""
    if state in DONE_STATES:
        return GREEN
    if stored == RED or agreed < today:
        return RED
    if stored == AMBER or (next_on is not None and next_on < today):
        return AMBER
    return GREEN


def attention(level: str, facts: dict[str, Any]) -> str | None:
    """Whom the risk goes to (issue 11): an amber order to the owner of its
    next milestone (whose date it misses), a red one escalated to the
    supervisor."""
    if level == RED:
        return roles.SUPERVISOR
    if level == AMBER:
        upcoming = next_milestone(facts)
        return upcoming["owner_role"] if upcoming else roles.MERCHANDISER
    return None


def days_late(state: str, facts: dict[str, Any], delivery_date: date,
              next_on: date | None, today: date) -> int:
    """Days late on ``today``: against the plan (today less the planned
    date of the next uncompleted milestone, when past), or without a plan
    (or with every milestone done) past the delivery date."""
    if state in DONE_STATES:
        return 0
    if facts.get("plan") is not None and next_on is not None:
        return max(0, (today - next_on).days)
    return max(0, (today - delivery_date).days)
