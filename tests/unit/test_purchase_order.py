"""The PurchaseOrder aggregate without HTTP: states and revisions (G7),
the supplier's answer and counter-proposals, receipts against the PO and
its ±3 % tolerance, the three-way match of supplier invoices, payments,
and a round trip through an in-memory event store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.canonical import content_hash
from app.domain.errors import Conflict, GateViolation, InvalidState, InvalidValue, NotFound
from app.domain.item import Item
from tests.unit.sourcing_builders import (
    ACCOUNTANT,
    DUE,
    PURCHASER,
    SUPERVISOR,
    THREE_LINES,
    answer,
    codes,
    counter,
    drafted,
    got,
    in_memory_store,
    invoice,
    line,
    placed,
    receive,
    review_and_send,
    reviewed,
    sent,
    sign_back,
)

LATE = date(2027, 1, 20)


# ---- states and revisions ------------------------------------------------------------
def test_a_draft_is_reviewed_sent_and_placed_only_once_signed_back():
    po = drafted([line(1, quantity="1000", unit_price="0.1250"),
                  line(2, item="Tape", quantity="1", unit_price="0.365")])
    assert (po.state, po.revision, po.total) == ("draft", 1, Decimal("125.37"))  # 0.365 -> 0.37
    po.review(SUPERVISOR)
    assert po.state == "reviewed" and not po.placed
    po.send(PURCHASER)
    assert po.state == "sent" and not po.placed
    assert sign_back(po) == "signed_back"
    assert (po.state, po.signed_revision, po.placed) == ("signed", 1, True)


def test_what_is_sent_is_the_text_the_supplier_hashes_and_signs():
    po = sent()
    sent_revision = po.current
    assert sent_revision["content"]["revision"] == 1
    assert sent_revision["content"]["lines"][0]["unit_price"] == "0.1250"
    assert sent_revision["content"]["total"] == "125.00"
    assert sent_revision["content_hash"] == content_hash(sent_revision["content"])
    assert len(sent_revision["content_hash"]) == 64


def test_amending_a_draft_edits_revision_1():
    po = reviewed()
    po.amend([line(quantity="2000")], None, "more needed", PURCHASER)
    assert (po.state, po.revision, po.total) == ("draft", 1, Decimal("250.00"))


def test_an_amendment_after_signing_is_a_new_revision_to_review_send_and_sign_again():
    po = placed()
    first_hash = po.current["content_hash"]
    po.amend([line(quantity="1200")], None, "customer raised the quantity", PURCHASER)
    assert (po.state, po.revision, po.placed) == ("draft", 2, False)
    assert po.total == Decimal("150.00")
    new_hash = review_and_send(po)
    assert new_hash != first_hash and not po.placed
    sign_back(po)
    assert (po.signed_revision, po.placed) == (2, True)


@pytest.mark.parametrize("revision, which_hash", [(1, "old"), (2, "old"), (1, "new")])
def test_a_stale_revision_or_content_hash_is_refused(revision, which_hash):
    po = placed()
    hashes = {"old": po.current["content_hash"]}
    po.amend([line(quantity="1200")], None, None, PURCHASER)
    hashes["new"] = review_and_send(po)
    with pytest.raises(InvalidState):
        sign_back(po, revision=revision, content_hash=hashes[which_hash])
    assert (po.state, po.placed) == ("sent", False)
    sign_back(po, revision=2, content_hash=hashes["new"])
    assert po.placed


def test_nothing_to_sign_before_sending_and_nothing_twice():
    po = reviewed()
    with pytest.raises(InvalidState):
        sign_back(po, revision=1, content_hash="0" * 64)
    po.send(PURCHASER)
    sign_back(po)
    with pytest.raises(InvalidState):
        sign_back(po)


def test_the_supplier_answers_every_line():
    po = sent(THREE_LINES)
    with pytest.raises(InvalidValue) as invalid:
        answer(po, [{"line_no": 1, "decision": "accept"}, {"line_no": 2, "decision": "accept"}])
    assert invalid.value.field == "lines"
    with pytest.raises(InvalidValue):  # a counter proposes something
        answer(po, [counter(1), counter(2, quantity="1"), counter(3, quantity="1")])
    assert po.state == "sent"


# ---- counter-proposals ---------------------------------------------------------------
def test_an_accepted_counter_proposal_is_a_new_revision_with_the_supplier_s_figures():
    po = sent()
    later = date(2027, 1, 25)
    assert answer(po, [counter(unit_price="0.1300", delivery_date=later)]) == "countered"
    assert (po.state, po.placed) == ("countered", False)
    with pytest.raises(InvalidState):  # the purchaser answers first
        sign_back(po)
    po.answer_counter(True, None, PURCHASER)
    assert (po.state, po.revision) == ("draft", 2)
    assert (po.lines[0]["unit_price"], po.lines[0]["delivery_date"]) == (Decimal("0.1300"), later)
    assert po.total == Decimal("130.00")
    with pytest.raises(GateViolation) as refused:  # G7 again
        po.send(PURCHASER)
    assert refused.value.rule == "G7"
    review_and_send(po)
    sign_back(po)
    assert (po.signed_revision, po.placed) == (2, True)


def test_accepting_a_counter_drops_the_lines_the_supplier_rejected():
    po = sent(THREE_LINES)
    answer(po, [counter(1, quantity="900"), {"line_no": 2, "decision": "reject"},
                {"line_no": 3, "decision": "accept"}])
    po.answer_counter(True, None, PURCHASER)
    assert [(n["line_no"], n["quantity"]) for n in po.lines] == [
        (1, Decimal("900")), (3, Decimal("200"))]
    assert po.total == Decimal("312.50")  # 900 x 0.1250 + 200 x 1.00


def test_a_counter_rejecting_every_line_cannot_be_accepted_only_cancelled():
    po = sent(THREE_LINES[:2])
    answer(po, [{"line_no": 1, "decision": "reject"}, {"line_no": 2, "decision": "reject"}])
    with pytest.raises(InvalidState):
        po.answer_counter(True, None, PURCHASER)
    assert (po.state, po.revision) == ("countered", 1)
    po.cancel("supplier cannot make it", SUPERVISOR)
    assert po.state == "cancelled"


def test_a_rejected_counter_leaves_the_revision_open_for_signature():
    po = sent()
    hash_sent = po.current["content_hash"]
    answer(po, [counter(unit_price="0.1300")])
    po.answer_counter(False, "the RFQ price holds", PURCHASER)
    assert (po.state, po.revision, po.current["content_hash"]) == ("sent", 1, hash_sent)
    with pytest.raises(InvalidState):  # nothing left to answer
        po.answer_counter(False, None, PURCHASER)
    sign_back(po)
    assert (po.signed_revision, po.placed) == (1, True)


# ---- cancellation --------------------------------------------------------------------
def test_a_cancelled_po_takes_no_more_commands():
    po = sent()
    po.cancel("order withdrawn", SUPERVISOR)
    assert (po.state, po.placed) == ("cancelled", False)
    for command in (lambda: sign_back(po), lambda: po.review(SUPERVISOR),
                    lambda: po.send(PURCHASER), lambda: receive(po, got(1, "10")),
                    lambda: po.amend([line()], None, None, PURCHASER),
                    lambda: po.cancel("again", SUPERVISOR)):
        with pytest.raises(InvalidState):
            command()


def test_a_po_with_receipts_cannot_be_cancelled():
    po = placed()
    receive(po, got(1, "1000"))
    with pytest.raises(InvalidState):
        po.cancel("too late", SUPERVISOR)
    assert po.state == "signed"


# ---- receipts and tolerance ------------------------------------------------------------
def test_receipts_off_the_po_raise_the_accountant_s_alerts():
    po = placed(THREE_LINES)
    receive(po, got(1, "980", "975"),                  # within ±3 %
            got(2, "450", "440", price="2.10"),        # short, above the PO's price
            got(3, "100", price="1.00", partial=True),  # partial: not judged short
            on=LATE)
    assert codes(po) == {"delivery_late:1", "delivery_late:2", "delivery_late:3",
                         "quantity_off_po:2", "price_above_po:2"}
    [receipt] = po.receipts
    assert [n["rejected"] for n in receipt["lines"]] == [Decimal(5), Decimal(10), Decimal(0)]


@pytest.mark.parametrize("received, accepted, alert", [
    ("970", "970", False),        # exactly 3 % short
    ("969.9", "969.9", True),     # beyond
    ("1000", "969", True),        # short is judged on what was accepted
    ("1030", "1000", False),      # exactly 3 % over
    ("1030.1", "1030.1", True),   # over is judged on what arrived
])
def test_the_tolerance_is_plus_or_minus_three_percent_inclusive(received, accepted, alert):
    po = placed()
    receive(po, got(1, received, accepted))
    assert ("quantity_off_po:1" in codes(po)) is alert


def test_receipts_are_cumulative_and_clear_the_alert_once_within_tolerance():
    po = placed()
    receive(po, got(1, "950"))
    assert "quantity_off_po:1" in codes(po)
    receive(po, got(1, "30"), actor=PURCHASER)
    assert "quantity_off_po:1" not in codes(po)
    assert (po.received["1"]["received"], po.received["1"]["accepted"]) == (
        Decimal("980"), Decimal("980"))


def test_a_partial_line_is_judged_short_only_when_the_last_part_arrives():
    po = placed()
    receive(po, got(1, "400", partial=True))
    assert codes(po) == set()
    receive(po, got(1, "500"))  # 900 of 1000, nothing more coming
    assert codes(po) == {"quantity_off_po:1"}


def test_over_delivery_is_flagged_even_on_a_partial_receipt():
    po = placed(THREE_LINES)
    receive(po, got(3, "100", price="1.00", partial=True))
    receive(po, got(3, "120", price="1.00", partial=True))  # 220 of 200
    assert codes(po) == {"quantity_off_po:3"}


@pytest.mark.parametrize("price, on, expected", [
    ("0.1250", DUE, set()),
    ("0.1200", DUE, set()),  # cheaper is not an alert
    ("0.1251", DUE, {"price_above_po:1"}),
    ("0.1250", date(2027, 1, 16), {"delivery_late:1"}),
])
def test_a_price_above_the_po_or_a_late_line_raises_an_alert(price, on, expected):
    po = placed()
    receive(po, got(1, "1000", price=price), on=on)
    assert codes(po) == expected


def test_materials_received_before_the_po_is_signed_back_are_flagged():
    po = drafted()
    with pytest.raises(InvalidState):  # never sent: nothing to receive against
        receive(po, got(1, "1000"))
    po.review(SUPERVISOR)
    po.send(PURCHASER)
    receive(po, got(1, "1000"))
    assert codes(po) == {"received_unplaced"}


@pytest.mark.parametrize("bad, field", [
    (got(1, "5", "6"), "lines.0.accepted"),
    (got(9, "5"), "lines.0.line_no"),
    (got(1, "0"), "lines.0.received"),
])
def test_bad_receipt_lines_are_refused_and_change_nothing(bad, field):
    po = placed()
    with pytest.raises(InvalidValue) as invalid:
        receive(po, bad)
    assert invalid.value.field == field
    assert po.receipts == [] and codes(po) == set()


# ---- the same item at another price ------------------------------------------------------
def test_the_same_item_bought_at_another_price_alerts_the_accountant():
    item = Item.first_bought("YKK #5 zip", "ykk #5 zip", PURCHASER)
    first, second = sent(), sent([line(unit_price="0.1400")])
    assert item.bought(first.id, 1, first.supplier_id, Decimal("0.1250"), "USD", PURCHASER) == []
    others = item.bought(second.id, 1, second.supplier_id, Decimal("0.1400"), "USD", PURCHASER)
    second.price_differs(second.lines[0], others, PURCHASER)
    assert codes(second) == {"item_price_differs:1"}
    assert str(first.id) in second.alerts["item_price_differs:1"]["message"]


# ---- three-way match and payments ----------------------------------------------------------
def test_an_invoice_matching_the_po_and_the_receipts_is_matched():
    po = placed()
    receive(po, got(1, "1000", "960"))
    assert invoice(po, "INV-1", "960") == "matched"
    assert "invoice_mismatch:INV-1" not in codes(po)
    assert (po.invoiced, po.outstanding) == (Decimal("120.00"), Decimal("120.00"))


@pytest.mark.parametrize("received, quantity, price, issue", [
    ("1000", "1000", "0.1250", "quantity_above_received"),  # 960 accepted
    ("1000", "960", "0.1300", "price_above_po"),
    (None, "100", "0.1250", "not_received"),
])
def test_an_invoice_off_the_po_or_the_receipts_is_a_mismatch(received, quantity, price, issue):
    po = placed()
    if received:
        receive(po, got(1, received, "960"))
    assert invoice(po, "INV-77", quantity, price) == "mismatch"
    assert "invoice_mismatch:INV-77" in codes(po)
    assert po.invoices["INV-77"]["match"]["lines"][0]["issues"] == [issue]


def test_a_second_invoice_is_matched_against_what_is_not_yet_invoiced():
    po = placed()
    receive(po, got(1, "600", partial=True))
    assert invoice(po, "INV-1", "600") == "matched"
    assert invoice(po, "INV-2", "1") == "mismatch"  # the 600 are invoiced already
    receive(po, got(1, "400"))
    assert invoice(po, "INV-3", "399") == "matched"  # INV-2's unit counts as invoiced
    assert po.invoiced == Decimal("125.01")  # 75.00 + 0.13 + 49.88: each invoice rounded


def test_invoices_are_refused_unsent_twice_or_in_another_currency():
    with pytest.raises(InvalidState):
        invoice(reviewed(), "INV-1", "1")
    po = placed()
    receive(po, got(1, "1000"))
    with pytest.raises(InvalidValue) as invalid:
        invoice(po, "INV-1", "1000", currency="EUR")
    assert invalid.value.field == "currency"
    invoice(po, "INV-1", "1000")
    with pytest.raises(Conflict):
        invoice(po, "INV-1", "1")


def invoiced_po() -> object:
    """500.00 USD invoiced, 960 of 1000 accepted."""
    po = placed([line(quantity="1000", unit_price="0.50")])
    receive(po, got(1, "1000", "960", price="0.50"), on=LATE)
    invoice(po, "INV-77", "1000", "0.50")
    return po


def pay(po, amount: str, *adjustments: tuple[str, str], currency: str = "USD",
        invoice_no: str | None = "INV-77") -> None:
    po.pay(Decimal(amount), currency, date(2027, 2, 20), "TT-9", invoice_no,
           [{"reason": reason, "amount": value, "note": None} for reason, value in adjustments],
           ACCOUNTANT)


def test_a_payment_with_adjustments_settles_the_invoice():
    po = invoiced_po()
    pay(po, "470.00", ("short_delivery", "20.00"), ("late_delivery", "10.00"))
    assert (po.paid, po.adjusted, po.outstanding) == (
        Decimal("470.00"), Decimal("30.00"), Decimal("0.00"))
    assert po.payments[0]["adjustments"][0]["amount"] == Decimal("20.00")


def test_a_payment_never_settles_more_than_is_outstanding():
    po = invoiced_po()
    pay(po, "400.00")
    with pytest.raises(InvalidValue) as invalid:
        pay(po, "90.00", ("quality", "10.01"))  # 100.01 of 100.00
    assert invalid.value.field == "amount"
    pay(po, "0", ("quality", "100.00"))  # an adjustment alone settles the rest
    assert po.outstanding == 0
    with pytest.raises(InvalidValue):
        pay(po, "0.01")


@pytest.mark.parametrize("amount, adjustments, named, error", [
    ("0", (), {}, InvalidValue),                         # settles nothing
    ("-1.00", (), {}, InvalidValue),
    ("1.001", (), {}, InvalidValue),                     # USD has 2 decimals
    ("1.00", (("goodwill", "1.00"),), {}, InvalidValue),  # no such reason
    ("1.00", (), {"currency": "EUR"}, InvalidValue),
    ("1.00", (), {"invoice_no": "INV-404"}, NotFound),
])
def test_bad_payments_are_refused(amount, adjustments, named, error):
    po = invoiced_po()
    with pytest.raises(error):
        pay(po, amount, *adjustments, **named)
    assert po.paid == 0 and po.payments == []


# ---- the event store --------------------------------------------------------------------
def a_po_with_history():
    """Amended after signing, revision 2 signed, received short, late and
    above price, then topped up, invoiced and partly paid."""
    po = placed(THREE_LINES)
    po.amend(THREE_LINES[:2], None, "snap buttons dropped", PURCHASER)
    review_and_send(po)
    sign_back(po)
    receive(po, got(1, "950"), got(2, "500", price="2.10"), on=LATE)
    receive(po, got(1, "40"), actor=PURCHASER)
    invoice(po, "INV-1", "990")
    return po


def test_a_po_saved_in_the_event_store_loads_the_same():
    store = in_memory_store()
    po = a_po_with_history()
    store.save(po)
    loaded = store.repository.get(po.id)
    assert (loaded.revision, loaded.state, loaded.placed) == (2, "signed", True)
    assert codes(loaded) == {"delivery_late:1", "delivery_late:2", "price_above_po:2"}
    assert loaded.receipts == po.receipts and loaded.received["1"]["received"] == Decimal("990")
    assert loaded.current["content_hash"] == po.current["content_hash"]
    assert loaded == po


def test_a_snapshot_of_a_po_loads_the_same_and_later_events_apply_to_it():
    store = in_memory_store()
    po = a_po_with_history()
    store.save(po)
    store.take_snapshot(po.id)
    assert [s.originator_version for s in store.snapshots.get(po.id)] == [po.version]
    loaded = store.repository.get(po.id)
    assert loaded == po
    receive(loaded, got(2, "5", price="2.00"))
    store.save(loaded)
    assert store.repository.get(po.id).received["2"]["received"] == Decimal("505")
