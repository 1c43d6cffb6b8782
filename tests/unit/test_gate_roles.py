"""The role half of the gates, in the domain: a caller that is not HTTP
(a script, a future message handler) cannot skip "a manager confirms" (G1),
"a manager approves the margin" (G2), "a manager approves a shipment
without balance" (G4) or "a supervisor (or manager) reviews" (G7).

The HTTP routes refuse these roles at the door already (403, tests/e2e
test_roles.py); here the aggregate refuses them itself, before it looks at
the order's state, as the door does."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from app.domain import gates, roles
from app.domain.errors import GateViolation, RoleRefused
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.values import Actor, Policy

MANAGER = Actor("chen", "manager")
SUPERVISOR = Actor("sam", "supervisor")
PURCHASER = Actor("pia", "purchaser")
NOT_MANAGERS = [r for r in roles.ROLES if r != roles.MANAGER]


def new_order() -> Order:
    return Order.create(
        reference="PO-1", customer_id=uuid4(), customer_country="DE",
        customer_region="Europe", currency="USD", incoterm="FOB",
        delivery_date=date(2027, 3, 1), samples_required=False,
        payment_terms={"method": "TT", "deposit_percent": "30"},
        lines=[{"sku": "NW", "quantity": "100", "unit": "m", "unit_price": "1.00"}],
        policy=Policy(), actor=SUPERVISOR)


def new_po() -> PurchaseOrder:
    return PurchaseOrder.draft(
        supplier_id=uuid4(), order_id=None, rfq_id=None, currency="USD", terms=None,
        lines=[{"line_no": 1, "item": "zip", "quantity": "100", "unit": "pcs",
                "unit_price": "0.10", "delivery_date": date(2027, 1, 15)}],
        waiver_reason=None, actor=PURCHASER)


def refused(command, role: str) -> RoleRefused:
    with pytest.raises(RoleRefused) as excinfo:
        command(Actor("someone", role))
    assert excinfo.value.role == role
    assert not isinstance(excinfo.value, GateViolation)  # 403 at the API, not 409
    return excinfo.value


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_only_a_manager_confirms_approves_a_margin_or_a_shipment_without_balance(role):
    order = new_order()
    # Refused for the role before the state is looked at: this order has no
    # signed-back PI (G1) and no cost analysis, yet the answer is the role.
    assert refused(lambda a: order.confirm(None, Policy(), a), role).rule == "G1"
    assert refused(lambda a: order.approve_margin("strategic", a), role).rule == "G2"
    assert refused(lambda a: order.approve_shipment_without_balance("good payer", a),
                   role).rule == "G4"
    assert order.collect_events()[1:] == []


def test_a_manager_passes_the_role_half_and_meets_the_rest_of_the_rule():
    order = new_order()
    with pytest.raises(GateViolation) as excinfo:
        order.confirm(None, Policy(), MANAGER)
    assert excinfo.value.rule == "G1"  # the signed-back PI is still missing
    order.analyse_costs([{"item": "fabric", "amount": "80.00", "currency": "USD"}], {},
                        MANAGER)  # G2: confirmation needs a cost analysis
    order.confirm("customer on holiday", Policy(), MANAGER)
    assert order.state == "confirmed"


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r not in roles.SUPERVISORS])
def test_only_a_supervisor_or_manager_reviews_a_purchase_order(role):
    refusal = refused(new_po().review, role)
    assert refusal.rule == "G7" and refusal.allowed == roles.SUPERVISORS


@pytest.mark.parametrize("actor", [SUPERVISOR, MANAGER])
def test_a_supervisor_or_a_manager_reviews(actor):
    po = new_po()
    po.review(actor)
    assert po.state == "reviewed"


@pytest.mark.parametrize("waiver", [None, "sole supplier of this zip"])
def test_g7_four_eyes_the_drafter_does_not_review_their_own_po(waiver):
    """Plan 5: cross-checking. A supervisor who drafted a PO (and waived its
    three quotes, G8) passes the role half, not the rule: 409 G7, not 403."""
    po = PurchaseOrder.draft(
        supplier_id=uuid4(), order_id=None, rfq_id=None, currency="USD", terms=None,
        lines=[{"line_no": 1, "item": "zip", "quantity": "100", "unit": "pcs",
                "unit_price": "0.10", "delivery_date": date(2027, 1, 15)}],
        waiver_reason=waiver, actor=SUPERVISOR)
    po.collect_events()
    with pytest.raises(GateViolation) as excinfo:
        po.review(Actor(SUPERVISOR.sub, roles.MANAGER))  # the same person, whatever role
    assert excinfo.value.rule == "G7" and "sam drafted it" in excinfo.value.detail
    assert (po.state, po.collect_events()) == ("draft", [])
    po.review(MANAGER)
    assert po.state == "reviewed"


def test_g7_four_eyes_names_the_waiver_too():
    assert gates.g7_four_eyes("sam", "pia", None) is None
    refusal = gates.g7_four_eyes("sam", "pia", "sam")
    assert refusal is not None and refusal.rule == "G7" and "waived" in refusal.detail


def test_the_role_sets_read_as_spec_section_2():
    # A manager may everything a supervisor may; both are staff.
    assert set(roles.MANAGERS) < set(roles.SUPERVISORS) < set(roles.STAFF) < set(roles.ROLES)
    assert not {roles.SUPPLIER, roles.BI} & set(roles.STAFF)
    assert roles.spoken(roles.SUPERVISORS) == "a supervisor or manager"
