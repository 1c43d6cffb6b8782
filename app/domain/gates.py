"""The hard rules of SPEC.md §3 as pure checks.

Each check returns ``None`` when the rule holds, else a ``GateViolation``;
``refuse`` raises the lowest-numbered one, as the API promises when
several gates refuse one command.

A rule that says who may act (G1 "a manager confirms", G7 "a supervisor
reviews") has its role half here too (``g1_confirmer``...): it returns a
``RoleRefused``, which ``refuse`` raises before any ``GateViolation``, as the
HTTP door answers 403 before the domain looks at the order.

Where a read model shows what a gate holds back (the board's blockers),
the gate's test on plain values (``g2_needs_margin_approval``...) is the
one both call, so the board and the command never disagree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.domain import reference, roles
from app.domain.errors import GateViolation, RoleRefused
from app.domain.values import Policy

if TYPE_CHECKING:
    from app.domain.order import Order


def refuse(*violations: GateViolation | RoleRefused | None) -> None:
    """Raise what refuses the command, if anything: a role refused first,
    else the lowest-numbered gate."""
    found = [v for v in violations if v is not None]
    for refused in found:
        if isinstance(refused, RoleRefused):
            raise refused
    if found:
        raise min(found, key=lambda v: int(v.rule[1:]))


# ---- who may: the role half of a gate -------------------------------------------
def _role(rule: str, role: str, allowed: tuple[str, ...], doing: str) -> RoleRefused | None:
    if role in allowed:
        return None
    return RoleRefused(rule, role, allowed,
                       f"Only {roles.spoken(allowed)} may {doing} ({rule}), not a {role}")


def g1_confirmer(role: str) -> RoleRefused | None:
    return _role("G1", role, roles.MANAGERS, "confirm an order")


def g2_margin_approver(role: str) -> RoleRefused | None:
    return _role("G2", role, roles.MANAGERS, "approve a margin")


def g4_shipment_approver(role: str) -> RoleRefused | None:
    return _role("G4", role, roles.MANAGERS, "approve a shipment without balance")


def g7_reviewer(role: str) -> RoleRefused | None:
    return _role("G7", role, roles.SUPERVISORS, "review a purchase order")


# ---- orders (G1..G5) ----------------------------------------------------------
def g1_confirmation(order: Order, waiver_reason: str | None) -> GateViolation | None:
    if order.pi_signed_back or (waiver_reason and waiver_reason.strip()):
        return None
    if order.pi_revision == 0:
        why = "no proforma invoice has been issued"
    else:
        why = f"proforma invoice revision {order.pi_revision} is not signed back"
    return GateViolation(
        "G1", f"Confirmation needs a signed-back proforma invoice or a waiver with reason: {why}"
    )


def g1_production(order: Order) -> GateViolation | None:
    if order.confirmed:
        return None
    return GateViolation(
        "G1", "The order cannot be released to production before a manager confirmed it"
    )


def g1_shipment(order: Order) -> GateViolation | None:
    """G9 -> G1: an accepted change's proforma-invoice revision is signed
    back by the customer before the order ships."""
    if not order.pi_pending_change:
        return None
    return GateViolation(
        "G1", f"Proforma invoice revision {order.pi_revision}, issued for an accepted change, "
              "is not signed back: no shipment before the customer signs it back")


def g2_needs_margin_approval(margin: Decimal | None, approved: bool,
                             threshold: Decimal) -> bool:
    """Plan 5: a margin below the threshold needs the manager's approval of
    the latest cost analysis; exactly the threshold needs none. ``margin``
    None: no cost analysis yet (nothing to approve)."""
    return margin is not None and margin < threshold and not approved


def g2_margin(order: Order, policy: Policy, *, at: str) -> GateViolation | None:
    """Plan 5 form 4: a rough analysis at quotation, a detailed one after
    confirmation. ``at`` "confirmation" needs an analysis, "production" a
    detailed one; at both the latest analysis's margin needs the manager's
    approval of that analysis when below the threshold."""
    if order.analysis_no == 0:
        if at == "confirmation":
            return GateViolation("G2", "Confirmation needs a cost analysis")
        return GateViolation("G2", "Production release needs a detailed cost analysis, "
                                   "made after confirmation")
    if at == "production" and not order.detailed_analysis:
        return GateViolation(
            "G2", "Production release needs a detailed cost analysis, made after "
                  "confirmation: only rough analyses (made before confirmation) are on file")
    if not g2_needs_margin_approval(order.margin, order.margin_approved,
                                    policy.margin_threshold):
        return None
    return GateViolation(
        "G2",
        f"The margin of cost analysis {order.analysis_no} is {order.margin} "
        f"(below {policy.margin_threshold}): a manager's margin approval is needed",
    )


def g2_shipment(order: Order, policy: Policy) -> GateViolation | None:
    """G9 -> G2: after a change of price or quantity a new cost analysis is
    made before shipment, and the margin rule applies to it."""
    if order.analysis_stale:
        return GateViolation("G2", "A change of price or quantity was accepted after the latest "
                                   "cost analysis: a new cost analysis is needed before shipment")
    if order.margin_recheck and g2_needs_margin_approval(order.margin, order.margin_approved,
                                                         policy.margin_threshold):
        return GateViolation(
            "G2", f"The margin of cost analysis {order.analysis_no} (after a change) is "
                  f"{order.margin} (below {policy.margin_threshold}): a manager's margin "
                  "approval is needed before shipment")
    return None


# Documentary collection (託收): D/P and D/A, refused for African customers.
_COLLECTION = frozenset({"DP", "DA"})


def g3_terms(
    terms: dict[str, Any],
    total: Decimal,
    currency: str,
    region: str,
    policy: Policy,
    *,
    at_confirmation: bool,
) -> GateViolation | None:
    method = terms["method"]
    if method in _COLLECTION and region == "Africa":
        return GateViolation(
            "G3", f"{method} is documentary collection, refused for customers in Africa "
                  "at any amount (Plan 5): use CASH, TT or LC")
    if method not in reference.SAFE_LARGE_AMOUNT_METHODS and policy.is_large(total, currency):
        limit = policy.large_amounts.get(currency)
        above = f"above {limit} {currency}" if limit is not None else f"in {currency}"
        return GateViolation(
            "G3", f"{method} is refused for orders {above}: only CASH, TT or LC"
        )
    if at_confirmation and method == "LC" and terms["issuing_bank_country"] == "NG":
        return g3_nigerian_lc_confirmation(terms.get("confirming_bank_country"), policy)
    return None


def g3_nigerian_lc_confirmation(confirming: str | None, policy: Policy) -> GateViolation | None:
    """Plan 5: an L/C from a Nigerian bank is confirmed by a third-country
    bank (London, Citibank, Standard Chartered...): neither Nigeria nor the
    company's own country, which is a party, not a third."""
    if confirming and confirming not in ("NG", policy.company_country):
        return None
    why = ("no confirming bank is given" if not confirming
           else f"a confirming bank in {confirming} is not in a third country")
    return GateViolation(
        "G3",
        "An L/C issued by a bank in Nigeria must be confirmed by a third-country bank "
        f"(neither NG nor {policy.company_country}) before the order is confirmed: {why}; "
        "amend the terms with confirming_bank_country",
    )


def g4_balance_outstanding(balance_due: Decimal | int, approved: bool) -> bool:
    """Balance still due (in units or minor units alike) and no manager's
    approval of a shipment without it."""
    return balance_due > 0 and not approved


def g4_credit_shortfall(credit: dict[str, Any], balance_due: Decimal, currency: str,
                        shipped_on: date, policy: Policy) -> str | None:
    """Why a received L/C does not secure the balance of a shipment on
    ``shipped_on`` (None: it does). Under an L/C the bank pays against the
    shipping documents: the credit covers the balance in the order's
    currency, the goods leave by its latest shipment date, it has not
    expired, and a Nigerian bank's credit is confirmed as G3 asks."""
    number = credit["number"]
    if credit["currency"] != currency:
        return f"L/C {number} is in {credit['currency']}, the order in {currency}"
    if credit["amount"] < balance_due:
        return f"L/C {number} covers {credit['amount']} {currency} of {balance_due} due"
    if shipped_on > credit["expiry_date"]:
        return f"L/C {number} expired on {credit['expiry_date']}"
    if shipped_on > credit["latest_shipment_date"]:
        return (f"L/C {number}'s latest shipment date {credit['latest_shipment_date']} "
                f"is before {shipped_on}")
    if credit["issuing_bank_country"] == "NG" and g3_nigerian_lc_confirmation(
            credit.get("confirming_bank_country"), policy) is not None:
        return (f"L/C {number} from a Nigerian bank is not confirmed by a third-country "
                f"bank (neither NG nor {policy.company_country})")
    return None


def g4_shipment(order: Order, shipped_on: date, policy: Policy) -> GateViolation | None:
    if not g4_balance_outstanding(order.balance_due, order.shipment_without_balance_approved):
        return None
    why = ""
    if order.payment_terms["method"] == "LC":
        shortfalls = [g4_credit_shortfall(credit, order.balance_due, order.currency,
                                          shipped_on, policy)
                      for credit in order.letters_of_credit.values()]
        if any(s is None for s in shortfalls):
            return None  # a received credit secures the balance
        why = ("; under an L/C a received credit that covers it secures it: "
               + ("; ".join(s for s in shortfalls if s) if shortfalls
                  else "no letter of credit has been received"))
    return GateViolation(
        "G4",
        f"{order.balance_due} {order.currency} is still due: no shipment before the balance "
        f"is received in full, unless a manager approves a shipment without balance{why}",
    )


def g5_sample_pending(samples_required: bool, pre_production_approved: bool) -> bool:
    """An order with samples waits for the customer's approval of a
    pre-production sample before bulk production."""
    return samples_required and not pre_production_approved


def g5_samples(order: Order) -> GateViolation | None:
    if not g5_sample_pending(order.samples_required, order.pre_production_sample_approved):
        return None
    return GateViolation(
        "G5", "Bulk production needs the customer's approval of a pre-production sample"
    )


def g6_late_shipment(agreed: date, shipped_on: date,
                     consented_until: date | None) -> GateViolation | None:
    """Plan 12 §5 (5): after the agreed ex-factory date only with the
    customer's consent to a date on or after the shipment's."""
    if shipped_on <= agreed or (consented_until is not None and consented_until >= shipped_on):
        return None
    consent = (f"the customer consented to {consented_until} only" if consented_until
               else "no consent of the customer is recorded")
    return GateViolation(
        "G6", f"Shipment on {shipped_on} is after the agreed ex-factory date {agreed}: "
              f"{consent}; record the customer's consent with evidence, or a change of date")


def g9_change(stage: str, doing: str) -> GateViolation | None:
    """Plan 12 §5 (6): once production is finished an order is no longer
    changed nor cancelled."""
    if stage != "finished":
        return None
    return GateViolation("G9", f"Production is finished (finished quantity reached, or packing "
                               f"started): the order cannot be {doing}")


def g9_decider(role: str) -> RoleRefused | None:
    return _role("G9", role, roles.SUPERVISORS, "decide on an order change")


def g11_concession_granter(role: str) -> RoleRefused | None:
    return _role("G11", role, roles.MANAGERS, "grant a quality concession")


def g11_shipment(order: Order) -> GateViolation | None:
    """Plan 5 form 7, purchaser #12: the latest final inspection passed, or
    a manager's concession on it with the customer's acceptance."""
    latest = order.latest_final
    if latest is None:
        return GateViolation("G11", "No final inspection is recorded: the order ships after "
                                    "its final inspection passed")
    if order.inspections[latest]["result"] == "passed" or latest in order.concessions:
        return None
    return GateViolation(
        "G11", f"The latest final inspection ({latest}) failed: a passed re-inspection, or a "
               "manager's concession with the customer's acceptance, is needed first")


def g12_difference_acceptor(role: str) -> RoleRefused | None:
    return _role("G12", role, roles.SUPERVISORS, "accept a packing difference")


def g12_shipment(order: Order) -> GateViolation | None:
    """Plan 12 §6 #10: the packing list matches the order per line, colour
    and size within its tolerance, or a supervisor accepted the difference."""
    packing = order.packing
    if packing is None:
        return GateViolation("G12", "No packing list is issued: the order ships with one "
                                    "checked against the ordered colours and sizes")
    beyond = [d for d in packing["differences"] if not d["within_tolerance"]]
    if not beyond or packing["accepted"]:
        return None
    first = beyond[0]
    return GateViolation(
        "G12", f"Packing list revision {packing['revision']} differs from the order beyond its "
               f"tolerance ({len(beyond)} line/colour/size, e.g. line {first['line_no']} "
               f"{first['colour']}/{first['size']}: {first['packed']} packed of "
               f"{first['ordered']}): a supervisor's acceptance with the customer's agreement "
               "is needed")


# ---- sourcing (G7, G8) ---------------------------------------------------------
def g7_four_eyes(reviewer: str, drafted_by: str, waived_by: str | None) -> GateViolation | None:
    """Plan 5: a PO is cross-checked, so its reviewer is someone other than
    who drafted it and who waived its three quotes (G8)."""
    if reviewer == drafted_by:
        why = f"{reviewer} drafted it"
    elif reviewer == waived_by:
        why = f"{reviewer} waived its three quotes (G8)"
    else:
        return None
    return GateViolation(
        "G7", f"A purchase order is reviewed by someone other than who drafted it or waived "
              f"its quotes: {why}, so another supervisor or manager must review it")


def g7_send(state: str, revision: int) -> GateViolation | None:
    if state == "reviewed":
        return None
    return GateViolation(
        "G7", f"Purchase order revision {revision} is {state}: a supervisor must review it "
              "before it goes to the supplier"
    )


def g8_new_items(new_items: list[str], rfq: Any, supplier_id: Any,
                 waiver_reason: str | None, actor_role: str) -> GateViolation | None:
    """``new_items``: the PO's items never bought before. Each needs an
    awarded RFQ for it with quotes from three suppliers, awarded to this
    PO's supplier, or a supervisor's (or manager's) waiver with reason."""
    if not new_items:
        return None
    if waiver_reason and waiver_reason.strip():
        if actor_role in roles.SUPERVISORS:
            return None
        return GateViolation(
            "G8", f"A sourcing waiver must come from a supervisor or manager, not a {actor_role}"
        )
    listed = ", ".join(repr(i) for i in new_items)
    if rfq is None:
        why = "no RFQ was given"
    elif rfq.awarded is None:
        why = f"RFQ {rfq.id} is not awarded"
    elif rfq.supplier_count < 3:
        why = f"RFQ {rfq.id} has quotes from {rfq.supplier_count} supplier(s), 3 are needed"
    elif rfq.awarded["supplier_id"] != supplier_id:
        why = f"RFQ {rfq.id} was awarded to supplier {rfq.awarded['supplier_id']}"
    else:
        uncovered = [i for i in new_items if not rfq.covers(i)]
        if not uncovered:
            return None
        listed = ", ".join(repr(i) for i in uncovered)
        why = f"RFQ {rfq.id} is for {rfq.item!r}"
    return GateViolation(
        "G8", f"First purchase of {listed} needs an awarded RFQ with quotes from at least "
              f"3 suppliers or a supervisor's waiver with reason: {why}"
    )
