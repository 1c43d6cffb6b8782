"""A purchase order to a supplier, from draft to signed back, received,
invoiced and paid (SPEC.md G7; Plan 5 P/O).

Each revision is reviewed by a supervisor before it is sent (G7). Sending
freezes the revision's ``content`` and its SHA-256 ``content_hash`` (RFC
8785 canonical JSON), which is what the supplier signs back with its key.
An amendment starts a new revision: the earlier acknowledgement no longer
counts and the new revision must be reviewed, sent and signed back again.
The PO "counts as placed" only while its current revision is signed back.

Every event names the supplier and the customer order the PO serves, so
the read models (supplier performance, the order's board row) need no
lookups to place it. An event that moves the PO to another state says
which (``leads_to``); its ``apply`` and the PO board both follow it.
Alerts are raised and cleared as an order's are (app/domain/alerts.py).

Longer than the ~300 lines a module should have, because the events are
nested in the aggregate (their stored topics name ``PurchaseOrder``); the
arithmetic of lines, receipts and invoices lives in purchasing.py.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from app.domain import alerts, gates, quality
from app.domain.canonical import content_hash
from app.domain.errors import Conflict, InvalidState, InvalidValue, NotFound
from app.domain.purchasing import (
    ADJUSTMENT_REASONS,
    check_receipt_line,
    content_of,
    lines_due_after,
    match_invoice,
    parse_adjustments,
    parse_decision,
    parse_invoice_lines,
    parse_po_lines,
    parse_receipt_quantities,
    total_of,
)
from app.domain.rfq import parse_quantity, parse_unit_price
from app.domain.production import required_text
from app.domain.roles import PURCHASER
from app.domain.values import (
    Actor,
    Policy,
    decimal_text,
    parse_currency,
    parse_decimal,
    parse_money,
)

PO_STATES = ("draft", "reviewed", "sent", "countered", "signed", "cancelled")
# Delivery notes a PO accepts a UTC day (GENDAN_PORTAL_DELIVERY_NOTES_PER_DAY).
DELIVERY_NOTES_PER_DAY = 20
# The alert of a line due too late for the order (code + line_no; issue 10 §8).
DUE_AFTER_ORDER = "line_due_after_order:"
__all__ = ["ADJUSTMENT_REASONS", "PO_STATES", "PurchaseOrder", "portal_status"]


def portal_status(state: str, placed: bool) -> str:
    """What the supplier is asked to do, in one word (the portal's status)."""
    if state == "cancelled":
        return "cancelled"
    if placed:
        return "signed"
    if state == "countered":
        return "countered"
    if state == "sent":
        return "awaiting_signature"
    return "revision_in_preparation"  # amended: the next revision is not sent yet


class PurchaseOrder(alerts.Alerting, quality.Inspecting, Aggregate):
    # 2: incoming inspections (issue 12), which version-1 snapshots lack.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["inspections"] = {}

    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str
        supplier_id: UUID
        order_id: UUID | None
        # The state (PO_STATES) the event moves the PO to; None: it stays.
        leads_to: ClassVar[str | None] = None

        def state_after(self, state: str) -> str:
            return state if self.leads_to is None else self.leads_to

        def apply(self, po: PurchaseOrder) -> None:
            po.state = self.state_after(po.state)

    class PurchaseOrderDrafted(Event, Aggregate.Created):
        leads_to = "draft"
        rfq_id: UUID | None
        currency: str
        terms: str | None
        lines: list[dict[str, Any]]
        total: Decimal
        waiver_reason: str | None

    def __init__(self, supplier_id: UUID, order_id: UUID | None, rfq_id: UUID | None,
                 currency: str, terms: str | None, lines: list[dict[str, Any]],
                 total: Decimal, waiver_reason: str | None, actor_sub: str, actor_role: str):
        self.supplier_id = supplier_id
        self.order_id = order_id
        self.rfq_id = rfq_id
        self.currency = currency
        self.terms = terms
        self.lines = lines
        self.total = total
        self.waiver_reason = waiver_reason
        self.drafted_by = actor_sub
        self.state = self.PurchaseOrderDrafted.leads_to
        self.revision = 1
        # Keyed by str(revision) and str(line_no): snapshots are JSON, whose
        # object keys are strings, so int keys would not survive one.
        self.sent: dict[str, dict[str, Any]] = {}  # revision -> {content, content_hash, sent_at}
        self.signed_revision = 0
        self.acknowledgements: list[dict[str, Any]] = []
        self.counter: dict[str, Any] | None = None  # the open counter-proposal
        self.delivery_notes: list[dict[str, Any]] = []
        self.receipts: list[dict[str, Any]] = []
        self.received: dict[str, dict[str, Decimal]] = {}  # line_no -> received/accepted
        self.invoices: dict[str, dict[str, Any]] = {}
        self.invoiced_quantity: dict[str, Decimal] = {}
        self.invoiced = Decimal(0)
        self.paid = Decimal(0)
        self.adjusted = Decimal(0)
        self.payments: list[dict[str, Any]] = []
        self.inspections: dict[str, dict[str, Any]] = {}  # incoming (issue 12)
        self.alerts: dict[str, dict[str, Any]] = {}

    @classmethod
    def draft(cls, *, supplier_id: UUID, order_id: UUID | None, rfq_id: UUID | None,
              currency: str, terms: str | None, lines: list[dict[str, Any]],
              waiver_reason: str | None, actor: Actor) -> PurchaseOrder:
        currency = parse_currency(currency)
        parsed = parse_po_lines(lines, currency)
        return cls._create(
            cls.PurchaseOrderDrafted, id=uuid4(), supplier_id=supplier_id, order_id=order_id,
            rfq_id=rfq_id, currency=currency, terms=(terms or "").strip() or None,
            lines=parsed, total=total_of(parsed),
            waiver_reason=(waiver_reason or "").strip() or None,
            actor_sub=actor.sub, actor_role=actor.role,
        )

    # ---- derived -------------------------------------------------------------
    @property
    def placed(self) -> bool:
        """G7: placed only while the current revision is signed back."""
        return self.state == "signed" and self.signed_revision == self.revision

    @property
    def current(self) -> dict[str, Any] | None:
        """The sent revision the supplier answers to (None before sending)."""
        return self.sent.get(str(self.revision))

    @property
    def outstanding(self) -> Decimal:
        return self.invoiced - self.paid - self.adjusted

    def line(self, line_no: int, field: str) -> dict[str, Any]:
        for line in self.lines:
            if line["line_no"] == line_no:
                return line
        raise InvalidValue(field, f"the purchase order has no line {line_no}")

    def lines_named(self, lines: list[dict[str, Any]], what: str, *,
                    once: bool = True) -> list[dict[str, Any]]:
        """The PO line each of ``lines`` names by ``line_no``, in order: at
        least one, each an existing line and, when ``once``, named once."""
        if not lines:
            raise InvalidValue("lines", f"a {what} lists at least one line")
        named, seen = [], set()
        for n, line in enumerate(lines):
            po_line = self.line(line["line_no"], f"lines.{n}.line_no")
            if once and po_line["line_no"] in seen:
                raise InvalidValue(f"lines.{n}.line_no",
                                   f"line {po_line['line_no']} is listed twice in the {what}")
            seen.add(po_line["line_no"])
            named.append(po_line)
        return named

    def _emit(self, event_class: type[Aggregate.Event], actor: Actor, **data: Any) -> None:
        self.trigger_event(event_class, actor_sub=actor.sub, actor_role=actor.role,
                           supplier_id=self.supplier_id, order_id=self.order_id, **data)

    def _require(self, *states: str, doing: str) -> None:
        if self.state not in states:
            raise InvalidState(f"The purchase order is {self.state}: cannot {doing}")

    # ---- review and send (G7) -------------------------------------------------
    class PurchaseOrderReviewed(Event):
        leads_to = "reviewed"
        revision: int

    def review(self, actor: Actor) -> None:
        gates.refuse(gates.g7_reviewer(actor.role))
        self._require("draft", doing="review it")
        # Four eyes: the G8 waiver is given with the draft, by its drafter.
        waived_by = self.drafted_by if self.waiver_reason else None
        gates.refuse(gates.g7_four_eyes(actor.sub, self.drafted_by, waived_by))
        self._emit(self.PurchaseOrderReviewed, actor, revision=self.revision)

    class PurchaseOrderSent(Event):
        leads_to = "sent"
        revision: int
        content: dict[str, Any]
        content_hash: str

        def apply(self, po: PurchaseOrder) -> None:
            super().apply(po)
            po.sent[str(self.revision)] = {"revision": self.revision, "content": self.content,
                                      "content_hash": self.content_hash,
                                      "sent_at": self.timestamp}

    def send(self, actor: Actor) -> dict[str, Any]:
        if self.state == "cancelled":
            raise InvalidState("The purchase order is cancelled: cannot send it")
        gates.refuse(gates.g7_send(self.state, self.revision))
        content = content_of(self.id, self.revision, self.supplier_id, self.order_id,
                             self.currency, self.terms, self.lines)
        self._emit(self.PurchaseOrderSent, actor, revision=self.revision, content=content,
                   content_hash=content_hash(content))
        return self.sent[str(self.revision)]

    # ---- amendments (a new revision) --------------------------------------------
    class PurchaseOrderAmended(Event):
        leads_to = "draft"  # the new revision is reviewed and sent again (G7)
        revision: int
        terms: str | None
        lines: list[dict[str, Any]]
        total: Decimal
        reason: str | None

        def apply(self, po: PurchaseOrder) -> None:
            super().apply(po)
            po.revision = self.revision
            po.terms = self.terms
            po.lines = self.lines
            po.total = self.total
            po.counter = None

    def amend(self, lines: list[dict[str, Any]], terms: str | None, reason: str | None,
              actor: Actor) -> None:
        self._require("draft", "reviewed", "sent", "countered", "signed", doing="amend it")
        if not self.sent:
            # Nothing went out yet: edit the draft, still revision 1.
            revision = self.revision
        else:
            revision = self.revision + 1 if str(self.revision) in self.sent else self.revision
        parsed = parse_po_lines(lines, self.currency)
        self._emit(self.PurchaseOrderAmended, actor, revision=revision,
                   terms=self.terms if terms is None else (terms.strip() or None),
                   lines=parsed, total=total_of(parsed), reason=reason)

    # ---- the supplier's answer ----------------------------------------------------
    def _check_answer(self, revision: int, hash_: str) -> dict[str, Any]:
        current = self.current
        if self.state == "cancelled":
            raise InvalidState("The purchase order is cancelled")
        if current is None or self.state not in ("sent", "signed", "countered"):
            raise InvalidState(
                f"Revision {self.revision} has not been sent: there is nothing to sign")
        if revision != self.revision or hash_ != current["content_hash"]:
            raise InvalidState(
                f"The current revision is {self.revision} with content_hash "
                f"{current['content_hash']}: the acknowledgement names revision {revision} "
                f"with {hash_}")
        if self.state == "signed":
            raise InvalidState(f"Revision {revision} is already signed back")
        if self.state == "countered":
            raise InvalidState(
                f"Revision {revision} has an open counter-proposal for the purchaser to answer")
        return current

    class PurchaseOrderSignedBack(Event):
        leads_to = "signed"
        revision: int
        content_hash: str
        keyid: str
        evidence: dict[str, Any]

        def apply(self, po: PurchaseOrder) -> None:
            super().apply(po)
            po.signed_revision = self.revision
            po.acknowledgements.append({"type": "signed_back", "revision": self.revision,
                                        "evidence": self.evidence, "at": self.timestamp})

    class PurchaseOrderCountered(Event):
        leads_to = "countered"
        revision: int
        content_hash: str
        keyid: str
        lines: list[dict[str, Any]]
        evidence: dict[str, Any]

        def apply(self, po: PurchaseOrder) -> None:
            super().apply(po)
            po.counter = {"revision": self.revision, "lines": self.lines,
                          "at": self.timestamp}
            po.acknowledgements.append({"type": "countered", "revision": self.revision,
                                        "evidence": self.evidence, "at": self.timestamp})

    def acknowledge(self, revision: int, hash_: str, decisions: list[dict[str, Any]],
                    keyid: str, evidence: dict[str, Any], actor: Actor) -> str:
        """The supplier's signed answer; ``"signed_back"`` or ``"countered"``."""
        self._check_answer(revision, hash_)
        by_line = {
            line["line_no"]: parse_decision(n, decision, line)
            for n, (decision, line) in enumerate(
                zip(decisions, self.lines_named(decisions, "acknowledgement"), strict=True))
        }
        missing = [line["line_no"] for line in self.lines if line["line_no"] not in by_line]
        if missing:
            raise InvalidValue("lines", f"every line needs a decision; missing {missing}")
        proposals = [by_line[line["line_no"]] for line in self.lines]
        if all(p["decision"] == "accept" for p in proposals):
            self._emit(self.PurchaseOrderSignedBack, actor, revision=revision,
                       content_hash=hash_, keyid=keyid, evidence=evidence)
            return "signed_back"
        self._emit(self.PurchaseOrderCountered, actor, revision=revision, content_hash=hash_,
                   keyid=keyid, lines=proposals, evidence=evidence)
        return "countered"

    class CounterProposalAccepted(Event):
        revision: int

    class CounterProposalRejected(Event):
        leads_to = "sent"  # the supplier may still sign the revision as it is
        revision: int
        reason: str

        def apply(self, po: PurchaseOrder) -> None:
            super().apply(po)
            po.counter = None

    def answer_counter(self, accept: bool, reason: str | None, actor: Actor) -> None:
        """The purchaser's answer to a counter-proposal. Accepting it makes a
        new revision with the supplier's figures, which (G7) is reviewed and
        sent again and must be signed back again."""
        self._require("countered", doing="answer a counter-proposal")
        assert self.counter is not None
        revision = self.counter["revision"]
        if not accept:
            self._emit(self.CounterProposalRejected, actor, revision=revision,
                       reason=reason or "")
            return
        proposals = {p["line_no"]: p for p in self.counter["lines"]}
        lines = []
        for line in self.lines:
            p = proposals[line["line_no"]]
            if p["decision"] == "reject":
                continue
            lines.append({
                **line,
                "quantity": p["quantity"] if p["quantity"] is not None else line["quantity"],
                "unit_price": (p["unit_price"] if p["unit_price"] is not None
                               else line["unit_price"]),
                "delivery_date": p["delivery_date"] or line["delivery_date"],
            })
        if not lines:
            raise InvalidState("The supplier rejected every line: cancel the purchase order")
        self._emit(self.CounterProposalAccepted, actor, revision=revision)
        self.amend(lines, None, f"counter-proposal to revision {revision} accepted", actor)

    class PurchaseOrderCancelled(Event):
        leads_to = "cancelled"
        reason: str

    def cancel(self, reason: str, actor: Actor) -> None:
        self._require("draft", "reviewed", "sent", "countered", "signed", doing="cancel it")
        if self.receipts:
            raise InvalidState("Materials were received against this purchase order")
        self._emit(self.PurchaseOrderCancelled, actor, reason=reason)

    # ---- deliveries and receipts -----------------------------------------------------
    class DeliveryNoteReceived(Event):
        delivery_note_id: str
        reference: str
        lines: list[dict[str, Any]]
        keyid: str
        evidence: dict[str, Any]

        def apply(self, po: PurchaseOrder) -> None:
            po.delivery_notes.append({"delivery_note_id": self.delivery_note_id,
                                      "reference": self.reference, "lines": self.lines,
                                      "keyid": self.keyid, "at": self.timestamp,
                                      "evidence": self.evidence})

    def declare_delivery(self, reference: str, lines: list[dict[str, Any]], keyid: str,
                         evidence: dict[str, Any], actor: Actor, *,
                         per_day: int = DELIVERY_NOTES_PER_DAY) -> str:
        """``DeliveryNoteReceived``. At most ``per_day`` notes a PO a UTC day:
        each keeps its signed body as evidence (up to the body size limit),
        so a valid key must not be able to grow the PO without bound."""
        if self.state == "cancelled" or self.signed_revision == 0:
            raise InvalidState("Deliveries are declared against a signed-back purchase order")
        today = datetime.now(timezone.utc).date()
        if sum(1 for note in self.delivery_notes
               if note["at"].astimezone(timezone.utc).date() == today) >= per_day:
            raise InvalidState(f"{per_day} delivery notes were already declared on this "
                               "purchase order today, the most a day: declare the next "
                               "after 00:00 UTC")
        self.lines_named(lines, "delivery note", once=False)
        parsed = []
        for n, line in enumerate(lines):
            parsed.append({"line_no": line["line_no"],
                           "quantity": parse_quantity(line["quantity"], f"lines.{n}.quantity"),
                           "shipped_on": line.get("shipped_on"),
                           "expected_on": line.get("expected_on")})
        note_id = str(uuid4())
        self._emit(self.DeliveryNoteReceived, actor, delivery_note_id=note_id,
                   reference=reference, lines=parsed, keyid=keyid, evidence=evidence)
        return note_id

    class MaterialsReceived(Event):
        receipt_id: str
        received_on: date
        delivery_note: str | None
        lines: list[dict[str, Any]]

        def apply(self, po: PurchaseOrder) -> None:
            for line in self.lines:
                po.received[str(line["line_no"])] = {"received": line["total_received"],
                                                "accepted": line["total_accepted"]}
            po.receipts.append({"receipt_id": self.receipt_id, "received_on": self.received_on,
                                "delivery_note": self.delivery_note, "lines": self.lines,
                                "at": self.timestamp, "by": self.actor_sub})

    def receive(self, received_on: date, delivery_note: str | None,
                lines: list[dict[str, Any]], policy: Policy, actor: Actor) -> str:
        """``MaterialsReceived``; quantities off the PO beyond the tolerance,
        a price above the PO's, or a late line raise alerts (SPEC.md §3)."""
        if self.state == "cancelled" or not self.sent:
            raise InvalidState("Materials are received against a purchase order that was sent")
        checked = []
        for n, (line, po_line) in enumerate(zip(lines, self.lines_named(lines, "receipt"),
                                                strict=True)):
            received, accepted = parse_receipt_quantities(n, line["received"], line["accepted"])
            price = parse_unit_price(line["unit_price_invoiced"],
                                     f"lines.{n}.unit_price_invoiced")
            prior = self.received.get(str(po_line["line_no"]),
                                      {"received": Decimal(0), "accepted": Decimal(0)})
            checked.append(check_receipt_line(
                po_line, prior, received, accepted, price, bool(line.get("partial")),
                received_on, policy.receipt_tolerance))
        receipt_id = str(uuid4())
        self._emit(self.MaterialsReceived, actor, receipt_id=receipt_id,
                   received_on=received_on, delivery_note=delivery_note, lines=checked)
        for line in checked:
            self._receipt_alerts(line, policy, actor)
        return receipt_id

    def _receipt_alerts(self, line: dict[str, Any], policy: Policy, actor: Actor) -> None:
        n, issues = line["line_no"], line["issues"]
        percent = decimal_text((policy.receipt_tolerance * 100).normalize())
        if "over" in issues or "short" in issues:
            self._raise_alert(
                f"quantity_off_po:{n}",
                f"Line {n} ({line['item']}): {line['total_received']} received, "
                f"{line['total_accepted']} accepted of {line['ordered']} ordered "
                f"(tolerance ±{percent} %)", actor)
        elif not line["partial"] or line["total_received"] <= line["ordered"]:
            self._clear_alert(f"quantity_off_po:{n}", "within tolerance", actor)
        if "price_above_po" in issues:
            self._raise_alert(
                f"price_above_po:{n}",
                f"Line {n} ({line['item']}) invoiced at {line['unit_price_invoiced']} "
                f"{self.currency}, the PO says {line['po_unit_price']}", actor)
        if "late" in issues:
            self._raise_alert(
                f"delivery_late:{n}",
                f"Line {n} ({line['item']}) was due {line['delivery_date'].isoformat()}", actor)
        if not self.placed:
            self._raise_alert(
                "received_unplaced",
                f"Materials received while revision {self.revision} is not signed back", actor)

    # ---- incoming inspection (issue 12: app/domain/quality.py) ---------------------
    class InspectionRecorded(quality.InspectionRecorded, Event):
        """The fields of ``quality.InspectionRecorded``, and the lot's receipt."""

        receipt_id: str | None  # the receipt whose lot was inspected
        rejected: list[dict[str, Any]]  # per line: the quantity the failed lot takes back

        def apply(self, po: PurchaseOrder) -> None:
            po.inspections[self.inspection_id] = {
                **{name: getattr(self, name) for name in quality.RECORDED},
                "receipt_id": self.receipt_id, "rejected": self.rejected,
                "inspector": self.actor_sub}
            for line in self.rejected:  # a rejected lot does not fill the PO
                key = str(line["line_no"])
                po.received[key] = {**po.received[key],
                                    "accepted": po.received[key]["accepted"] - line["quantity"]}

    def record_inspection(self, inspection: dict[str, Any], findings: list[dict[str, Any]] | None,
                          report_ref: str, inspected_on: date,
                          actions: list[dict[str, Any]] | None, receipt_id: str | None,
                          severity_reason: str, actor: Actor) -> dict[str, Any]:
        """An incoming inspection of the PO's materials or accessories; a
        failed one rejects the lot of the receipt it names (its accepted
        quantities come off the PO) and opens corrective actions for the
        supplier."""
        if inspection["stage"] != "incoming":
            raise InvalidValue("stage", "a purchase order's inspection is 'incoming'")
        receipt = None
        if receipt_id is not None:
            receipt = next((r for r in self.receipts if r["receipt_id"] == receipt_id), None)
            if receipt is None:
                raise NotFound(f"Receipt {receipt_id} is not part of this purchase order")
        elif not self.receipts:
            raise InvalidState("Nothing has been received on this purchase order")
        judged = [i for i in self.inspections.values() if i["receipt_id"] == receipt_id]
        rejected = []
        if inspection["result"] == "failed" and receipt is not None and not any(
                i["rejected"] for i in judged):
            rejected = [{"line_no": line["line_no"], "quantity": line["accepted"]}
                        for line in receipt["lines"] if line["accepted"] > 0]
        recorded = {
            **inspection, "inspection_id": str(uuid4()),
            "factory": f"supplier:{self.supplier_id}",
            "product": self.lines[0]["item"], "severity_reason": severity_reason,
            "findings": quality.parse_findings(findings),
            "report_ref": required_text(report_ref, "report_ref"), "inspected_on": inspected_on,
            "corrective_actions": quality.parse_actions(actions, inspection["result"],
                                                        inspected_on, "supplier"),
            # Original inspection of a lot only: a receipt judged once counts once.
            "counts_for_switching": not judged,
            "receipt_id": receipt_id, "rejected": rejected,
        }
        self._emit(self.InspectionRecorded, actor, **recorded)
        return recorded

    class CorrectiveActionClosed(quality.CorrectiveActionClosed, Event):
        """inspection_id, action_id, evidence_ref (app/domain/quality.py): the
        supplier's answer to a rejected lot (Plan 5 purchaser #7), closed by
        ``quality.Inspecting.close_corrective_action``."""

    # ---- invoices and payments ----------------------------------------------------
    class SupplierInvoiceRecorded(Event):
        invoice_id: str
        invoice_no: str
        invoice_date: date
        due_date: date | None
        currency: str
        lines: list[dict[str, Any]]
        total: Decimal
        match: dict[str, Any]

        def apply(self, po: PurchaseOrder) -> None:
            po.invoices[self.invoice_no] = {
                "invoice_id": self.invoice_id, "invoice_no": self.invoice_no,
                "invoice_date": self.invoice_date, "due_date": self.due_date,
                "total": self.total, "match": self.match, "lines": self.lines}
            po.invoiced += self.total
            for line in self.lines:
                key = str(line["line_no"])
                po.invoiced_quantity[key] = (
                    po.invoiced_quantity.get(key, Decimal(0)) + line["quantity"])

    def record_invoice(self, invoice_no: str, invoice_date: date, due_date: date | None,
                       currency: str, lines: list[dict[str, Any]], actor: Actor) -> dict[str, Any]:
        if not self.sent:
            raise InvalidState("The purchase order was never sent: there is nothing to invoice")
        if currency != self.currency:
            raise InvalidValue("currency", f"The purchase order is in {self.currency}")
        if invoice_no in self.invoices:
            raise Conflict(f"Invoice {invoice_no!r} is already recorded on this purchase order")
        self.lines_named(lines, "invoice")
        parsed = parse_invoice_lines(lines, currency)
        match = match_invoice({line["line_no"]: line for line in self.lines},
                              {int(k): v["accepted"] for k, v in self.received.items()},
                              {int(k): v for k, v in self.invoiced_quantity.items()}, parsed)
        invoice_id = str(uuid4())
        self._emit(self.SupplierInvoiceRecorded, actor, invoice_id=invoice_id,
                   invoice_no=invoice_no, invoice_date=invoice_date, due_date=due_date,
                   currency=currency, lines=parsed, total=total_of(parsed), match=match)
        if match["status"] != "matched":
            self._raise_alert(
                f"invoice_mismatch:{invoice_no}",
                f"Invoice {invoice_no} does not match the PO and the receipts: " + "; ".join(
                    f"line {m['line_no']} {', '.join(m['issues'])}"
                    for m in match["lines"] if m["issues"]), actor)
        return self.invoices[invoice_no]

    class SupplierPaid(Event):
        payment_id: str
        amount: Decimal
        currency: str
        paid_on: date
        reference: str
        invoice_no: str | None
        adjustments: list[dict[str, Any]]

        def apply(self, po: PurchaseOrder) -> None:
            po.paid += self.amount
            po.adjusted += sum((a["amount"] for a in self.adjustments), Decimal(0))
            po.payments.append({"payment_id": self.payment_id, "amount": self.amount,
                                "paid_on": self.paid_on, "reference": self.reference,
                                "invoice_no": self.invoice_no,
                                "adjustments": self.adjustments})

    def pay(self, amount: Any, currency: str, paid_on: date, reference: str,
            invoice_no: str | None, adjustments: list[dict[str, Any]], actor: Actor) -> None:
        """A payment to the supplier; ``adjustments`` are what is withheld
        (late or short delivery, quality...) with the reason recorded."""
        if currency != self.currency:
            raise InvalidValue("currency", f"The purchase order is in {self.currency}")
        if invoice_no is not None and invoice_no not in self.invoices:
            raise NotFound(f"Invoice {invoice_no!r} is not recorded on this purchase order")
        amount = parse_decimal(amount, "amount")
        if amount < 0:
            raise InvalidValue("amount", "must not be negative")
        if amount > 0:
            parse_money(amount, currency, "amount")
        parsed = parse_adjustments(adjustments, currency)
        settled = amount + sum((a["amount"] for a in parsed), Decimal(0))
        if settled <= 0:
            raise InvalidValue("amount", "a payment settles something: amount or adjustments")
        if settled > self.outstanding:
            raise InvalidValue("amount", f"{settled} {currency} is more than the "
                                         f"{self.outstanding} invoiced and not yet settled")
        self._emit(self.SupplierPaid, actor, payment_id=str(uuid4()), amount=amount,
                   currency=currency, paid_on=paid_on, reference=reference,
                   invoice_no=invoice_no, adjustments=parsed)

    # ---- alerts (raised and cleared by alerts.Alerting) --------------------------
    class AlertRaised(alerts.AlertRaised, Event):
        """code, message, for_role (app/domain/alerts.py)."""

    class AlertCleared(alerts.AlertCleared, Event):
        """code, reason (app/domain/alerts.py)."""

    def price_differs(self, line: dict[str, Any], others: list[dict[str, Any]],
                      actor: Actor) -> None:
        """SPEC.md alert: the same item bought at different prices."""
        if not others:
            return
        listed = ", ".join(f"{o['unit_price']} on PO {o['purchase_order_id']}" for o in others)
        self._raise_alert(
            f"item_price_differs:{line['line_no']}",
            f"{line['item']} at {line['unit_price']} {self.currency} here, {listed}", actor)

    def check_due_dates(self, ex_factory: date, lead_days: int, actor: Actor) -> None:
        """Issue 10 §8, at each send of a PO for a customer order: an alert
        for each line due later than the order's ex-factory date less
        ``lead_days`` (Policy.po_lead_days), for the purchaser, who chases
        the supplier's dates (Plan 5 purchaser #9); the merchandiser sees it
        on the order's board row. Each send re-checks the lines it sends: an
        amendment's new dates, or the order's date as it is now, clear the
        alert of a line no longer late. This service cannot re-date an order
        yet (issue 11); once that command exists, re-dating the order will
        clear the alerts of the POs it no longer makes late."""
        late = lines_due_after(self.lines, ex_factory, lead_days)
        for alert in list(self.alerts.values()):
            code = alert["code"]
            if code.startswith(DUE_AFTER_ORDER) and \
                    int(code[len(DUE_AFTER_ORDER):]) not in late:
                self._clear_alert(code, f"revision {self.revision} sent with the line due "
                                        f"in time for ex-factory {ex_factory.isoformat()}",
                                  actor)
        for line in self.lines:
            if line["line_no"] not in late:
                continue
            code = f"{DUE_AFTER_ORDER}{line['line_no']}"
            message = (f"Line {line['line_no']} ({line['item']}) is due "
                       f"{line['delivery_date'].isoformat()}, after "
                       f"{late[line['line_no']].isoformat()}: the order leaves the factory "
                       f"{ex_factory.isoformat()} and needs it {lead_days} days before")
            if code in self.alerts and self.alerts[code]["message"] != message:
                self._clear_alert(code, f"revision {self.revision} sent with other dates",
                                  actor)
            self._raise_alert(code, message, actor, for_role=PURCHASER)
