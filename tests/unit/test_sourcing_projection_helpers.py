"""The sourcing projections' pure parts: the board's PO blocker and alerts,
the PO row after receipts and amendments, the performance counters and the
supplier's status word."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest

from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.purchasing import check_receipt_line
from app.projections import board, purchase_orders, supplier_performance
from app.projections.common import alerts_after
from app.projections.sourcing_reads import _ratio, supplier_status

NOW = datetime(2027, 1, 5, 8, 0, tzinfo=timezone.utc)
SUPPLIER, ORDER = uuid4(), uuid4()
FACTS = {"samples_required": False, "pp_sample_approved": False, "deposit_due_minor": 100,
         "paid_minor": 0, "margin": None, "margin_approved": False,
         "shipment_without_balance": False}


def po_event(cls, po_id=None, **data):
    return cls(originator_id=po_id or uuid4(), originator_version=2, timestamp=NOW,
               actor_sub="pat", actor_role="purchaser", supplier_id=SUPPLIER, order_id=ORDER,
               **data)


def order_event(cls, **data):
    return cls(originator_id=ORDER, originator_version=2, timestamp=NOW, actor_sub="boss",
               actor_role="manager", **data)


def test_the_po_blocker_comes_last_and_counts_the_unsigned_pos():
    facts = {**FACTS, "open_pos": ["a", "b"]}
    assert board.derive("confirmed", facts, 1000, Decimal("0.1")) == (
        "production release", [board.WAITING_DEPOSIT, "waiting for signed-back POs (2)"])
    assert board.derive("closed", facts, 1000, Decimal("0.1")) == (None, [])
    # Rows made before POs existed have no open_pos: no blocker.
    assert board.derive("confirmed", FACTS, 1000, Decimal("0.1"))[1] == [board.WAITING_DEPOSIT]


def test_each_pos_alert_is_kept_apart_whatever_its_code():
    first, second = uuid4(), uuid4()
    raised = {"code": "item_price_differs:1", "message": "m", "for_role": "accountant"}
    alerts = alerts_after([], po_event(PurchaseOrder.AlertRaised, first, **raised),
                                 str(first))
    alerts = alerts_after(alerts, po_event(PurchaseOrder.AlertRaised, second, **raised),
                                 str(second))
    alerts = alerts_after(alerts, po_event(PurchaseOrder.AlertRaised, second, **raised),
                                 str(second))  # raised again: still one
    assert [a["purchase_order_id"] for a in alerts] == [str(first), str(second)]
    # The order's own alert with that code is one more; clearing it leaves the POs'.
    alerts = alerts_after(alerts, order_event(Order.AlertRaised, **raised))
    assert len(alerts) == 3 and "purchase_order_id" not in alerts[2]
    alerts = alerts_after(alerts, order_event(
        Order.AlertCleared, code="item_price_differs:1", reason="ok"))
    assert [a["purchase_order_id"] for a in alerts] == [str(first), str(second)]
    alerts = alerts_after(alerts, po_event(
        PurchaseOrder.AlertCleared, first, code="item_price_differs:1", reason="ok"), str(first))
    assert [a["purchase_order_id"] for a in alerts] == [str(second)]


def _po_line(no: int, quantity: str, due: date) -> dict:
    return {"line_no": no, "item": "zip", "quantity": Decimal(quantity), "unit": "pcs",
            "unit_price": Decimal("0.10"), "amount": Decimal(quantity) / 10,
            "delivery_date": due}


def _receipt(line: dict, prior: tuple[str, str], received: str, accepted: str, price: str,
             partial: bool, on: date) -> dict:
    return check_receipt_line(line, {"received": Decimal(prior[0]), "accepted": Decimal(prior[1])},
                              Decimal(received), Decimal(accepted), Decimal(price), partial, on,
                              Decimal("0.03"))


def test_an_amendment_keeps_what_was_received_per_line():
    one, two = _po_line(1, "100", date(2027, 1, 5)), _po_line(2, "50", date(2027, 2, 1))
    po_id = uuid4()
    row = {"currency": "USD", "state": "signed", "alerts": [], "received": {},
           "lines": [purchase_orders.line_view(x, {}) for x in (one, two)],
           "receipts": 0, "last_received_on": None, "sent_at": "t", "sent_revision": 1}
    row.update(purchase_orders.changes(row, po_event(
        PurchaseOrder.MaterialsReceived, po_id, receipt_id="r", received_on=date(2027, 1, 4),
        delivery_note=None,
        lines=[_receipt(one, ("0", "0"), "100", "98", "0.10", False, date(2027, 1, 4))]), 9))
    assert [(x["received"], x["accepted"], x["complete"]) for x in row["lines"]] == [
        ("100", "98", True), ("0", "0", False)]
    assert (row["fully_received"], row["receipts"]) == (False, 1)
    # Line 1 dropped, then brought back: what arrived for it is not forgotten.
    for lines, revision in (([two], 2), ([one, two], 3)):
        row.update(purchase_orders.changes(row, po_event(
            PurchaseOrder.PurchaseOrderAmended, po_id, revision=revision, terms=None,
            lines=lines, total=Decimal(5), reason=None), 10))
    assert (row["state"], row["signed"], row["sent_at"]) == ("draft", False, None)
    assert row["lines"][0]["accepted"] == "98"


def test_performance_counts_completed_lines_and_each_issue():
    line = _po_line(1, "100", date(2027, 1, 5))
    lines = [_receipt(line, ("0", "0"), "40", "40", "0.12", True, date(2027, 1, 3)),
             _receipt(line, ("40", "40"), "50", "45", "0.10", False, date(2027, 1, 9))]
    row = supplier_performance.registered(po_event(PurchaseOrder.AlertRaised, code="c",
                                                   message="m", for_role="r"), 1)
    for receipt in lines:
        row.update(supplier_performance.received(row, [receipt]))
    assert {k: row[k] for k in ("receipts", "lines_due_received", "lines_on_time",
                                "ordered_quantity", "accepted_quantity", "rejected_quantity",
                                "short_deliveries", "price_deviations")} == {
        "receipts": 2, "lines_due_received": 1, "lines_on_time": 0, "ordered_quantity": "100",
        "accepted_quantity": "85", "rejected_quantity": "5", "short_deliveries": 1,
        "price_deviations": 1}


@pytest.mark.parametrize(("state", "signed", "status"), [
    ("sent", False, "awaiting_signature"), ("countered", False, "countered"),
    ("signed", True, "signed"), ("draft", False, "revision_in_preparation"),
    ("reviewed", False, "revision_in_preparation"), ("cancelled", False, "cancelled"),
])
def test_the_suppliers_status_word(state, signed, status):
    assert supplier_status(state, signed) == status


def test_rates_are_four_place_fractions_or_null():
    assert _ratio(1, 3) == "0.3333"
    assert _ratio(Decimal("1390"), Decimal("1500")) == "0.9267"
    assert _ratio(0, 0) is None
