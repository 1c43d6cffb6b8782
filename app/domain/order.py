"""The export order: every step from inquiry to closure is an event.

Command methods check the rules (``gates``) and then trigger events; the
events' ``apply`` methods only change state, so replaying the record always
rebuilds the same order. Alerts (SPEC.md §3 soft rules) are events too, so
the order file shows when the accountant was told and when it was settled
(app/domain/alerts.py).

An event that moves the order to another progress-board column says which
(``leads_to``); its ``apply`` and the read models both follow it, so they
cannot disagree. Events never inherit from one another (a subclass would
also be its parent to ``isinstance``): each declares its own fields.

Longer than the ~300 lines a module should have, because the events are
nested in the aggregate (their stored topics name ``Order``): each command
sits next to the event it records.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar
from uuid import UUID, NAMESPACE_URL, uuid4, uuid5

from eventsourcing.domain import Aggregate

from app.domain import alerts, changes, gates, packing, production, quality, roles, tna
from app.domain.reference import INCOTERMS_2020, quantize_money
from app.domain.errors import GateViolation, InvalidState, InvalidValue, NotFound
from app.domain.values import (
    Actor,
    Policy,
    parse_costs,
    parse_country,
    parse_currency,
    parse_decimal,
    parse_lines,
    parse_money,
    parse_payment_terms,
)

# Progress-board columns, in lifecycle order (SPEC.md §3).
STATES = (
    "inquiry", "quoted", "sampling", "pi_issued", "pi_signed", "confirmed",
    "in_production", "inspected", "ready_to_ship", "shipped", "closed",
)
FINAL_STATES = ("closed", "cancelled")
SAMPLE_STAGES = ("style", "approval", "pre_production")
_REFERENCE_NS = uuid5(NAMESPACE_URL, "https://gendan/orders/reference")


def order_id_for(customer_id: UUID, reference: str) -> UUID:
    """Orders are keyed by customer and reference, so the store itself refuses
    a second order with the same reference (a version-1 conflict), atomically."""
    return uuid5(_REFERENCE_NS, f"{customer_id}:{reference.strip().casefold()}")


_RANK = {state: index for index, state in enumerate(STATES)}


# A frozen dataclass, not an event (as alerts.AlertRaised): an L/C's terms,
# which its receipt and each amendment state in full (G4).
@dataclass(frozen=True)
class CreditTerms:
    number: str
    issuing_bank: str
    issuing_bank_country: str
    confirming_bank: str | None
    confirming_bank_country: str | None
    amount: Decimal
    currency: str
    latest_shipment_date: date
    expiry_date: date
    presentation_days: int


def state_rank(state: str) -> int:
    """A state's place in the lifecycle; ``cancelled`` after all the others."""
    return _RANK.get(state, len(STATES))


class Order(alerts.Alerting, quality.Inspecting, Aggregate):
    # 2: ``detailed_analysis`` (G2), which snapshots of version 1 lack.
    # 3: ``letters_of_credit`` (G4), which snapshots of version 2 lack.
    # 4: the production file and changes (issue 11), which version 3 lacks.
    # 5: inspections, concessions, packing list, tolerance (issue 12).
    class_version = 5

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A version-1 snapshot cannot tell whether its latest analysis came
        after confirmation: take it as rough. Exact before confirmation; after
        it, production release asks for a new analysis (the safe side)."""
        state["detailed_analysis"] = False

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Letters of credit came with issue 10: a version-2 order had none."""
        state["letters_of_credit"] = {}

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """Production follow-up came with issue 11: nothing recorded yet."""
        state.update(production=production.new_state(), changes={},
                     pi_pending_change=False, analysis_stale=False, margin_recheck=False)

    @staticmethod
    def upcast_v4_v5(state: dict[str, Any]) -> None:
        """Inspections and packing lists came with issue 12."""
        state.update(inspections={}, latest_final=None, concessions={}, packing=None,
                     quantity_tolerance=Decimal(0))

    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str
        # The progress-board column the event moves the order to (None: the
        # order stays where it is). The read models follow it too.
        leads_to: ClassVar[str | None] = None

        def state_after(self, state: str) -> str:
            """The order's state after this event, from ``state``."""
            return state if self.leads_to is None else self.leads_to

        def apply(self, order: Order) -> None:
            order.state = self.state_after(order.state)

    class OrderCreated(Event, Aggregate.Created):
        leads_to = "inquiry"
        reference: str
        customer_id: UUID
        customer_country: str
        customer_region: str
        currency: str
        incoterm: str
        delivery_date: date
        samples_required: bool
        payment_terms: dict[str, Any]
        lines: list[dict[str, Any]]
        total: Decimal

    def __init__(self, *, reference: str, customer_id: UUID, customer_country: str,
                 customer_region: str, currency: str, incoterm: str, delivery_date: date,
                 samples_required: bool, payment_terms: dict[str, Any],
                 lines: list[dict[str, Any]], total: Decimal, actor_sub: str,
                 actor_role: str):
        self.reference = reference
        self.customer_id = customer_id
        self.customer_country = customer_country
        self.customer_region = customer_region
        self.currency = currency
        self.incoterm = incoterm
        self.delivery_date = delivery_date
        self.samples_required = samples_required
        self.payment_terms = payment_terms
        self.lines = lines
        self.total = total
        self.owner = actor_sub
        self.state = self.OrderCreated.leads_to
        self.samples: dict[str, dict[str, Any]] = {}
        self.pi_revision = 0
        self.pi_signed_back = False
        self.confirmed = False
        self.analysis_no = 0
        self.detailed_analysis = False  # the latest analysis made after confirmation (G2)
        self.margin = Decimal(0)
        self.margin_approved = False
        zero = quantize_money(Decimal(0), currency)  # "0.00", "0" for JPY
        self.deposits = zero
        self.balances = zero
        self.fees = zero
        self.shipment_without_balance_approved = False
        self.letters_of_credit: dict[str, dict[str, Any]] = {}  # by number (G4)
        # Issue 11: notice, plan, progress, delays, consents (production.py).
        self.production = production.new_state()
        self.changes: dict[str, dict[str, Any]] = {}  # by change_id (G9)
        self.pi_pending_change = False  # a change's PI revision not signed back (G1)
        self.analysis_stale = False  # a price/quantity change since the last analysis (G2)
        self.margin_recheck = False  # a price/quantity change: G2 again at shipment
        # Issue 12: inspections by id, the latest final one (G11), concessions
        # by inspection id, the packing list (G12) and the quantity tolerance.
        self.inspections: dict[str, dict[str, Any]] = {}
        self.latest_final: str | None = None
        self.concessions: dict[str, dict[str, Any]] = {}
        self.packing: dict[str, Any] | None = None
        self.quantity_tolerance = Decimal(0)
        self.alerts: dict[str, dict[str, Any]] = {}

    # ---- derived figures -------------------------------------------------
    @property
    def paid(self) -> Decimal:
        return self.deposits + self.balances

    @property
    def balance_due(self) -> Decimal:
        return self.total - self.paid

    @property
    def deposit_due(self) -> Decimal:
        percent = self.payment_terms["deposit_percent"]
        return quantize_money(self.total * percent / 100, self.currency)

    @property
    def pre_production_sample_approved(self) -> bool:
        return any(
            s["stage"] == "pre_production" and s["status"] == "approved"
            for s in self.samples.values()
        )

    # ---- creation ----------------------------------------------------------
    @classmethod
    def create(cls, *, reference: str, customer_id: UUID, customer_country: str,
               customer_region: str, currency: str, incoterm: str, delivery_date: date,
               samples_required: bool, payment_terms: dict[str, Any],
               lines: list[dict[str, Any]], policy: Policy, actor: Actor) -> Order:
        currency = parse_currency(currency)
        if incoterm not in INCOTERMS_2020:
            raise InvalidValue("incoterm", f"{incoterm!r} is not an Incoterms 2020 rule")
        terms = parse_payment_terms(payment_terms)
        parsed_lines = parse_lines(lines, currency)
        total = sum((line["amount"] for line in parsed_lines), Decimal(0))
        gates.refuse(
            gates.g3_terms(terms, total, currency, customer_region, policy, at_confirmation=False)
        )
        return cls._create(
            cls.OrderCreated,
            id=order_id_for(customer_id, reference),
            reference=reference.strip(), customer_id=customer_id,
            customer_country=customer_country, customer_region=customer_region,
            currency=currency, incoterm=incoterm, delivery_date=delivery_date,
            samples_required=samples_required, payment_terms=terms, lines=parsed_lines,
            total=total, actor_sub=actor.sub, actor_role=actor.role,
        )

    # ---- guards shared by commands -----------------------------------------
    def _require_open(self, doing: str) -> None:
        if self.state in FINAL_STATES:
            raise InvalidState(f"The order is {self.state}: cannot {doing}")

    def _require_unconfirmed(self, doing: str) -> None:
        self._require_open(doing)
        if self.confirmed:
            raise InvalidState(f"The order is already confirmed: cannot {doing}")

    def _require_not_shipped(self, doing: str) -> None:
        self._require_open(doing)
        if state_rank(self.state) >= state_rank("shipped"):
            raise InvalidState(f"The order is already {self.state}: cannot {doing}")

    def _emit(self, event_class: type[Aggregate.Event], actor: Actor, **data: Any) -> None:
        self.trigger_event(event_class, actor_sub=actor.sub, actor_role=actor.role, **data)

    # ---- samples -----------------------------------------------------------
    class SampleRequested(Event):
        leads_to = "sampling"
        sample_id: str
        stage: str

        def state_after(self, state: str) -> str:
            # Forward only: a sample asked for later (a new round after the
            # PI) leaves the order in its column.
            return self.leads_to if state_rank(state) < state_rank(self.leads_to) else state

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.samples[self.sample_id] = {
                "sample_id": self.sample_id, "stage": self.stage, "status": "requested",
                "requested_at": self.timestamp, "decided_at": None, "comments": None,
                "evidence_ref": None,
            }

    def request_sample(self, stage: str, actor: Actor) -> str:
        if stage not in SAMPLE_STAGES:
            raise InvalidValue("stage", f"must be one of {', '.join(SAMPLE_STAGES)}")
        self._require_not_shipped("request a sample")
        sample_id = str(uuid4())
        self._emit(self.SampleRequested, actor, sample_id=sample_id, stage=stage)
        return sample_id

    class SampleApproved(Event):
        sample_id: str
        stage: str
        comments: str | None
        evidence_ref: str | None

        def apply(self, order: Order) -> None:
            _decide(order, self, "approved")

    class SampleRejected(Event):
        sample_id: str
        stage: str
        comments: str | None  # what to change for the next round
        evidence_ref: str | None

        def apply(self, order: Order) -> None:
            _decide(order, self, "rejected")

    def decide_sample(self, sample_id: str, decision: str, comments: str | None,
                      evidence_ref: str | None, actor: Actor) -> None:
        sample = self.samples.get(sample_id)
        if sample is None:
            raise NotFound(f"Sample {sample_id} is not part of this order")
        self._require_open("decide on a sample")
        if sample["status"] != "requested":
            raise InvalidState(f"Sample {sample_id} was already {sample['status']}")
        if decision == "approved" and not (evidence_ref and evidence_ref.strip()):
            # G5, SPEC §1: a customer's approval is kept with its written word.
            raise InvalidValue("evidence_ref", "an approval is recorded with the customer's "
                                               "evidence (e-mail, signed sample card...)")
        event = {"approved": self.SampleApproved, "rejected": self.SampleRejected}[decision]
        self._emit(event, actor, sample_id=sample_id, stage=sample["stage"],
                   comments=comments, evidence_ref=evidence_ref)

    # ---- proforma invoice ----------------------------------------------------
    class ProformaInvoiceIssued(Event):
        leads_to = "pi_issued"
        revision: int
        currency: str
        incoterm: str
        delivery_date: date
        payment_terms: dict[str, Any]
        lines: list[dict[str, Any]]
        total: Decimal

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.pi_revision = self.revision
            order.pi_signed_back = False

    def issue_proforma_invoice(self, actor: Actor) -> None:
        self._require_unconfirmed("issue a proforma invoice")
        self._emit(
            self.ProformaInvoiceIssued, actor, revision=self.pi_revision + 1,
            currency=self.currency, incoterm=self.incoterm, delivery_date=self.delivery_date,
            payment_terms=self.payment_terms, lines=self.lines, total=self.total,
        )

    class ProformaInvoiceSignedBack(Event):
        leads_to = "pi_signed"
        revision: int
        signed_by: str
        evidence_ref: str

        def state_after(self, state: str) -> str:
            # Forward only: a change's revision signed back during production
            # leaves the order in its column.
            return self.leads_to if state_rank(state) < state_rank(self.leads_to) else state

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.pi_signed_back = True
            order.pi_pending_change = False

    def sign_back_proforma_invoice(self, signed_by: str, evidence_ref: str, actor: Actor) -> None:
        """Before confirmation, or after it the revision an accepted change
        issued (G9 -> G1)."""
        if not self.pi_pending_change:
            self._require_unconfirmed("record a signed-back proforma invoice")
        self._require_not_shipped("record a signed-back proforma invoice")
        if self.pi_revision == 0:
            raise InvalidState("No proforma invoice has been issued yet")
        if self.pi_signed_back:
            raise InvalidState(f"Proforma invoice revision {self.pi_revision} is already signed back")
        self._emit(self.ProformaInvoiceSignedBack, actor, revision=self.pi_revision,
                   signed_by=signed_by, evidence_ref=evidence_ref)

    # ---- costs and margin ----------------------------------------------------
    class CostAnalysed(Event):
        analysis_no: int
        stage: str
        costs: list[dict[str, Any]]
        fx_rates: dict[str, Decimal]
        total_costs: Decimal
        margin: Decimal

        def apply(self, order: Order) -> None:
            order.analysis_no = self.analysis_no
            # Rough before confirmation, detailed after (G2): from the order
            # as the event finds it, so older events answer the same.
            order.detailed_analysis = order.confirmed
            order.margin = self.margin
            order.margin_approved = False  # an approval covers one analysis only
            order.analysis_stale = False

    def analyse_costs(self, costs: list[dict[str, Any]], fx_rates: dict[str, Decimal],
                      actor: Actor) -> None:
        self._require_open("analyse costs")
        parsed, total_costs = parse_costs(costs, fx_rates, self.currency)
        # Floor to 4 places: rounding must never lift a margin over the threshold.
        margin = ((self.total - total_costs) / self.total).quantize(
            Decimal("0.0001"), rounding=ROUND_FLOOR
        )
        self._emit(
            self.CostAnalysed, actor, analysis_no=self.analysis_no + 1,
            stage="detailed" if self.confirmed else "rough", costs=parsed,
            fx_rates={k: fx_rates[k] for k in sorted(fx_rates)},
            total_costs=total_costs, margin=margin,
        )

    class MarginApproved(Event):
        analysis_no: int
        margin: Decimal
        reason: str

        def apply(self, order: Order) -> None:
            order.margin_approved = True

    def approve_margin(self, reason: str, actor: Actor) -> None:
        gates.refuse(gates.g2_margin_approver(actor.role))
        self._require_open("approve a margin")
        if self.analysis_no == 0:
            raise InvalidState("There is no cost analysis to approve")
        self._emit(self.MarginApproved, actor, analysis_no=self.analysis_no,
                   margin=self.margin, reason=reason)

    # ---- terms and confirmation ---------------------------------------------
    class PaymentTermsAmended(Event):
        payment_terms: dict[str, Any]

        def apply(self, order: Order) -> None:
            order.payment_terms = self.payment_terms

    def amend_payment_terms(self, payment_terms: dict[str, Any], policy: Policy,
                            actor: Actor) -> None:
        self._require_unconfirmed("amend the payment terms")
        terms = parse_payment_terms(payment_terms)
        gates.refuse(gates.g3_terms(terms, self.total, self.currency, self.customer_region,
                                    policy, at_confirmation=False))
        self._emit(self.PaymentTermsAmended, actor, payment_terms=terms)

    class OrderConfirmed(Event):
        leads_to = "confirmed"
        pi_revision: int
        waiver_reason: str | None

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.confirmed = True

    def confirm(self, waiver_reason: str | None, policy: Policy, actor: Actor) -> None:
        gates.refuse(gates.g1_confirmer(actor.role))
        self._require_unconfirmed("confirm it")
        gates.refuse(
            gates.g1_confirmation(self, waiver_reason),
            gates.g2_margin(self, policy, at="confirmation"),
            gates.g3_terms(self.payment_terms, self.total, self.currency, self.customer_region,
                           policy, at_confirmation=True),
        )
        waiver = None if self.pi_signed_back else waiver_reason.strip()  # type: ignore[union-attr]
        self._emit(self.OrderConfirmed, actor, pi_revision=self.pi_revision, waiver_reason=waiver)

    class OrderOwnerChanged(Event):
        owner: str
        previous_owner: str

        def apply(self, order: Order) -> None:
            order.owner = self.owner

    def change_owner(self, owner: str, actor: Actor) -> None:
        """The merchandiser who follows the order (Plan 12: several orders in
        one person's hands are never mixed up). Already theirs: nothing to
        record, as a PUT repeated."""
        owner = owner.strip()
        if not owner:
            raise InvalidValue("owner", "must not be blank")
        self._require_open("change its owner")
        if owner != self.owner:
            self._emit(self.OrderOwnerChanged, actor, owner=owner, previous_owner=self.owner)

    class OrderCancelled(Event):
        leads_to = "cancelled"
        reason: str

    class CancellationCostsAgreed(Event):
        """What the customer bears for a partly produced order cancelled (G9)."""
        customer_bears: list[dict[str, Any]]
        evidence_ref: str | None

    def cancel(self, reason: str, actor: Actor, customer_bears: list[dict[str, Any]] | None = None,
               evidence_ref: str | None = None) -> None:
        """G9 after release: a finished order is not cancelled; a partly
        produced one records what the customer bears. Either way the
        purchaser is told to review the order's open POs."""
        self._require_not_shipped("cancel it")
        released = state_rank(self.state) >= state_rank("in_production")
        stage = production.stage(self.production, self.lines)
        if released:
            gates.refuse(gates.g9_change(stage, "cancelled"))
        if released and stage == "partial":
            if customer_bears is None:
                raise GateViolation("G9", "A partly produced order is cancelled with what the "
                                          "customer bears (customer_bears; empty if nothing)")
            self._emit(self.CancellationCostsAgreed, actor,
                       customer_bears=production.parse_bears(customer_bears),
                       evidence_ref=production.optional_text(evidence_ref, "evidence_ref"))
        self._emit(self.OrderCancelled, actor, reason=reason)
        if released:
            self._raise_alert("cancelled_during_production",
                              "Order cancelled after its production release: review its open "
                              "purchase orders", actor, for_role=roles.PURCHASER)

    # ---- money ----------------------------------------------------------------
    class DepositReceived(Event):
        amount: Decimal
        currency: str
        received_on: date
        reference: str

        def apply(self, order: Order) -> None:
            order.deposits += self.amount

    class BalanceReceived(Event):
        amount: Decimal
        currency: str
        received_on: date
        reference: str

        def apply(self, order: Order) -> None:
            order.balances += self.amount

    class FeeReceived(Event):
        amount: Decimal
        currency: str
        received_on: date
        reference: str
        kind: str  # sample_fee, mould_fee

        def apply(self, order: Order) -> None:
            order.fees += self.amount

    def record_payment(self, kind: str, amount: Decimal, currency: str, received_on: date,
                       reference: str, actor: Actor) -> None:
        self._require_open("record a payment")
        if currency != self.currency:
            raise InvalidValue(
                "currency", f"The order is in {self.currency}: a payment in {currency} is refused"
            )
        amount = parse_money(amount, currency, "amount")
        data = dict(amount=amount, currency=currency, received_on=received_on,
                    reference=reference)
        if kind in ("sample_fee", "mould_fee"):
            self._emit(self.FeeReceived, actor, kind=kind, **data)
            return
        if amount > self.balance_due:
            raise InvalidValue(
                "amount", f"{amount} {currency} is more than the {self.balance_due} still due"
            )
        self._emit({"deposit": self.DepositReceived, "balance": self.BalanceReceived}[kind],
                   actor, **data)
        if self.paid >= self.deposit_due:
            self._clear_alert("production_without_deposit", "deposit received", actor)
        if self.balance_due == 0:
            self._clear_alert("shipment_without_balance", "balance received in full", actor)

    # ---- letters of credit (G4) ---------------------------------------------------
    class LetterOfCreditReceived(CreditTerms, Event):
        """Every term of the credit (``CreditTerms``)."""

        def apply(self, order: Order) -> None:
            order.letters_of_credit[self.number] = _credit(self, amendments=0)

    class LetterOfCreditAmended(CreditTerms, Event):
        """The credit as amended, every term (an amendment restates them)."""

        def apply(self, order: Order) -> None:
            amendments = order.letters_of_credit[self.number]["amendments"] + 1
            order.letters_of_credit[self.number] = _credit(self, amendments=amendments)

    def receive_letter_of_credit(self, credit: dict[str, Any], actor: Actor) -> None:
        """Record an L/C the customer's bank opened; G4 counts it when the
        order ships (``gates.g4_credit_shortfall``)."""
        self._require_not_shipped("receive a letter of credit")
        if self.payment_terms["method"] != "LC":
            raise InvalidState(f"The order is paid by {self.payment_terms['method']}, "
                               "not by letter of credit: amend its payment terms first")
        terms = _parse_credit(credit)
        if terms["number"] in self.letters_of_credit:
            raise InvalidState(f"L/C {terms['number']} is already received: amend it instead")
        self._emit(self.LetterOfCreditReceived, actor, **terms)

    def amend_letter_of_credit(self, number: str, credit: dict[str, Any],
                               actor: Actor) -> None:
        """Record the bank's amendment of a received L/C (a later shipment
        date, a higher amount...). The same terms again: nothing to record."""
        if number not in self.letters_of_credit:
            raise NotFound(f"L/C {number} has not been received for this order")
        self._require_not_shipped("amend a letter of credit")
        terms = _parse_credit({**credit, "number": number})
        current = {k: v for k, v in self.letters_of_credit[number].items()
                   if k != "amendments"}
        if terms != current:
            self._emit(self.LetterOfCreditAmended, actor, **terms)

    # ---- production and shipment ------------------------------------------------
    class ProductionOrderReleased(Event):
        leads_to = "in_production"
        deposit_due: Decimal
        deposit_received: Decimal

    def release_production(self, policy: Policy, actor: Actor) -> None:
        self._require_open("release it to production")
        if state_rank(self.state) >= state_rank("in_production"):
            raise InvalidState(f"The order is already {self.state}")
        gates.refuse(
            gates.g1_production(self),
            gates.g2_margin(self, policy, at="production"),
            gates.g5_samples(self),
        )
        if self.production["notice"] is None:
            raise InvalidState("The order has no production notice: the merchandiser drafts "
                               "it, the release approves it")
        self._emit(self.ProductionOrderReleased, actor, deposit_due=self.deposit_due,
                   deposit_received=self.deposits)
        if self.paid < self.deposit_due:
            self._raise_alert(
                "production_without_deposit",
                f"Production released with {self.deposits} of the {self.deposit_due} "
                f"{self.currency} deposit received",
                actor,
            )

    class ShipmentWithoutBalanceApproved(Event):
        reason: str
        balance_due: Decimal

        def apply(self, order: Order) -> None:
            order.shipment_without_balance_approved = True

    def approve_shipment_without_balance(self, reason: str, actor: Actor) -> None:
        gates.refuse(gates.g4_shipment_approver(actor.role))
        self._require_not_shipped("approve a shipment without balance")
        if self.balance_due <= 0:
            raise InvalidState("The balance is already received in full")
        self._emit(self.ShipmentWithoutBalanceApproved, actor, reason=reason,
                   balance_due=self.balance_due)
        self._raise_alert(
            "shipment_without_balance",
            f"Shipment approved by {actor.sub} with {self.balance_due} {self.currency} "
            f"outstanding: {reason}",
            actor,
        )

    class Shipped(Event):
        # 2: what was packed (G12), which version-1 shipments did not record.
        class_version = 2
        leads_to = "shipped"
        shipped_on: date
        carrier: str
        transport_document: str
        balance_due: Decimal
        packing_list_revision: int | None
        packed: list[dict[str, Any]]  # quantities per line, colour and size

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(packing_list_revision=None, packed=[])

    def ship(self, shipped_on: date, carrier: str, transport_document: str, actor: Actor,
             policy: Policy) -> None:
        """G4: the balance received, a manager's waiver, or (under an L/C) a
        received credit that secures it on ``shipped_on``. ``policy``: the
        company's country for a Nigerian credit."""
        self._require_not_shipped("ship it")
        if state_rank(self.state) < state_rank("in_production"):
            raise InvalidState("The order has not been released to production")
        gates.refuse(
            gates.g1_shipment(self),
            gates.g2_shipment(self, policy),
            gates.g4_shipment(self, shipped_on, policy),
            gates.g6_late_shipment(self.delivery_date, shipped_on,
                                   production.consented_until(self.production)),
            gates.g11_shipment(self),
            gates.g12_shipment(self),
        )
        self._emit(self.Shipped, actor, shipped_on=shipped_on, carrier=carrier,
                   transport_document=transport_document, balance_due=self.balance_due,
                   packing_list_revision=self.packing["revision"] if self.packing else None,
                   packed=self.packing["totals"]["by_colour_size"] if self.packing else [])

    class OrderClosed(Event):
        leads_to = "closed"

    def close(self, actor: Actor) -> None:
        if self.state != "shipped":
            raise InvalidState(f"Only a shipped order can be closed; it is {self.state}")
        self._emit(self.OrderClosed, actor)

    # ---- production follow-up (Plan 12 §5: app/domain/production.py, tna.py) ---------
    class ProductionNoticeDrafted(Event):
        revision: int
        factory: dict[str, Any]
        requirements: dict[str, Any]
        breakdown: list[dict[str, Any]]
        accessories: list[dict[str, Any]]

        def apply(self, order: Order) -> None:
            order.production["notice"] = {
                "revision": self.revision, "factory": self.factory,
                "requirements": self.requirements, "breakdown": self.breakdown,
                "accessories": self.accessories,
            }
            order.production["packaging"] = self.requirements["packaging"]

    def draft_production_notice(self, factory: dict[str, Any], requirements: dict[str, Any],
                                breakdown: list[dict[str, Any]],
                                accessories: list[dict[str, Any]] | None, actor: Actor) -> None:
        """The merchandiser's draft; the production release approves and
        freezes it, so a released order's notice is not redrafted."""
        self._require_open("draft a production notice")
        if state_rank(self.state) >= state_rank("in_production"):
            raise InvalidState("The production notice was frozen by the production release")
        notice = production.parse_notice(self.lines, factory, requirements, breakdown,
                                         accessories)
        previous = self.production["notice"]
        self._emit(self.ProductionNoticeDrafted, actor,
                   revision=(previous["revision"] if previous else 0) + 1, **notice)

    class ProductionPlanned(Event):
        revision: int
        template: str | None
        milestones: list[dict[str, Any]]  # with each one's planned_on
        calendar: dict[str, Any]
        daily_capacity: int | None
        quantity: Decimal
        ex_factory: date
        feasible: bool
        days_short: int
        reason: str
        forecast: dict[str, date]
        forecast_ex_factory: date

        def apply(self, order: Order) -> None:
            order.production["plan"] = {
                "revision": self.revision, "template": self.template,
                "milestones": self.milestones, "calendar": self.calendar,
                "daily_capacity": self.daily_capacity, "quantity": self.quantity,
                "ex_factory": self.ex_factory, "feasible": self.feasible,
                "days_short": self.days_short,
            }
            codes = {m["code"] for m in self.milestones}
            order.production["actuals"] = {
                code: on for code, on in order.production["actuals"].items() if code in codes}
            order.production["forecast"] = self.forecast
            order.production["forecast_ex_factory"] = self.forecast_ex_factory

    def plan_production(self, template: str | None, milestones: list[dict[str, Any]] | None,
                        daily_capacity: int | None, calendar: dict[str, Any] | None,
                        today: date, policy: Policy, actor: Actor) -> None:
        """A time-and-action plan worked backward from the ex-factory date;
        an infeasible one is recorded, flagged with the days it is short."""
        self._require_not_shipped("plan its production")
        if (template is None) == (milestones is None):
            raise InvalidValue("template", "a plan comes from a template or from milestones")
        if template is not None and template not in tna.TEMPLATES:
            raise InvalidValue("template", f"one of {', '.join(tna.TEMPLATES)}")
        if daily_capacity is not None and not 1 <= daily_capacity <= 10_000_000:
            raise InvalidValue("daily_capacity", "1 to 10000000 a day")
        parsed = tna.parse_milestones(
            tna.TEMPLATES[template]["milestones"] if template else milestones or [])
        self._plan(template, parsed, daily_capacity,
                   tna.parse_calendar(calendar, policy.company_country), today,
                   "re-planned" if self.production["plan"] else "planned", actor)

    def _plan(self, template: str | None, milestones: list[dict[str, Any]],
              daily_capacity: int | None, calendar: tna.Calendar, today: date, reason: str,
              actor: Actor) -> None:
        quantity = production.ordered_quantity(self.lines)
        planned, short = tna.work_backward(
            tna.with_capacity(milestones, quantity, daily_capacity), self.delivery_date,
            calendar, today)
        forecast = tna.project_forward(planned, self.production["actuals"], calendar)
        previous = self.production["plan"]
        self._emit(self.ProductionPlanned, actor,
                   revision=(previous["revision"] if previous else 0) + 1, template=template,
                   milestones=planned, calendar=calendar.as_dict(),
                   daily_capacity=daily_capacity, quantity=quantity,
                   ex_factory=self.delivery_date, feasible=short == 0, days_short=short,
                   reason=reason, forecast=forecast,
                   forecast_ex_factory=forecast[tna.EX_FACTORY])
        self._check_ex_factory(actor)

    class MilestoneCompleted(Event):
        code: str
        on: date
        evidence_ref: str | None
        note: str | None
        planned_on: date
        days_late: int
        forecast: dict[str, date]  # every milestone, re-projected from ``on``
        forecast_ex_factory: date

        def apply(self, order: Order) -> None:
            order.production["actuals"] = {**order.production["actuals"], self.code: self.on}
            order.production["forecast"] = self.forecast
            order.production["forecast_ex_factory"] = self.forecast_ex_factory

    def complete_milestone(self, code: str, on: date, evidence_ref: str | None,
                           note: str | None, today: date, actor: Actor) -> None:
        self._require_not_shipped("complete a milestone")
        milestone = production.require_plan_milestone(self.production, code)
        if code in self.production["actuals"]:
            raise InvalidState(f"Milestone {code!r} was completed on "
                               f"{self.production['actuals'][code]}")
        if on > today:
            raise InvalidValue("on", "a milestone is completed today or on an earlier day")
        plan = self.production["plan"]
        forecast = tna.project_forward(plan["milestones"],
                                       {**self.production["actuals"], code: on},
                                       tna.Calendar.from_dict(plan["calendar"]))
        self._emit(self.MilestoneCompleted, actor, code=code, on=on,
                   evidence_ref=production.optional_text(evidence_ref, "evidence_ref"),
                   note=production.optional_text(note, "note"),
                   planned_on=milestone["planned_on"],
                   days_late=max(0, (on - milestone["planned_on"]).days),
                   forecast=forecast, forecast_ex_factory=forecast[tna.EX_FACTORY])
        self._check_ex_factory(actor)

    class ProgressReported(Event):
        on: date
        cut: Decimal
        made: Decimal
        finished: Decimal
        packed: Decimal
        by_size: list[dict[str, Any]]
        lines_running: int | None
        note: str | None
        planned: Decimal | None
        behind: Decimal | None

        def apply(self, order: Order) -> None:
            order.production["progress"] = [*order.production["progress"], {
                name: getattr(self, name) for name in (
                    "on", "cut", "made", "finished", "packed", "by_size", "lines_running",
                    "note", "planned", "behind")}]

    def report_progress(self, on: date, quantities: dict[str, Any],
                        by_size: list[dict[str, Any]] | None, lines_running: int | None,
                        note: str | None, today: date, policy: Policy, actor: Actor) -> None:
        """Cumulative quantities as of a day; behind the plan by more than the
        threshold, ``progress_behind_plan`` asks the merchandiser for a cause."""
        self._require_not_shipped("report progress")
        if state_rank(self.state) < state_rank("in_production"):
            raise InvalidState("The order has not been released to production")
        report = production.parse_progress(self.production, self.lines, on, today, quantities,
                                           by_size, lines_running, note)
        planned, behind = production.behind_plan(self.production, self.lines, on,
                                                 report["made"])
        self._emit(self.ProgressReported, actor, **report, planned=planned, behind=behind)
        if behind is None:
            return
        threshold = production.behind_threshold(self.production, self.lines,
                                                 policy.progress_behind_days)
        if behind > threshold:
            self._raise_alert(
                "progress_behind_plan",
                f"{report['made']} made by {on} against {planned} planned ({behind} behind): "
                "report the delay and its cause", actor, for_role=roles.MERCHANDISER)
        else:
            self._clear_alert("progress_behind_plan", "back on plan", actor)

    class DelayReported(Event):
        delay_id: str
        cause: str
        responsible: str
        days: int
        forecast_ex_factory: date
        action: str
        purchase_order_id: str | None
        reported_on: date

        def apply(self, order: Order) -> None:
            order.production["delays"] = [*order.production["delays"], {
                name: getattr(self, name) for name in (
                    "delay_id", "cause", "responsible", "days", "forecast_ex_factory",
                    "action", "purchase_order_id", "reported_on")}]
            order.production["forecast_ex_factory"] = self.forecast_ex_factory

    def report_delay(self, cause: str, responsible: str, days: int, forecast_ex_factory: date,
                     action: str, purchase_order_id: Any, today: date, actor: Actor) -> str:
        self._require_not_shipped("report a delay")
        if not self.confirmed:
            raise InvalidState("The order is not confirmed: there is no agreed date to delay")
        delay = production.parse_delay(cause, responsible, days, forecast_ex_factory, action,
                                       purchase_order_id)
        delay_id = str(uuid4())
        self._emit(self.DelayReported, actor, delay_id=delay_id, reported_on=today, **delay)
        self._clear_alert("progress_behind_plan", f"cause reported: {cause}", actor)
        self._check_ex_factory(actor)
        return delay_id

    class DelayConsented(Event):
        consented_date: date
        evidence_ref: str
        compensation: dict[str, Any] | None

        def apply(self, order: Order) -> None:
            order.production["consents"] = [*order.production["consents"], {
                "consented_date": self.consented_date, "evidence_ref": self.evidence_ref,
                "compensation": self.compensation}]

    def record_delay_consent(self, consented_date: date, evidence_ref: str,
                             compensation: dict[str, Any] | None, actor: Actor) -> None:
        """The customer's written consent to ship as late as ``consented_date`` (G6)."""
        self._require_not_shipped("record a consent to a later date")
        if consented_date <= self.delivery_date:
            raise InvalidValue("consented_date", f"the agreed date is {self.delivery_date}: a "
                                                 "consent is to a later one")
        self._emit(self.DelayConsented, actor, consented_date=consented_date,
                   evidence_ref=production.required_text(evidence_ref, "evidence_ref"),
                   compensation=production.parse_compensation(compensation))
        self._check_ex_factory(actor)

    def _check_ex_factory(self, actor: Actor) -> None:
        """Raise ``ex_factory_at_risk`` for the supervisor while the forecast
        is after the agreed date without the customer's consent to it."""
        forecast = self.production["forecast_ex_factory"]
        consented = production.consented_until(self.production)
        if forecast is not None and forecast > self.delivery_date and not (
                consented is not None and consented >= forecast):
            self._raise_alert(
                "ex_factory_at_risk",
                f"Forecast ex-factory {forecast}, after the agreed {self.delivery_date}: "
                "the customer's consent is needed (G6)", actor, for_role=roles.SUPERVISOR)
        else:
            self._clear_alert("ex_factory_at_risk", "forecast on time, or consented", actor)

    # ---- order changes (G9: app/domain/changes.py) ------------------------------------
    class ChangeRequested(Event):
        change_id: str
        kind: str
        lines: list[dict[str, Any]]
        packaging: str | None
        delivery_date: date | None
        requested_by: str
        reason: str
        evidence_ref: str

        def apply(self, order: Order) -> None:
            order.changes[self.change_id] = {
                "change_id": self.change_id, "status": "pending", "kind": self.kind,
                "lines": self.lines, "packaging": self.packaging,
                "delivery_date": self.delivery_date, "requested_by": self.requested_by,
                "reason": self.reason, "evidence_ref": self.evidence_ref,
                "customer_bears": [], "pi_revision": None}

    class ChangeAccepted(Event):
        change_id: str
        kind: str
        requested_by: str
        reason: str
        evidence_ref: str
        decision_evidence_ref: str | None
        customer_bears: list[dict[str, Any]]
        request: dict[str, Any]  # what was asked: lines, packaging, delivery_date
        lines: list[dict[str, Any]]  # the order's lines after the change
        total: Decimal
        delivery_date: date
        packaging: str | None
        pi_revision: int  # the revision to sign back; 0: no PI was ever issued

        def apply(self, order: Order) -> None:
            order.changes[self.change_id] = {
                "change_id": self.change_id, "status": "accepted", "kind": self.kind,
                **self.request, "requested_by": self.requested_by, "reason": self.reason,
                "evidence_ref": self.evidence_ref, "customer_bears": self.customer_bears,
                "pi_revision": self.pi_revision}
            order.lines, order.total = self.lines, self.total
            order.delivery_date = self.delivery_date
            order.production["packaging"] = self.packaging
            if self.pi_revision:
                order.pi_revision, order.pi_signed_back = self.pi_revision, False
                order.pi_pending_change = True
            if self.kind in changes.REPRICING:
                order.analysis_stale = order.margin_recheck = True

    class ChangeRejected(Event):
        change_id: str
        evidence_ref: str | None
        reason: str | None

        def apply(self, order: Order) -> None:
            order.changes[self.change_id] = {**order.changes[self.change_id],
                                             "status": "rejected"}

    def request_change(self, kind: str, lines: list[dict[str, Any]] | None,
                       packaging: str | None, delivery_date: date | None, requested_by: str,
                       reason: str, evidence_ref: str, today: date,
                       actor: Actor) -> dict[str, str]:
        """G9: nothing produced, accepted at once; partly produced, pending a
        supervisor's decision; production finished, refused."""
        self._require_not_shipped("change it")
        request = changes.parse_change(self.lines, self.delivery_date, kind, lines, packaging,
                                       delivery_date, requested_by, reason, evidence_ref)
        stage = production.stage(self.production, self.lines)
        gates.refuse(gates.g9_change(stage, "changed"))
        change_id = str(uuid4())
        if stage == "none":
            self._accept_change(change_id, request, None, [], today, actor)
            return {"change_id": change_id, "status": "accepted"}
        self._emit(self.ChangeRequested, actor, change_id=change_id, **request)
        return {"change_id": change_id, "status": "pending"}

    def decide_change(self, change_id: str, decision: str,
                      customer_bears: list[dict[str, Any]] | None, evidence_ref: str | None,
                      today: date, actor: Actor) -> dict[str, str]:
        gates.refuse(gates.g9_decider(actor.role))
        change = self.changes.get(change_id)
        if change is None:
            raise NotFound(f"Change {change_id} is not part of this order")
        self._require_not_shipped("decide on a change")
        if change["status"] != "pending":
            raise InvalidState(f"Change {change_id} is already {change['status']}")
        if decision not in changes.DECISIONS:
            raise InvalidValue("decision", f"one of {', '.join(changes.DECISIONS)}")
        if decision == "rejected":
            self._emit(self.ChangeRejected, actor, change_id=change_id,
                       evidence_ref=production.optional_text(evidence_ref, "evidence_ref"),
                       reason=None)
            return {"change_id": change_id, "status": "rejected"}
        gates.refuse(gates.g9_change(production.stage(self.production, self.lines), "changed"))
        request = {key: change[key] for key in (
            "kind", "lines", "packaging", "delivery_date", "requested_by", "reason",
            "evidence_ref")}
        self._accept_change(change_id, request,
                            production.required_text(evidence_ref, "evidence_ref"),
                            production.parse_bears(customer_bears), today, actor)
        return {"change_id": change_id, "status": "accepted"}

    def _accept_change(self, change_id: str, request: dict[str, Any],
                       decision_evidence_ref: str | None, customer_bears: list[dict[str, Any]],
                       today: date, actor: Actor) -> None:
        lines, total, delivery_date, packaging = changes.changed_order(
            self.lines, self.currency, self.delivery_date, self.production["packaging"],
            request)
        asked = {key: request[key] for key in ("lines", "packaging", "delivery_date")}
        self._emit(self.ChangeAccepted, actor, change_id=change_id, kind=request["kind"],
                   requested_by=request["requested_by"], reason=request["reason"],
                   evidence_ref=request["evidence_ref"],
                   decision_evidence_ref=decision_evidence_ref, customer_bears=customer_bears,
                   request=asked, lines=lines, total=total, delivery_date=delivery_date,
                   packaging=packaging,
                   pi_revision=self.pi_revision + 1 if self.pi_revision else 0)
        plan = self.production["plan"]
        if request["kind"] == "delivery_date" and plan is not None:
            leads = [{k: m[k] for k in ("code", "name", "owner_role", "lead_days")}
                     for m in plan["milestones"]]
            self._plan(plan["template"], leads, plan["daily_capacity"], tna.Calendar.from_dict(plan["calendar"]),
                       today, f"re-dated by change {change_id}", actor)
        else:
            self._check_ex_factory(actor)

    # ---- quality and packing (issue 12: app/domain/quality.py, packing.py) -----------
    class InspectionRecorded(quality.InspectionRecorded, Event):
        """The fields of ``quality.InspectionRecorded``, and whether the goods
        were packed."""

        leads_to = "inspected"
        packed: bool  # a packing list was issued before (goods are packed for a final)

        def state_after(self, state: str) -> str:
            # A passed final inspection moves a released order to `inspected`,
            # or straight to `ready_to_ship` when it is packed already (a final
            # inspection is usually made on packed goods).
            if self.stage == "final" and self.result == "passed" and state == "in_production":
                return "ready_to_ship" if self.packed else self.leads_to
            return state

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.inspections[self.inspection_id] = {
                **{name: getattr(self, name) for name in quality.RECORDED},
                "inspector": self.actor_sub}
            if self.stage == "final":
                order.latest_final = self.inspection_id

    def record_inspection(self, inspection: dict[str, Any], findings: list[dict[str, Any]] | None,
                          report_ref: str, inspected_on: date,
                          actions: list[dict[str, Any]] | None, factory: str, product: str,
                          severity_reason: str, actor: Actor) -> dict[str, Any]:
        """An inspection judged by the sampling plans (``quality.judge``); a
        failed one opens corrective actions. Answers what was recorded."""
        stage = inspection["stage"]
        if stage not in quality.ORDER_STAGES:
            raise InvalidValue("stage", f"one of {', '.join(quality.ORDER_STAGES)} on an order")
        self._require_not_shipped("record an inspection")
        if not self.confirmed:
            raise InvalidState("The order is not confirmed yet")
        if stage == "final" and state_rank(self.state) < state_rank("in_production"):
            raise InvalidState("A final inspection is of goods released to production")
        inspection_id = str(uuid4())
        recorded = {
            **inspection, "inspection_id": inspection_id, "factory": factory,
            "product": product, "severity_reason": severity_reason,
            "findings": quality.parse_findings(findings),
            "report_ref": production.required_text(report_ref, "report_ref"),
            "inspected_on": inspected_on,
            "corrective_actions": quality.parse_actions(
                actions, inspection["result"], inspected_on, "factory"),
            # Original inspection only: the order's first final lot counts.
            "counts_for_switching": stage == "final" and self.latest_final is None,
            "packed": self.packing is not None,
        }
        self._emit(self.InspectionRecorded, actor, **recorded)
        return recorded

    class CorrectiveActionClosed(quality.CorrectiveActionClosed, Event):
        """inspection_id, action_id, evidence_ref (app/domain/quality.py);
        ``close_corrective_action`` comes with ``quality.Inspecting``."""

    class QualityConcessionGranted(Event):
        leads_to = "inspected"
        inspection_id: str
        reason: str
        evidence_ref: str  # the customer's acceptance of the defects
        packed: bool  # as InspectionRecorded's

        def state_after(self, state: str) -> str:
            if state != "in_production":
                return state
            return "ready_to_ship" if self.packed else self.leads_to

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.concessions[self.inspection_id] = {"reason": self.reason,
                                                     "evidence_ref": self.evidence_ref,
                                                     "granted_by": self.actor_sub}

    def grant_concession(self, inspection_id: str, reason: str, evidence_ref: str,
                         actor: Actor) -> None:
        """G11: a manager ships the defects found, with the customer's
        acceptance as evidence (Plan 3 #5)."""
        gates.refuse(gates.g11_concession_granter(actor.role))
        self._require_not_shipped("grant a quality concession")
        if inspection_id != self.latest_final:
            raise InvalidState("A concession is granted on the order's latest final inspection")
        if self.inspections[inspection_id]["result"] == "passed":
            raise InvalidState("The latest final inspection passed: no concession is needed")
        if inspection_id in self.concessions:
            raise InvalidState("A concession is already granted on this inspection")
        self._emit(self.QualityConcessionGranted, actor, inspection_id=inspection_id,
                   reason=production.required_text(reason, "reason"),
                   evidence_ref=production.required_text(evidence_ref, "evidence_ref"),
                   packed=self.packing is not None)

    class QuantityToleranceSet(Event):
        percent: Decimal

        def apply(self, order: Order) -> None:
            order.quantity_tolerance = self.percent

    def set_quantity_tolerance(self, percent: Any, actor: Actor) -> None:
        """The share each line, colour and size may be packed over or short
        without a supervisor's acceptance (G12)."""
        self._require_not_shipped("set its quantity tolerance")
        value = parse_decimal(percent, "quantity_tolerance_percent")
        if not 0 <= value <= 100:
            raise InvalidValue("quantity_tolerance_percent", "0 to 100")
        if value != self.quantity_tolerance:
            self._emit(self.QuantityToleranceSet, actor, percent=value)

    class PackingListIssued(Event):
        leads_to = "ready_to_ship"
        revision: int
        cartons: list[dict[str, Any]]
        totals: dict[str, Any]
        differences: list[dict[str, Any]]
        tolerance_percent: Decimal

        def state_after(self, state: str) -> str:
            # On an inspected order the packing list makes it ready to ship.
            return self.leads_to if state == "inspected" else state

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.packing = {"revision": self.revision, "cartons": self.cartons,
                             "totals": self.totals, "differences": self.differences,
                             "tolerance_percent": self.tolerance_percent,
                             "issued_at": self.timestamp, "accepted": None}

    def issue_packing_list(self, cartons: list[dict[str, Any]], actor: Actor) -> None:
        self._require_not_shipped("issue a packing list")
        if state_rank(self.state) < state_rank("in_production"):
            raise InvalidState("A packing list is of goods released to production")
        parsed = packing.parse_cartons(cartons, self.lines)
        summed = packing.totals(parsed)
        found = packing.differences(
            summed, packing.ordered_breakdown(self.lines, self.production["notice"]),
            packing.cut_by_size(self.production["progress"]), self.quantity_tolerance)
        self._emit(self.PackingListIssued, actor,
                   revision=(self.packing["revision"] if self.packing else 0) + 1,
                   cartons=parsed, totals=summed, differences=found,
                   tolerance_percent=self.quantity_tolerance)

    class PackingDifferenceAccepted(Event):
        revision: int
        reason: str
        evidence_ref: str  # the customer's agreement

        def apply(self, order: Order) -> None:
            order.packing = {**order.packing, "accepted": {
                "reason": self.reason, "evidence_ref": self.evidence_ref,
                "accepted_by": self.actor_sub}}

    def accept_packing_difference(self, reason: str, evidence_ref: str, actor: Actor) -> None:
        """G12: a supervisor accepts the packing list's differences with the
        customer's agreement as evidence."""
        gates.refuse(gates.g12_difference_acceptor(actor.role))
        self._require_not_shipped("accept a packing difference")
        if self.packing is None:
            raise InvalidState("No packing list has been issued")
        if not any(not d["within_tolerance"] for d in self.packing["differences"]):
            raise InvalidState("The packing list is within the order's quantity tolerance")
        if self.packing["accepted"]:
            raise InvalidState(f"Packing list revision {self.packing['revision']}'s "
                               "differences are already accepted")
        self._emit(self.PackingDifferenceAccepted, actor, revision=self.packing["revision"],
                   reason=production.required_text(reason, "reason"),
                   evidence_ref=production.required_text(evidence_ref, "evidence_ref"))

    def note_discontinued(self, factory: str, product: str, reason: str, actor: Actor) -> None:
        """ISO 2859-1 10.4: the supervisor is told when the factory's
        inspection is discontinued by a lot of this order."""
        self._raise_alert("inspection_discontinued",
                          f"Inspection of {factory} for {product} discontinued: {reason}",
                          actor, for_role=roles.SUPERVISOR)

    # ---- alerts (raised and cleared by alerts.Alerting) --------------------------
    class AlertRaised(alerts.AlertRaised, Event):
        """code, message, for_role (app/domain/alerts.py)."""

    class AlertCleared(alerts.AlertCleared, Event):
        """code, reason (app/domain/alerts.py)."""


def _decide(order: Order, event: Order.SampleApproved | Order.SampleRejected,
            status: str) -> None:
    order.samples[event.sample_id].update(
        status=status, decided_at=event.timestamp, comments=event.comments,
        evidence_ref=event.evidence_ref,
    )


_CREDIT_TERMS = tuple(f.name for f in fields(CreditTerms))


def _credit(event: Any, amendments: int) -> dict[str, Any]:
    return {**{name: getattr(event, name) for name in _CREDIT_TERMS}, "amendments": amendments}


def _parse_credit(credit: dict[str, Any]) -> dict[str, Any]:
    """An L/C's terms, checked: ISO codes, money in its currency's minor
    units, the expiry not before the latest shipment date."""
    number = str(credit["number"]).strip()
    if not number:
        raise InvalidValue("number", "must not be blank")
    currency = parse_currency(credit["currency"])
    issuing = parse_country(credit["issuing_bank_country"], "issuing_bank_country")
    confirming_bank = (credit.get("confirming_bank") or "").strip() or None
    confirming = credit.get("confirming_bank_country") or None
    if confirming is not None:
        parse_country(confirming, "confirming_bank_country")
    if (confirming is None) != (confirming_bank is None):
        raise InvalidValue("confirming_bank_country",
                           "a confirming bank is given with its country, or neither")
    latest, expiry = credit["latest_shipment_date"], credit["expiry_date"]
    if expiry < latest:
        raise InvalidValue("expiry_date", "an L/C cannot expire before its latest shipment date")
    days = int(credit["presentation_days"])
    if not 1 <= days <= 21:  # UCP 600 art. 14(c): at most 21 days after shipment
        raise InvalidValue("presentation_days", "must be between 1 and 21 (UCP 600)")
    return {
        "number": number, "issuing_bank": str(credit["issuing_bank"]).strip(),
        "issuing_bank_country": issuing, "confirming_bank": confirming_bank,
        "confirming_bank_country": confirming,
        "amount": quantize_money(parse_money(Decimal(credit["amount"]), currency, "amount"),
                                 currency),
        "currency": currency, "latest_shipment_date": latest, "expiry_date": expiry,
        "presentation_days": days,
    }
