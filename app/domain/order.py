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

from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar
from uuid import UUID, NAMESPACE_URL, uuid4, uuid5

from eventsourcing.domain import Aggregate

from app.domain import alerts, gates
from app.domain.reference import INCOTERMS_2020, quantize_money
from app.domain.errors import InvalidState, InvalidValue, NotFound
from app.domain.values import (
    Actor,
    Policy,
    parse_costs,
    parse_country,
    parse_currency,
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


def state_rank(state: str) -> int:
    """A state's place in the lifecycle; ``cancelled`` after all the others."""
    return _RANK.get(state, len(STATES))


class Order(alerts.Alerting, Aggregate):
    # 2: ``detailed_analysis`` (G2), which snapshots of version 1 lack.
    # 3: ``letters_of_credit`` (G4), which snapshots of version 2 lack.
    class_version = 3

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

        def apply(self, order: Order) -> None:
            super().apply(order)
            order.pi_signed_back = True

    def sign_back_proforma_invoice(self, signed_by: str, evidence_ref: str, actor: Actor) -> None:
        self._require_unconfirmed("record a signed-back proforma invoice")
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

    def cancel(self, reason: str, actor: Actor) -> None:
        self._require_not_shipped("cancel it")
        self._emit(self.OrderCancelled, actor, reason=reason)

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
    class LetterOfCreditReceived(Event):
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

        def apply(self, order: Order) -> None:
            order.letters_of_credit[self.number] = _credit(self, amendments=0)

    class LetterOfCreditAmended(Event):
        """The credit as amended, every term (an amendment restates them)."""
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
        leads_to = "shipped"
        shipped_on: date
        carrier: str
        transport_document: str
        balance_due: Decimal

    def ship(self, shipped_on: date, carrier: str, transport_document: str, actor: Actor,
             policy: Policy) -> None:
        """G4: the balance received, a manager's waiver, or (under an L/C) a
        received credit that secures it on ``shipped_on``. ``policy``: the
        company's country for a Nigerian credit."""
        self._require_not_shipped("ship it")
        if state_rank(self.state) < state_rank("in_production"):
            raise InvalidState("The order has not been released to production")
        gates.refuse(gates.g4_shipment(self, shipped_on, policy))
        self._emit(self.Shipped, actor, shipped_on=shipped_on, carrier=carrier,
                   transport_document=transport_document, balance_due=self.balance_due)

    class OrderClosed(Event):
        leads_to = "closed"

    def close(self, actor: Actor) -> None:
        if self.state != "shipped":
            raise InvalidState(f"Only a shipped order can be closed; it is {self.state}")
        self._emit(self.OrderClosed, actor)

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


_CREDIT_TERMS = ("number", "issuing_bank", "issuing_bank_country", "confirming_bank",
                 "confirming_bank_country", "amount", "currency", "latest_shipment_date",
                 "expiry_date", "presentation_days")


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
