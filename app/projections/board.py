"""The progress board (SPEC.md §5): one row per order with its state, next
milestone, what blocks it, its owner and its open alerts.

``days_late``/``overdue`` depend on today's date, so they are computed when
the board is read (app/projections/reads.py), never stored: a rebuild on
another day must give the same rows.

The purchase orders that serve an order show on its row (G7): the POs not
placed (signed back) nor cancelled block it, and their alerts are listed
with the order's own, each marked with its ``purchase_order_id``.

Production follow-up (issue 11): the time-and-action plan, forecasts,
consents and changes are kept in ``facts`` and give the row its production
blockers and columns (app/projections/production.py); an accepted change
re-prices and re-dates the row.

Quality and packing (issue 12): the latest final inspection, the open
corrective actions and the latest packing list are kept in ``facts`` too
and give the row its quality blockers (app/projections/quality.py: G11 and
G12 at shipment); the state follows each event's ``state_after`` (a passed
final inspection or a concession: ``inspected``; a packing list on an
inspected order: ``ready_to_ship``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.domain import gates
from app.domain.order import FINAL_STATES, Order, state_rank
from app.domain.purchase_order import PurchaseOrder
from app.domain.values import decimal_text, utc_text
from app.projections import production, quality
from app.projections.batch import Batch
from app.projections.common import (
    alerts_after,
    customer_name,
    deposit_due_minor,
    order_rows,
    text_id,
    to_minor,
)
from app.projections.tables import board

NAME = "board"

WAITING_SAMPLE = "waiting for pre-production sample approval"
WAITING_PI = "waiting for signed-back PI"
WAITING_CONFIRMATION = "waiting for confirmation"
MARGIN_APPROVAL = "margin approval needed"
WAITING_DEPOSIT = "waiting for deposit"
WAITING_BALANCE = "waiting for balance"
WAITING_POS = "waiting for signed-back POs"
# An L/C's latest shipment date this close (or past) on a board read, the
# order not shipped yet: G4 stops counting the credit after it (issue 10).
LC_WARNING_DAYS = 7

# The events of a PO serving an order that change the order's row: what
# blocks it (G7: placed once the current revision is signed back) and alerts.
_OPENS_PO = (PurchaseOrder.PurchaseOrderDrafted,
             PurchaseOrder.PurchaseOrderAmended)  # a new revision is signed back again
_CLOSES_PO = (PurchaseOrder.PurchaseOrderSignedBack, PurchaseOrder.PurchaseOrderCancelled)
_PO_EVENTS = (*_OPENS_PO, *_CLOSES_PO, PurchaseOrder.AlertRaised, PurchaseOrder.AlertCleared)


def waiting_pos(count: int) -> str:
    return f"{WAITING_POS} ({count})"


_MILESTONE = {
    "pi_issued": "signed-back PI",
    "pi_signed": "confirmation",
    "confirmed": "production release",
    "in_production": "shipment",
    "inspected": "packing list",  # G12: the shipment needs one
    "ready_to_ship": "shipment",
    "shipped": "closure",
}


def derive(state: str, facts: dict[str, Any], total_minor: int,
           margin_threshold: Decimal) -> tuple[str | None, list[str]]:
    """The next milestone and the blockers, from the state and the facts.
    What a gate holds back is asked of the gate itself (its check on plain
    values), so the board shows exactly what the command would refuse."""
    if state in FINAL_STATES:
        return None, []
    before_production = state_rank(state) < state_rank("in_production")
    shipped = state_rank(state) >= state_rank("shipped")
    producing = state_rank("in_production") <= state_rank(state) and not shipped
    samples_pending = gates.g5_sample_pending(facts["samples_required"],
                                              facts["pp_sample_approved"])
    blockers = []
    # G5 holds production back until the pre-production sample is approved.
    if before_production and samples_pending:
        blockers.append(WAITING_SAMPLE)
    # A change's PI revision is signed back again (G1), also after confirmation.
    if state == "pi_issued" or (facts.get("pi_to_sign") and not shipped):
        blockers.append(WAITING_PI)
    if state == "pi_signed":
        blockers.append(WAITING_CONFIRMATION)
    # G2 holds back both confirmation and production release.
    margin = facts["margin"]
    # After a price or quantity change, G2 holds the shipment back too.
    repriced = producing and facts.get("repriced") and not facts.get("cost_analysis_due")
    if (before_production or repriced) and gates.g2_needs_margin_approval(
            None if margin is None else Decimal(margin), facts["margin_approved"],
            margin_threshold):
        blockers.append(MARGIN_APPROVAL)
    if state == "confirmed" and facts["paid_minor"] < facts["deposit_due_minor"]:
        blockers.append(WAITING_DEPOSIT)
    # G4: no shipment before the balance, unless a manager approved it.
    if producing and gates.g4_balance_outstanding(total_minor - facts["paid_minor"],
                                                  facts["shipment_without_balance"]):
        blockers.append(WAITING_BALANCE)
    upcoming = production.next_milestone(facts) if producing else None
    if not shipped:
        blockers.extend(production.blockers(facts))
        blockers.extend(quality.blockers(facts, producing,
                                         None if upcoming is None else upcoming["code"]))
    unsigned = len(facts.get("open_pos", ()))
    if unsigned:
        blockers.append(waiting_pos(unsigned))
    if upcoming is not None:
        return upcoming["name"], blockers  # the plan's next milestone (issue 11)
    if state in _MILESTONE:
        return _MILESTONE[state], blockers
    return ("pre-production sample approval" if samples_pending else "proforma invoice"), blockers


def rows(event: Any) -> tuple[tuple[Any, str], ...]:
    """The rows ``apply`` reads for this event (the batch loads them first):
    a PO's event reads the row of the order it serves (``apply`` writes it
    back only for the events in ``_PO_EVENTS``)."""
    if isinstance(event, PurchaseOrder.Event):
        return () if event.order_id is None else ((board, text_id(event.order_id)),)
    return order_rows(board, event)


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    threshold = _threshold(settings.margin_threshold_percent)
    if isinstance(event, Order.OrderCreated):
        batch.add(board, created(event, position, threshold,
                                 customer_name(batch, event.customer_id)))
        return
    if isinstance(event, PurchaseOrder.Event):
        if event.order_id is not None and isinstance(event, _PO_EVENTS):
            order_id = text_id(event.order_id)
            batch.update(board, order_id,
                         po_changes(batch.row(board, order_id), event, position, threshold))
        return
    if not isinstance(event, Order.Event):
        return
    order_id = text_id(event.originator_id)
    batch.update(board, order_id,
                 changes(batch.row(board, order_id), event, position, threshold))


def created(event: Any, position: int, threshold: Decimal,
            customer: str | None) -> dict[str, Any]:
    """The row an OrderCreated makes (every column: one INSERT per batch)."""
    total_minor = to_minor(event.total, event.currency)
    facts = {
        "samples_required": bool(event.samples_required),
        "pp_sample_approved": False,
        "deposit_due_minor": deposit_due_minor(
            total_minor, Decimal(event.payment_terms["deposit_percent"]), event.currency),
        "paid_minor": 0,
        "margin": None,
        "margin_approved": False,
        "shipment_without_balance": False,
        "open_pos": [],  # ids of the linked POs neither placed nor cancelled
        # What an accepted change re-computes the deposit due with.
        "deposit_percent": decimal_text(Decimal(event.payment_terms["deposit_percent"])),
    }
    milestone, blockers = derive(event.leads_to, facts, total_minor, threshold)
    return dict(
        order_id=text_id(event.originator_id), reference=event.reference,
        reference_key=event.reference.casefold(),
        customer_id=text_id(event.customer_id), customer_name=customer, state=event.leads_to,
        owner=event.actor_sub, currency=event.currency, total_minor=total_minor,
        delivery_date=event.delivery_date, next_milestone=milestone, blockers=blockers,
        alerts=[], facts=facts, **production.columns(event.leads_to, facts, event.delivery_date),
        created_at=utc_text(event.timestamp),
        updated_at=utc_text(event.timestamp), position=position,
    )


def changes(row: dict[str, Any], event: Any, position: int,
            threshold: Decimal) -> dict[str, Any]:
    """The columns any later event of the order sets (new values throughout:
    the row's lists and dicts are never changed in place)."""
    facts = quality.facts_after(production.facts_after(
        _facts_after(dict(row["facts"]), event, row["currency"], row["total_minor"]),
        event, row["delivery_date"]), event)
    state = event.state_after(row["state"])
    total_minor, delivery_date = row["total_minor"], row["delivery_date"]
    columns: dict[str, Any] = {}
    if isinstance(event, Order.ChangeAccepted):  # the order re-priced and re-dated
        total_minor = to_minor(event.total, row["currency"])
        delivery_date = event.delivery_date
        facts["deposit_due_minor"] = deposit_due_minor(
            total_minor, _deposit_percent(facts, row["total_minor"]), row["currency"])
        columns.update(total_minor=total_minor, delivery_date=delivery_date)
    milestone, blockers = derive(state, facts, total_minor, threshold)
    columns.update(
        state=state, next_milestone=milestone, blockers=blockers,
        alerts=alerts_after(row["alerts"], event), facts=facts,
        **production.columns(state, facts, delivery_date),
        updated_at=utc_text(event.timestamp), position=position,
    )
    if isinstance(event, Order.OrderOwnerChanged):  # the owner filter follows it
        columns["owner"] = event.owner
    return columns


def po_changes(row: dict[str, Any], event: Any, position: int,
               threshold: Decimal) -> dict[str, Any]:
    """The columns an event of a PO serving the order sets."""
    facts = dict(row["facts"])
    po_id = text_id(event.originator_id)
    open_pos = set(facts.get("open_pos", ()))
    if isinstance(event, _OPENS_PO):
        open_pos.add(po_id)
    elif isinstance(event, _CLOSES_PO):
        open_pos.discard(po_id)
    facts["open_pos"] = sorted(open_pos)
    milestone, blockers = derive(row["state"], facts, row["total_minor"], threshold)
    return dict(
        next_milestone=milestone, blockers=blockers,
        alerts=alerts_after(row["alerts"], event, po_id), facts=facts,
        updated_at=utc_text(event.timestamp), position=position,
    )


@lru_cache(maxsize=8)
def _threshold(percent: Decimal) -> Decimal:
    return Decimal(percent) / 100


def _facts_after(facts: dict[str, Any], event: Any, currency: str,
                 total_minor: int) -> dict[str, Any]:
    match event:
        case Order.SampleApproved(stage="pre_production"):
            facts["pp_sample_approved"] = True
        case Order.PaymentTermsAmended():
            percent = Decimal(event.payment_terms["deposit_percent"])
            facts["deposit_percent"] = decimal_text(percent)
            facts["deposit_due_minor"] = deposit_due_minor(total_minor, percent, currency)
        case Order.CostAnalysed():
            facts["margin"] = decimal_text(event.margin)
            facts["margin_approved"] = False  # an approval covers one analysis only
        case Order.MarginApproved():
            facts["margin_approved"] = True
        case Order.DepositReceived() | Order.BalanceReceived():  # not FeeReceived
            facts["paid_minor"] += to_minor(event.amount, currency)
        case Order.ShipmentWithoutBalanceApproved():
            facts["shipment_without_balance"] = True
        case Order.LetterOfCreditReceived() | Order.LetterOfCreditAmended():
            facts["lc_latest_shipment"] = {**facts.get("lc_latest_shipment", {}),
                                           event.number: event.latest_shipment_date.isoformat()}
    return facts


def _deposit_percent(facts: dict[str, Any], total_minor: int) -> Decimal:
    """The order's deposit percent; a row made before the board kept it
    (issue 11) has only the deposit due: its share of the total then."""
    if "deposit_percent" in facts:
        return Decimal(facts["deposit_percent"])
    if not total_minor:
        return Decimal(0)
    return Decimal(facts["deposit_due_minor"]) * 100 / Decimal(total_minor)


def lc_blockers(state: str, facts: dict[str, Any], today: date) -> list[str]:
    """The board's L/C blocker on ``today`` (computed when the board is read,
    like ``overdue``): the latest shipment date of the most lenient credit
    within ``LC_WARNING_DAYS`` days, or past, while the order is not shipped."""
    dates = facts.get("lc_latest_shipment")
    if not dates or state in FINAL_STATES or state_rank(state) >= state_rank("shipped"):
        return []
    days = (max(date.fromisoformat(d) for d in dates.values()) - today).days
    if days < 0:
        return [f"L/C latest shipment date passed {-days} days ago"]
    if days <= LC_WARNING_DAYS:
        return [f"L/C latest shipment date in {days} days"]
    return []
