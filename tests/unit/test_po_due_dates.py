"""Issue 10 §8: a PO line due after its customer order needs it. The rule
(``lines_due_after``), and the PO raising and clearing its alert at send."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.application.service import policy_of
from app.config import Settings
from app.domain.purchasing import lines_due_after
from app.domain.values import Policy
from tests.unit.sourcing_builders import (
    PURCHASER,
    line,
    review_and_send,
    sent,
)

EX_FACTORY = date(2027, 3, 1)


def days_before(days: int) -> date:
    return EX_FACTORY - timedelta(days=days)


@pytest.mark.parametrize(("days", "late"), [(0, True), (3, True), (6, True), (7, False),
                                            (10, False), (-2, True)])
def test_a_line_is_late_when_due_after_ex_factory_less_the_lead(days, late):
    found = lines_due_after([line(1, delivery_date=days_before(days))], EX_FACTORY, 7)
    assert found == ({1: days_before(7)} if late else {})


def test_only_the_late_lines_are_named_and_the_lead_is_configurable():
    lines = [line(1, delivery_date=days_before(3)), line(2, delivery_date=days_before(10)),
             line(3, delivery_date=days_before(5))]
    assert set(lines_due_after(lines, EX_FACTORY, 7)) == {1, 3}
    assert set(lines_due_after(lines, EX_FACTORY, 4)) == {1}
    assert lines_due_after(lines, EX_FACTORY, 0) == {}


def test_the_lead_defaults_to_seven_days_and_comes_from_the_settings():
    assert Policy().po_lead_days == 7
    assert Settings().po_lead_days == 7
    assert policy_of(Settings(po_lead_days=14)).po_lead_days == 14


def test_a_late_line_raises_the_purchaser_s_alert_naming_both_dates():
    po = sent([line(1, delivery_date=days_before(3)), line(2, delivery_date=days_before(10))])
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert set(po.alerts) == {"line_due_after_order:1"}
    alert = po.alerts["line_due_after_order:1"]
    assert alert["for_role"] == "purchaser"
    assert "2027-02-26" in alert["message"] and "2027-03-01" in alert["message"]
    # The same send checked twice raises nothing more.
    version = po.version
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert po.version == version


def test_an_amendment_sent_with_an_earlier_date_clears_the_alert():
    po = sent([line(1, delivery_date=days_before(3))])
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    po.amend([line(1, delivery_date=days_before(10))], None, "earlier", PURCHASER)
    # Until the new revision is sent, the supplier works to the late one.
    assert set(po.alerts) == {"line_due_after_order:1"}
    review_and_send(po)
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert po.alerts == {}
    events = [type(e).__name__ for e in po.collect_events()]
    assert events.count("AlertCleared") == 1


def test_a_line_dropped_by_an_amendment_clears_its_alert():
    po = sent([line(1, delivery_date=days_before(10)), line(2, delivery_date=days_before(1))])
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert set(po.alerts) == {"line_due_after_order:2"}
    po.amend([line(1, delivery_date=days_before(10))], None, "line 2 not needed", PURCHASER)
    review_and_send(po)
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert po.alerts == {}


def test_a_later_ex_factory_date_clears_it_at_the_next_send():
    po = sent([line(1, delivery_date=days_before(3))])
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    po.amend([line(1, delivery_date=days_before(3))], None, "same dates", PURCHASER)
    review_and_send(po)
    # The order re-dated a month later (issue 11): no longer late.
    po.check_due_dates(EX_FACTORY + timedelta(days=30), 7, PURCHASER)
    assert po.alerts == {}


def test_a_line_still_late_with_other_dates_gets_a_fresh_message():
    po = sent([line(1, delivery_date=days_before(3))])
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    po.amend([line(1, delivery_date=days_before(5))], None, "a little earlier", PURCHASER)
    review_and_send(po)
    po.check_due_dates(EX_FACTORY, 7, PURCHASER)
    assert "2027-02-24" in po.alerts["line_due_after_order:1"]["message"]
