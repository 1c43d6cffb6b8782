"""Use cases of purchase orders, staff side: draft (G8), review and send
(G7), amendments, counter-proposals, receipts, supplier invoices matched
three ways, payments, and the evidence of what suppliers signed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Outcome, Preconditions
from app.application.sourcing_views import evidence_view, purchase_order_view
from app.application.store import Store
from app.domain import gates
from app.domain.item import Item, item_id_for
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.rfq import Rfq, item_key
from app.domain.supplier import Supplier
from app.domain.values import Actor, Policy

PO = "Purchase order"


class PurchaseOrders:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def draft_purchase_order(self, *, supplier_id: UUID, order_id: UUID | None,
                             rfq_id: UUID | None, currency: str, terms: str | None,
                             lines: list[dict[str, Any]], waiver_reason: str | None,
                             actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``PurchaseOrderDrafted``; G8 refuses the first purchase of an item
        without an awarded three-quote RFQ or a supervisor's waiver."""

        def build() -> PurchaseOrder:
            supplier = self._store.load(supplier_id, Supplier, "Supplier")
            if order_id is not None:
                self._store.load(order_id, Order, "Order")
            rfq = self._store.load(rfq_id, Rfq, "RFQ") if rfq_id is not None else None
            po = PurchaseOrder.draft(
                supplier_id=supplier.id, order_id=order_id, rfq_id=rfq_id, currency=currency,
                terms=terms, lines=lines, waiver_reason=waiver_reason, actor=actor)
            new_items = sorted({key for key in (item_key(line["item"]) for line in po.lines)
                                if self._item(key) is None})
            gates.refuse(gates.g8_new_items(new_items, rfq, supplier.id, waiver_reason,
                                            actor.role))
            return po

        return self._store.create(build, purchase_order_view, cond)

    def review_purchase_order(self, po_id: UUID, actor: Actor,
                              cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: po.review(actor), cond)

    def send_purchase_order(self, po_id: UUID, actor: Actor,
                            cond: Preconditions = NONE) -> CommandResult:
        """``PurchaseOrderSent`` (G7), and each item's price recorded with it,
        in one transaction: the item is "bought" from now on (G8), and a price
        unlike another PO's raises the accountant's alert. A PO for a customer
        order re-checks its lines' dates against the order's ex-factory date
        (issue 10 §8): the order is read, not saved."""

        def command(po: PurchaseOrder) -> Outcome:
            sent = po.send(actor)
            if po.order_id is not None:
                order = self._store.load(po.order_id, Order, "Order")
                po.check_due_dates(order.delivery_date, self._policy.po_lead_days, actor)
            items: dict[str, Item] = {}
            for line in po.lines:
                key = item_key(line["item"])
                item = items.get(key) or self._item(key) or Item.first_bought(
                    line["item"], key, actor)
                items[key] = item
                others = item.bought(po.id, po.revision, po.supplier_id, line["unit_price"],
                                     po.currency, actor)
                po.price_differs(line, others, actor)
            # The hash is in the PO's view (`content_hash`); the answer adds
            # which revision this send sent.
            return Outcome({"revision_sent": sent["revision"]}, tuple(items.values()))

        return self._run(po_id, command, cond)

    def amend_purchase_order(self, po_id: UUID, lines: list[dict[str, Any]], terms: str | None,
                             reason: str | None, actor: Actor,
                             cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: po.amend(lines, terms, reason, actor), cond)

    def answer_counter_proposal(self, po_id: UUID, accept: bool, reason: str | None,
                                actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: po.answer_counter(accept, reason, actor), cond)

    def cancel_purchase_order(self, po_id: UUID, reason: str, actor: Actor,
                              cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: po.cancel(reason, actor), cond)

    def receive_materials(self, po_id: UUID, received_on: date, delivery_note: str | None,
                          lines: list[dict[str, Any]], actor: Actor,
                          cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: {"receipt_id": po.receive(
            received_on, delivery_note, lines, self._policy, actor)}, cond)

    def record_supplier_invoice(self, po_id: UUID, invoice_no: str, invoice_date: date,
                                due_date: date | None, currency: str,
                                lines: list[dict[str, Any]], actor: Actor,
                                cond: Preconditions = NONE) -> CommandResult:
        """The answer's ``result`` is the three-way match: matched or mismatch."""
        return self._run(po_id, lambda po: {"result": po.record_invoice(
            invoice_no, invoice_date, due_date, currency, lines, actor)["match"]["status"]},
            cond)

    def pay_supplier(self, po_id: UUID, amount: Decimal, currency: str, paid_on: date,
                     reference: str, invoice_no: str | None, adjustments: list[dict[str, Any]],
                     actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        return self._run(po_id, lambda po: po.pay(
            amount, currency, paid_on, reference, invoice_no, adjustments, actor), cond)

    def get_purchase_order(self, po_id: UUID) -> dict[str, Any]:
        return purchase_order_view(self._store.load(po_id, PurchaseOrder, PO))

    def purchase_order_evidence(self, po_id: UUID) -> list[dict[str, Any]]:
        po = self._store.load(po_id, PurchaseOrder, PO)
        return evidence_view(po, self._store.load(po.supplier_id, Supplier, "Supplier"))

    def _run(self, po_id: UUID, command: Callable[[PurchaseOrder], Any],
             cond: Preconditions) -> CommandResult:
        return self._store.update(po_id, PurchaseOrder, PO, command, purchase_order_view, cond)

    def _item(self, key: str) -> Item | None:
        return self._store.find(item_id_for(key), Item)
