"""G7 (a PO goes out only once a supervisor reviewed it; placed once
signed back) and G8 (three quotes before the first PO of a new item, or a
supervisor's waiver), without HTTP."""

from __future__ import annotations

import pytest

from app.domain import gates
from app.domain.errors import GateViolation, InvalidState, RoleRefused
from app.domain.rfq import item_key
from app.domain.values import Actor
from tests.unit.sourcing_builders import (
    MANAGER,
    PURCHASER,
    SUPERVISOR,
    SUPPLIER_A,
    awarded_rfq,
    drafted,
    line,
    placed,
    quote,
    review_and_send,
    reviewed,
    rfq,
    sent,
    sign_back,
    supplier_id,
)

NEW = [item_key("YKK #5 zip")]


# ---- G7 -----------------------------------------------------------------------------
def test_g7_an_unreviewed_po_is_not_sent():
    po = drafted()
    with pytest.raises(GateViolation) as refused:
        po.send(PURCHASER)
    assert refused.value.rule == "G7"
    assert (po.state, po.current) == ("draft", None)


@pytest.mark.parametrize("reviewer", [SUPERVISOR, MANAGER])
def test_g7_a_supervisor_or_a_manager_reviews(reviewer):
    po = drafted()
    po.review(reviewer)
    assert po.state == "reviewed"
    po.send(PURCHASER)
    assert po.state == "sent"


@pytest.mark.parametrize("role", ["purchaser", "merchandiser", "qc", "accountant"])
def test_g7_no_one_else_reviews(role):
    po = drafted()
    with pytest.raises(RoleRefused) as refused:
        po.review(Actor("someone", role))
    assert refused.value.rule == "G7"
    with pytest.raises(GateViolation):
        po.send(PURCHASER)
    assert po.state == "draft"


def test_g7_a_review_counts_once_for_one_revision():
    po = reviewed()
    with pytest.raises(InvalidState):
        po.review(SUPERVISOR)
    po.send(PURCHASER)
    with pytest.raises(GateViolation) as refused:  # sent: the next send needs a new review
        po.send(PURCHASER)
    assert refused.value.rule == "G7"


def test_g7_a_reviewed_draft_amended_again_needs_a_new_review():
    po = reviewed()
    po.amend([line(quantity="900")], None, None, PURCHASER)
    with pytest.raises(GateViolation) as refused:
        po.send(PURCHASER)
    assert refused.value.rule == "G7"


def test_g7_placed_only_while_the_current_revision_is_signed_back():
    po = sent()
    assert not po.placed
    sign_back(po)
    assert po.placed
    po.amend([line(quantity="1200")], None, None, PURCHASER)
    assert not po.placed and po.signed_revision == 1
    review_and_send(po)
    assert not po.placed
    sign_back(po)
    assert po.placed and po.signed_revision == 2


def test_g7_an_amendment_of_a_placed_po_goes_through_review_again():
    po = placed()
    po.amend([line(quantity="1200")], None, None, PURCHASER)
    with pytest.raises(GateViolation) as refused:
        po.send(PURCHASER)
    assert refused.value.rule == "G7" and "revision 2" in refused.value.detail


# ---- G8 -----------------------------------------------------------------------------
def g8(rfq=None, waiver=None, role="purchaser", supplier=SUPPLIER_A, new_items=NEW):
    return gates.g8_new_items(new_items, rfq, supplier, waiver, role)


@pytest.mark.parametrize("case, violation, says", [
    ("no RFQ", lambda: g8(), "no RFQ"),
    ("2 suppliers quoted", lambda: g8(awarded_rfq(suppliers=2)), "2 supplier"),
    ("not awarded", lambda: g8(awarded_rfq(award=False)), "not awarded"),
    ("awarded to another", lambda: g8(awarded_rfq(winner=supplier_id("other"))),
     "awarded to supplier"),
    ("another item", lambda: g8(awarded_rfq("YKK #3 zip")), "is for 'YKK #3 zip'"),
    ("a second new item", lambda: g8(awarded_rfq(), new_items=[*NEW, item_key("Tape")]),
     "'tape'"),
    ("a purchaser's waiver", lambda: g8(waiver="urgent"), "supervisor"),
    ("a blank waiver", lambda: g8(waiver="   ", role="supervisor"), "no RFQ"),
])
def test_g8_refuses_the_first_po_of_a_new_item(case, violation, says):
    refused = violation()
    assert refused is not None, case
    assert refused.rule == "G8" and says in refused.detail
    with pytest.raises(GateViolation):
        gates.refuse(refused)


def test_g8_three_quotes_from_one_supplier_are_not_three_quotes():
    r = rfq()
    first, *_ = [quote(r, SUPPLIER_A, price) for price in ("0.13", "0.125", "0.12")]
    r.award(first, None, SUPERVISOR)
    assert len(r.quotes) == 3
    assert g8(r).rule == "G8" and "1 supplier" in g8(r).detail


@pytest.mark.parametrize("case, holds", [
    ("an awarded 3-quote RFQ", lambda: g8(awarded_rfq())),
    ("the item written otherwise", lambda: g8(awarded_rfq("  ykk #5   ZIP "))),
    ("a supervisor's waiver", lambda: g8(waiver="customer-nominated", role="supervisor")),
    ("a manager's waiver", lambda: g8(waiver="customer-nominated", role="manager")),
    ("no new item", lambda: g8(new_items=[])),
])
def test_g8_passes(case, holds):
    assert holds() is None, case


def test_the_lowest_numbered_gate_is_the_one_refused():
    with pytest.raises(GateViolation) as refused:
        gates.refuse(None, g8(), gates.g7_send("draft", 1))
    assert refused.value.rule == "G7"
