"""Use cases of production follow-up (issue 11; SPEC.md G6, G9): the
production notice, the time-and-action plan, progress, delays, the
customer's consent to a later date, and order changes.

Each answers a ``CommandResult`` whose view is the order's production file
(``production_view``). Today's date, which the plan's feasibility and the
checks of reported days need, is the UTC day the command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Preconditions
from app.application.store import Store
from app.application.production_views import production_view
from app.domain import tna
from app.domain.errors import InvalidValue
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.supplier import Supplier
from app.domain.values import Actor, Policy


def _today() -> date:
    return datetime.now(timezone.utc).date()


def templates() -> list[dict[str, Any]]:
    """The built-in time-and-action templates (``tna.TEMPLATES``)."""
    return [{"code": code, "name": t["name"], "milestones": [dict(m) for m in t["milestones"]]}
            for code, t in tna.TEMPLATES.items()]


class Production:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def get_production(self, order_id: UUID) -> dict[str, Any]:
        return production_view(self._store.load(order_id, Order, "Order"))

    def templates(self) -> list[dict[str, Any]]:
        return templates()

    def draft_production_notice(self, order_id: UUID, factory: dict[str, Any],
                                requirements: dict[str, Any], breakdown: list[dict[str, Any]],
                                accessories: list[dict[str, Any]] | None, actor: Actor,
                                cond: Preconditions = NONE) -> CommandResult:
        """``ProductionNoticeDrafted`` (each line's breakdown sums to it).
        A registered factory and the accessories' POs are checked to exist
        (the POs: for this order)."""
        if factory.get("supplier_id") is not None:
            self._known(factory["supplier_id"], Supplier, "factory.supplier_id")
        for n, accessory in enumerate(accessories or ()):
            if accessory.get("purchase_order_id") is not None:
                self._our_po(order_id, accessory["purchase_order_id"],
                             f"accessories.{n}.purchase_order_id")
        return self._run(order_id, lambda o: o.draft_production_notice(
            factory, requirements, breakdown, accessories, actor), cond)

    def plan_production(self, order_id: UUID, template: str | None,
                        milestones: list[dict[str, Any]] | None, daily_capacity: int | None,
                        calendar: dict[str, Any] | None, actor: Actor,
                        cond: Preconditions = NONE) -> CommandResult:
        """``ProductionPlanned``: worked backward from the ex-factory date."""
        return self._run(order_id, lambda o: o.plan_production(
            template, milestones, daily_capacity, calendar, _today(), self._policy, actor), cond)

    def complete_milestone(self, order_id: UUID, code: str, on: date, evidence_ref: str | None,
                           note: str | None, actor: Actor,
                           cond: Preconditions = NONE) -> CommandResult:
        """``MilestoneCompleted``: the later milestones re-projected from ``on``."""
        return self._run(order_id, lambda o: o.complete_milestone(
            code, on, evidence_ref, note, _today(), actor), cond)

    def report_progress(self, order_id: UUID, on: date, cut: Any, made: Any, finished: Any,
                        packed: Any, by_size: list[dict[str, Any]] | None,
                        lines_running: int | None, note: str | None, actor: Actor,
                        cond: Preconditions = NONE) -> CommandResult:
        """``ProgressReported``; behind plan raises ``progress_behind_plan``."""
        quantities = {"cut": cut, "made": made, "finished": finished, "packed": packed}
        return self._run(order_id, lambda o: o.report_progress(
            on, quantities, by_size, lines_running, note, _today(), self._policy, actor), cond)

    def report_delay(self, order_id: UUID, cause: str, responsible: str, days: int,
                     forecast_ex_factory: date, action: str, purchase_order_id: Any,
                     actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``DelayReported`` with one of the seven causes of Plan 12 (a
        material shortage may name the PO of this order that is short)."""
        if purchase_order_id is not None:
            self._our_po(order_id, purchase_order_id, "purchase_order_id")
        return self._run(order_id, lambda o: {"delay_id": o.report_delay(
            cause, responsible, days, forecast_ex_factory, action, purchase_order_id, _today(),
            actor)}, cond)

    def record_delay_consent(self, order_id: UUID, consented_date: date, evidence_ref: str,
                             compensation: dict[str, Any] | None, actor: Actor,
                             cond: Preconditions = NONE) -> CommandResult:
        """``DelayConsented``: the customer agrees to a later date (G6)."""
        return self._run(order_id, lambda o: o.record_delay_consent(
            consented_date, evidence_ref, compensation, actor), cond)

    def request_change(self, order_id: UUID, kind: str, lines: list[dict[str, Any]] | None,
                       packaging: str | None, delivery_date: date | None, requested_by: str,
                       reason: str, evidence_ref: str, actor: Actor,
                       cond: Preconditions = NONE) -> CommandResult:
        """``ChangeAccepted`` at once, ``ChangeRequested`` pending, or 409 G9."""
        return self._run(order_id, lambda o: o.request_change(
            kind, lines, packaging, delivery_date, requested_by, reason, evidence_ref, _today(),
            actor), cond)

    def decide_change(self, order_id: UUID, change_id: str, decision: str,
                      customer_bears: list[dict[str, Any]] | None, evidence_ref: str | None,
                      actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``ChangeAccepted`` with what the customer bears, or ``ChangeRejected``."""
        return self._run(order_id, lambda o: o.decide_change(
            change_id, decision, customer_bears, evidence_ref, _today(), actor), cond)

    def _known(self, aggregate_id: Any, cls: type, field: str, what: str = "supplier") -> Any:
        try:
            found = self._store.find(UUID(str(aggregate_id)), cls)
        except ValueError:
            found = None
        if found is None:
            raise InvalidValue(field, f"{aggregate_id} is not a known {what}")
        return found

    def _our_po(self, order_id: UUID, po_id: Any, field: str) -> None:
        if self._known(po_id, PurchaseOrder, field, "purchase order").order_id != order_id:
            raise InvalidValue(field, f"purchase order {po_id} does not serve this order")

    def _run(self, order_id: UUID, command: Callable[[Order], Any],
             cond: Preconditions) -> CommandResult:
        return self._store.update(order_id, Order, "Order", command, production_view, cond)
