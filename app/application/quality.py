"""Use cases of quality and packing (issue 12; SPEC.md G11, G12): the
sampling plan, inspections of orders and POs with the factory's switching
state, corrective actions, concessions, the packing list.

An inspection loads the factory's ``QualityRecord`` (per product) inside
the command, so the lot's result and the switching it causes are saved in
one transaction with the order or PO; a concurrent lot of the same factory
conflicts on the record and the command runs again on fresh state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Outcome, Preconditions
from app.application.quality_views import (
    inspection_answer,
    inspection_view,
    packing_list_view,
    record_view,
)
from app.application.store import Store
from app.domain import quality, sampling
from app.domain.customer import Customer
from app.domain.errors import InvalidValue, NotFound
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.quality_record import QualityRecord, factory_key, record_id
from app.domain.supplier import Supplier
from app.domain.values import Actor, Policy


def _today() -> date:
    return datetime.now(timezone.utc).date()


class Quality:
    def __init__(self, store: Store, policy: Policy, company_name: str):
        self._store = store
        self._policy = policy
        self._company = company_name

    # ---- reads -------------------------------------------------------------------
    @staticmethod
    def sampling_plan(lot: int, level: str, aql: str, severity: str) -> dict[str, Any]:
        return sampling.plan(lot, level, aql=aql, severity=severity)

    def get_inspection(self, order_id: UUID, inspection_id: str) -> dict[str, Any]:
        order = self._store.load(order_id, Order, "Order")
        if inspection_id not in order.inspections:
            raise NotFound(f"Inspection {inspection_id} is not part of order {order_id}")
        return inspection_view(order, inspection_id, self._customer(order), self._company)

    def get_packing_list(self, order_id: UUID) -> dict[str, Any]:
        order = self._store.load(order_id, Order, "Order")
        if order.packing is None:
            raise NotFound(f"Order {order_id} has no packing list")
        return packing_list_view(order, self._customer(order), self._company)

    def get_switching(self, factory: str, product: str) -> dict[str, Any]:
        record = self._store.find(record_id(factory, product), QualityRecord)
        return record_view(record, factory, product)

    # ---- inspections ---------------------------------------------------------------
    def record_order_inspection(self, order_id: UUID, *, stage: str, lot_size: int,
                                level: str | None, aql: dict[str, Any] | None,
                                defects: dict[str, Any], findings: list[dict[str, Any]] | None,
                                report_ref: str, inspected_on: date,
                                corrective_actions: list[dict[str, Any]] | None,
                                factory_id: UUID | None, product: str | None, actor: Actor,
                                cond: Preconditions = NONE) -> CommandResult:
        """``InspectionRecorded`` on the order; its lot moves the factory's
        switching state. ``factory_id``: a registered supplier making the
        goods; else the production notice's factory."""
        if factory_id is not None and self._store.find(factory_id, Supplier) is None:
            raise InvalidValue("factory_id", f"{factory_id} is not a known supplier")

        def command(order: Order) -> Outcome:
            factory = self._factory_of(order, factory_id)
            record = self._record(factory, product or order.lines[0]["sku"], actor)
            judged = quality.judge(stage, lot_size, level, aql, defects, record.severity,
                                   self._policy.critical_full_inspection, inspected_on,
                                   _today())
            recorded = order.record_inspection(judged, findings, report_ref, inspected_on,
                                               corrective_actions, factory, record.product,
                                               record.reason, actor)
            self._judge(record, recorded, str(order.id), actor,
                        lambda why: order.note_discontinued(factory, record.product, why, actor))
            return Outcome(inspection_answer(recorded), also=(record,))

        return self._store.update(order_id, Order, "Order", command,
                                  lambda o: self._order_answer(o), cond)

    def record_po_inspection(self, po_id: UUID, *, lot_size: int, level: str | None,
                             aql: dict[str, Any] | None, defects: dict[str, Any],
                             findings: list[dict[str, Any]] | None, report_ref: str,
                             inspected_on: date, corrective_actions: list[dict[str, Any]] | None,
                             receipt_id: str | None, actor: Actor,
                             cond: Preconditions = NONE) -> CommandResult:
        """``InspectionRecorded`` on the PO (stage ``incoming``): a failed
        lot is rejected on its receipt; the supplier's switching state moves."""

        def command(po: PurchaseOrder) -> Outcome:
            factory = factory_key(supplier_id=po.supplier_id)
            record = self._record(factory, po.lines[0]["item"], actor)
            judged = quality.judge("incoming", lot_size, level, aql, defects, record.severity,
                                   self._policy.critical_full_inspection, inspected_on,
                                   _today())
            recorded = po.record_inspection(judged, findings, report_ref, inspected_on,
                                            corrective_actions, receipt_id, record.reason, actor)
            self._judge(record, recorded, str(po.id), actor, lambda why: None)
            return Outcome(inspection_answer(recorded), also=(record,))

        return self._store.update(po_id, PurchaseOrder, "Purchase order", command,
                                  lambda po: {"id": po.id, "version": po.version}, cond)

    def close_corrective_action(self, order_id: UUID, inspection_id: str, action_id: str,
                                evidence_ref: str, actor: Actor,
                                cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.close_corrective_action(
            inspection_id, action_id, evidence_ref, actor), cond)

    def close_po_corrective_action(self, po_id: UUID, inspection_id: str, action_id: str,
                                   evidence_ref: str, actor: Actor,
                                   cond: Preconditions = NONE) -> CommandResult:
        """``CorrectiveActionClosed`` on a PO: the supplier's action done."""
        return self._store.update(po_id, PurchaseOrder, "Purchase order",
                                  lambda po: po.close_corrective_action(
                                      inspection_id, action_id, evidence_ref, actor),
                                  lambda po: {"id": po.id, "version": po.version}, cond)

    def grant_concession(self, order_id: UUID, inspection_id: str, reason: str,
                         evidence_ref: str, actor: Actor,
                         cond: Preconditions = NONE) -> CommandResult:
        """``QualityConcessionGranted`` (G11: a manager, the customer's acceptance)."""
        return self._run(order_id, lambda o: o.grant_concession(
            inspection_id, reason, evidence_ref, actor), cond)

    def decide_switching(self, factory: str, product: str, decision: str, actor: Actor,
                         cond: Preconditions = NONE) -> CommandResult:
        """A supervisor's switching decision: approve reduced inspection,
        declare production irregular, or resume a discontinued inspection."""
        rid = record_id(factory, product)
        if self._store.find(rid, QualityRecord) is None:
            raise NotFound(f"No lot of {factory} for {product} has been inspected")
        return self._store.update(rid, QualityRecord, "Quality record",
                                  lambda r: r.decide(decision, actor),
                                  lambda r: record_view(r, r.factory, r.product), cond)

    # ---- packing ---------------------------------------------------------------------
    def set_quantity_tolerance(self, order_id: UUID, percent: Any, actor: Actor,
                               cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.set_quantity_tolerance(percent, actor), cond)

    def issue_packing_list(self, order_id: UUID, cartons: list[dict[str, Any]], actor: Actor,
                           cond: Preconditions = NONE) -> CommandResult:
        """``PackingListIssued``; the answer lists the differences (G12)."""
        return self._store.update(order_id, Order, "Order",
                                  lambda o: o.issue_packing_list(cartons, actor),
                                  self._packing_answer, cond)

    def accept_packing_difference(self, order_id: UUID, reason: str, evidence_ref: str,
                                  actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``PackingDifferenceAccepted`` (G12: a supervisor, the customer's agreement)."""
        return self._store.update(order_id, Order, "Order",
                                  lambda o: o.accept_packing_difference(reason, evidence_ref,
                                                                        actor),
                                  self._packing_answer, cond)

    # ---- helpers ---------------------------------------------------------------------
    def _run(self, order_id: UUID, command: Callable[[Order], Any],
             cond: Preconditions) -> CommandResult:
        return self._store.update(order_id, Order, "Order", command, self._order_answer, cond)

    def _order_answer(self, order: Order) -> dict[str, Any]:
        return {"id": order.id, "state": order.state, "version": order.version}

    def _packing_answer(self, order: Order) -> dict[str, Any]:
        return packing_list_view(order, self._customer(order), self._company)

    def _customer(self, order: Order) -> str | None:
        customer = self._store.find(order.customer_id, Customer)
        return None if customer is None else customer.name

    @staticmethod
    def _factory_of(order: Order, factory_id: UUID | None) -> str:
        if factory_id is not None:
            return factory_key(supplier_id=factory_id)
        notice = order.production["notice"]
        if notice is None:
            return factory_key(own_name=None)
        made_by = notice["factory"]
        return factory_key(supplier_id=made_by["supplier_id"], own_name=made_by["name"])

    def _record(self, factory: str, product: str, actor: Actor) -> QualityRecord:
        record = self._store.find(record_id(factory, product), QualityRecord)
        if record is None:
            record = QualityRecord.open(factory, product, actor)
        record.require_open()
        return record

    @staticmethod
    def _judge(record: QualityRecord, recorded: dict[str, Any], subject_id: str, actor: Actor,
               discontinued: Callable[[str], None]) -> None:
        if not recorded["counts_for_switching"]:
            return
        record.judge_lot(recorded["inspection_id"], subject_id, recorded, actor)
        recorded["severity_after"] = record.severity
        recorded["severity_reason_after"] = record.reason
        if record.state["discontinued"]:
            discontinued(record.reason)
