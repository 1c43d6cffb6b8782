"""The hard rules of SPEC.md §3 as pure checks.

Each check returns ``None`` when the rule holds, else a ``GateViolation``;
``refuse`` raises the lowest-numbered one, as the API promises when
several gates refuse one command.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.domain import reference
from app.domain.errors import GateViolation
from app.domain.values import Policy

if TYPE_CHECKING:
    from app.domain.order import Order


def refuse(*violations: GateViolation | None) -> None:
    found = [v for v in violations if v is not None]
    if found:
        raise min(found, key=lambda v: int(v.rule[1:]))


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


def g2_margin(order: Order, policy: Policy, *, needs_analysis: bool) -> GateViolation | None:
    """Plan 5: a margin below the threshold needs the manager's approval of
    the latest cost analysis; exactly the threshold needs none."""
    if order.analysis_no == 0:
        if needs_analysis:
            return GateViolation("G2", "Production release needs a cost analysis")
        return None
    if order.margin >= policy.margin_threshold or order.margin_approved:
        return None
    return GateViolation(
        "G2",
        f"The margin of cost analysis {order.analysis_no} is {order.margin} "
        f"(below {policy.margin_threshold}): a manager's margin approval is needed",
    )


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
    if method == "DP" and region == "Africa":
        return GateViolation("G3", "D/P is refused for customers in Africa at any amount")
    if method not in reference.SAFE_LARGE_AMOUNT_METHODS and policy.is_large(total, currency):
        limit = policy.large_amounts.get(currency)
        above = f"above {limit} {currency}" if limit is not None else f"in {currency}"
        return GateViolation(
            "G3", f"{method} is refused for orders {above}: only CASH, TT or LC"
        )
    if at_confirmation and method == "LC" and terms["issuing_bank_country"] == "NG":
        confirming = terms.get("confirming_bank_country")
        if not confirming or confirming == "NG":
            return GateViolation(
                "G3",
                "An L/C issued by a bank in Nigeria must be confirmed by a third-country "
                "bank before the order is confirmed: amend the terms with "
                "confirming_bank_country",
            )
    return None


def g4_shipment(order: Order) -> GateViolation | None:
    if order.balance_due <= 0 or order.shipment_without_balance_approved:
        return None
    return GateViolation(
        "G4",
        f"{order.balance_due} {order.currency} is still due: no shipment before the balance "
        "is received in full, unless a manager approves a shipment without balance",
    )


def g5_samples(order: Order) -> GateViolation | None:
    if not order.samples_required or order.pre_production_sample_approved:
        return None
    return GateViolation(
        "G5", "Bulk production needs the customer's approval of a pre-production sample"
    )
