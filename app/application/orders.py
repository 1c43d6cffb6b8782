"""Use cases of customers and export orders, from creation to closure: one
method per command (SPEC.md §4 names the events each appends).

Each takes ids and primitives, the acting ``Actor`` and the caller's
``Preconditions`` (Idempotency-Key, If-Match), and answers a
``CommandResult`` whose view is the order as it is now. The domain checks
the rules (gates, roles); these methods only load, call and save.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from app.application.dto import NONE, CommandResult, Preconditions
from app.application.eventstore import IdempotencyClaimLost
from app.application.store import Store
from app.application.views import customer_view, order_view
from app.domain.customer import Customer
from app.domain.errors import Conflict
from app.domain.order import Order
from app.domain.values import Actor, Policy


class Customers:
    def __init__(self, store: Store):
        self._store = store

    def register_customer(self, name: str, country: str, actor: Actor,
                          cond: Preconditions = NONE) -> CommandResult:
        return self._store.create(lambda: Customer.register(name, country, actor),
                                  customer_view, cond)

    def get_customer(self, customer_id: UUID) -> dict[str, Any]:
        return customer_view(self._store.load(customer_id, Customer, "Customer"))


class Orders:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def view(self, order: Order) -> dict[str, Any]:
        return order_view(order, self._policy)

    def get_order(self, order_id: UUID) -> dict[str, Any]:
        return self.view(self._store.load(order_id, Order, "Order"))

    # ---- inquiry to contract ---------------------------------------------------
    def create_order(self, *, reference: str, customer_id: UUID, currency: str, incoterm: str,
                     delivery_date: date, samples_required: bool,
                     payment_terms: dict[str, Any], lines: list[dict[str, Any]],
                     actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``OrderCreated``; G3 checks the terms against the total and the
        customer's region. A reference the customer already used is 409."""

        def build() -> Order:
            customer = self._store.load(customer_id, Customer, "Customer")
            return Order.create(
                reference=reference, customer_id=customer.id,
                customer_country=customer.country, customer_region=customer.region,
                currency=currency, incoterm=incoterm, delivery_date=delivery_date,
                samples_required=samples_required, payment_terms=payment_terms, lines=lines,
                policy=self._policy, actor=actor)

        try:
            return self._store.create(build, self.view, cond)
        except IdempotencyClaimLost:
            raise
        except IntegrityError:  # the order's id derives from customer and reference
            raise Conflict(f"Customer {customer_id} already has an order with reference "
                           f"{reference!r}") from None

    def request_sample(self, order_id: UUID, stage: str, actor: Actor,
                       cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: {"sample_id": o.request_sample(stage, actor)}, cond)

    def decide_sample(self, order_id: UUID, sample_id: str, decision: str,
                      comments: str | None, evidence_ref: str | None, actor: Actor,
                      cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.decide_sample(
            sample_id, decision, comments, evidence_ref, actor), cond)

    def issue_proforma_invoice(self, order_id: UUID, actor: Actor,
                               cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.issue_proforma_invoice(actor), cond)

    def record_proforma_invoice_signed_back(self, order_id: UUID, signed_by: str,
                                            evidence_ref: str, actor: Actor,
                                            cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.sign_back_proforma_invoice(
            signed_by, evidence_ref, actor), cond)

    def amend_payment_terms(self, order_id: UUID, payment_terms: dict[str, Any], actor: Actor,
                            cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.amend_payment_terms(
            payment_terms, self._policy, actor), cond)

    def analyse_costs(self, order_id: UUID, costs: list[dict[str, Any]],
                      fx_rates: dict[str, Decimal], actor: Actor,
                      cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.analyse_costs(costs, fx_rates, actor), cond)

    def approve_margin(self, order_id: UUID, reason: str, actor: Actor,
                       cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.approve_margin(reason, actor), cond)

    def confirm_order(self, order_id: UUID, waiver_reason: str | None, actor: Actor,
                      cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.confirm(
            waiver_reason or None, self._policy, actor), cond)

    def change_owner(self, order_id: UUID, owner: str, actor: Actor,
                     cond: Preconditions = NONE) -> CommandResult:
        """``OrderOwnerChanged``: a supervisor or manager hands the order to
        another merchandiser (the permission table says who)."""
        return self._run(order_id, lambda o: o.change_owner(owner, actor), cond)

    def cancel_order(self, order_id: UUID, reason: str, actor: Actor,
                     cond: Preconditions = NONE,
                     customer_bears: list[dict[str, Any]] | None = None,
                     evidence_ref: str | None = None) -> CommandResult:
        """``OrderCancelled``; after release G9 decides (a partly produced
        order records what the customer bears first)."""
        return self._run(order_id, lambda o: o.cancel(reason, actor, customer_bears,
                                                      evidence_ref), cond)

    # ---- money, production, shipment ------------------------------------------
    def record_payment(self, order_id: UUID, kind: str, amount: Decimal, currency: str,
                       received_on: date, reference: str, actor: Actor,
                       cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.record_payment(
            kind, amount, currency, received_on, reference, actor), cond)

    def release_production(self, order_id: UUID, actor: Actor,
                           cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.release_production(self._policy, actor), cond)

    def approve_shipment_without_balance(self, order_id: UUID, reason: str, actor: Actor,
                                         cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.approve_shipment_without_balance(reason, actor),
                         cond)

    def record_shipment(self, order_id: UUID, shipped_on: date, carrier: str,
                        transport_document: str, actor: Actor,
                        cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.ship(
            shipped_on, carrier, transport_document, actor, self._policy), cond)

    def receive_letter_of_credit(self, order_id: UUID, credit: dict[str, Any], actor: Actor,
                                 cond: Preconditions = NONE) -> CommandResult:
        """``LetterOfCreditReceived``: the L/C the customer's bank opened (G4)."""
        return self._run(order_id, lambda o: o.receive_letter_of_credit(credit, actor), cond)

    def amend_letter_of_credit(self, order_id: UUID, number: str, credit: dict[str, Any],
                               actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``LetterOfCreditAmended``: the bank's amendment, every term restated."""
        return self._run(order_id, lambda o: o.amend_letter_of_credit(number, credit, actor),
                         cond)

    def close_order(self, order_id: UUID, actor: Actor,
                    cond: Preconditions = NONE) -> CommandResult:
        return self._run(order_id, lambda o: o.close(actor), cond)

    def _run(self, order_id: UUID, command: Callable[[Order], Any],
             cond: Preconditions) -> CommandResult:
        return self._store.update(order_id, Order, "Order", command, self.view, cond)
