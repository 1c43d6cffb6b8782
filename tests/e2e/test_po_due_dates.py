"""Issue 10 §8 over real HTTP, on both stores: a PO for a customer order
sent with a line due later than the order's ex-factory date less the lead
(7 days by default) raises the purchaser's alert, on the PO board and on the
order's board row; the next send of an amendment with an earlier date
clears it; a PO for no order is never checked."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import create_order
from tests.e2e.sourcing import line, new_item, po_command, sent_po
from tests.e2e.test_sourcing_reads import board_row, read

EX_FACTORY = "2027-03-01"  # the default order's delivery_date
THREE_DAYS_BEFORE, TEN_DAYS_BEFORE = "2027-02-26", "2027-02-19"
CODE = "line_due_after_order:1"


async def po_row(api: Any, order: dict[str, Any], position: int) -> dict[str, Any]:
    page = await read(api, "/v1/purchase-orders", order_id=order["id"],
                      min_position=position)
    (row,) = page["data"]
    return row


async def test_a_line_due_three_days_before_ex_factory_alerts_until_amended(api):
    order = await create_order(api, delivery_date=EX_FACTORY)
    item = new_item()
    _, po = await sent_po(api, order_id=order["id"],
                          lines=[line(item, delivery_date=THREE_DAYS_BEFORE)])
    [alert] = po["alerts"]
    assert alert["code"] == CODE and alert["for_role"] == "purchaser"
    assert THREE_DAYS_BEFORE in alert["message"] and EX_FACTORY in alert["message"]

    assert {a["code"] for a in (await po_row(api, order, po["position"]))["alerts"]} == {CODE}
    row = await board_row(api, order, po["position"])
    assert [(a["code"], a["purchase_order_id"]) for a in row["alerts"]] == [(CODE, po["id"])]

    amended = await po_command(api, po["id"], "amendments", {
        "lines": [line(item, delivery_date=TEN_DAYS_BEFORE)], "reason": "supplier brings it in"})
    await po_command(api, po["id"], "review", role="manager")
    resent = await po_command(api, po["id"], "send")
    assert amended["revision"] == resent["revision_sent"] == 2
    assert resent["alerts"] == []
    assert (await po_row(api, order, resent["position"]))["alerts"] == []
    assert (await board_row(api, order, resent["position"]))["alerts"] == []


async def test_a_line_due_ten_days_before_ex_factory_raises_nothing(api):
    order = await create_order(api, delivery_date=EX_FACTORY)
    _, po = await sent_po(api, order_id=order["id"],
                          lines=[line(new_item(), delivery_date=TEN_DAYS_BEFORE)])
    assert po["alerts"] == []
    assert (await board_row(api, order, po["position"]))["alerts"] == []


async def test_a_po_for_no_order_is_not_checked(api):
    _, po = await sent_po(api, lines=[line(new_item(), delivery_date="2099-12-31")])
    assert po["order_id"] is None and po["alerts"] == []
