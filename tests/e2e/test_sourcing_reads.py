"""The sourcing reads over real HTTP, on both stores: the purchase orders
serving an order on its board row (G7 blockers, PO alerts), the PO board's
filters and pages, the supplier portal's list, supplier performance,
payables, and the order's audit trail holding its POs' events.

Every test works on suppliers, orders and customers of its own and filters
by them, so the shared live server's other rows never show up. Each read
passes ``min_position`` of the last command (read-your-writes)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.e2e.helpers import PROBLEM, create_order
from tests.e2e.sourcing import (
    Supplier,
    client_module,
    draft,
    line,
    new_item,
    new_supplier,
    placed_po,
    po_command,
    sent_po,
)

WAIVER = "sole supplier of the customer's branded trim"
PP_SAMPLE = "waiting for pre-production sample approval"


def days_from_today(days: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=days)).isoformat()


async def read(api: Any, path: str, role: str = "manager", **params: Any) -> dict[str, Any]:
    r = await api.get(path, role=role, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def board_row(api: Any, order: dict[str, Any], position: int) -> dict[str, Any]:
    """The order's row on the progress board once ``position`` is applied."""
    page = await read(api, "/v1/board", customer_id=order["customer_id"],
                      min_position=position)
    (row,) = [r for r in page["data"] if r["order_id"] == order["id"]]
    return row


async def po_ids(api: Any, position: int, **params: Any) -> list[str]:
    page = await read(api, "/v1/purchase-orders", min_position=position, **params)
    return [row["id"] for row in page["data"]]


def acknowledged(supplier: Supplier, po_id: str, **kwargs: Any) -> dict[str, Any]:
    r = supplier.acknowledge(po_id, **kwargs)
    assert r.status_code == 200, r.text
    return r.json()


async def receive(api: Any, po_id: str, received_on: str, *lines: dict[str, Any]) -> dict:
    return await po_command(api, po_id, "receipts", {"received_on": received_on,
                                                     "lines": list(lines)},
                            role="qc", status=201)


def got(line_no: int, received: str, accepted: str, price: str) -> dict[str, Any]:
    return {"line_no": line_no, "received": received, "accepted": accepted,
            "unit_price_invoiced": price}


async def test_unsigned_pos_block_the_order_on_the_board_until_signed_back(api):
    order = await create_order(api)
    supplier, first = await sent_po(api, order_id=order["id"])
    row = await board_row(api, order, first["position"])
    assert row["blockers"] == [PP_SAMPLE, "waiting for signed-back POs (1)"]

    _, second = await sent_po(api, supplier, order_id=order["id"])
    row = await board_row(api, order, second["position"])
    assert row["blockers"] == [PP_SAMPLE, "waiting for signed-back POs (2)"]

    acknowledged(supplier, first["id"], accept_all=True)
    signed = acknowledged(supplier, second["id"], accept_all=True)
    row = await board_row(api, order, signed["position"])
    assert row["blockers"] == [PP_SAMPLE]

    # An amendment is a new revision: it must be signed back again (G7).
    item = first["lines"][0]["item"]
    amended = await po_command(api, first["id"], "amendments", {
        "lines": [line(item, quantity="1200")], "reason": "the customer added a size"})
    assert amended["state"] == "draft" and amended["revision"] == 2
    row = await board_row(api, order, amended["position"])
    assert row["blockers"] == [PP_SAMPLE, "waiting for signed-back POs (1)"]

    # A cancelled PO no longer blocks the order.
    cancelled = await po_command(api, first["id"], "cancellation", {"reason": "not needed"},
                                 role="supervisor")
    row = await board_row(api, order, cancelled["position"])
    assert row["blockers"] == [PP_SAMPLE]


async def test_receipt_alerts_of_a_po_show_on_its_orders_board_row(api):
    order = await create_order(api)
    _, po = await placed_po(api, order_id=order["id"], lines=[
        line(new_item(), quantity="1000", unit_price="0.1250", delivery_date="2027-01-15")])
    # 950 of 1000 (5 % short, beyond ±3 %), above the PO's price, 5 days late.
    received = await receive(api, po["id"], "2027-01-20", got(1, "950", "950", "0.1300"))
    codes = {"quantity_off_po:1", "price_above_po:1", "delivery_late:1"}
    assert {a["code"] for a in received["alerts"]} == codes

    row = await board_row(api, order, received["position"])
    assert {a["code"] for a in row["alerts"]} == codes
    assert {a["purchase_order_id"] for a in row["alerts"]} == {po["id"]}
    assert {a["for_role"] for a in row["alerts"]} == {"accountant"}

    page = await read(api, "/v1/purchase-orders", order_id=order["id"],
                      min_position=received["position"])
    (po_row,) = page["data"]
    assert po_row["id"] == po["id"] and po_row["order_id"] == order["id"]
    assert {a["code"] for a in po_row["alerts"]} == codes
    assert (po_row["receipts"], po_row["last_received_on"]) == (1, "2027-01-20")
    assert po_row["lines"][0]["received"] == "950" and po_row["lines"][0]["complete"]

    # 30 more arrive: 980 of 1000 is within ±3 %, the quantity alert clears on both rows.
    topped = await receive(api, po["id"], "2027-01-21", got(1, "30", "30", "0.1250"))
    left = {"price_above_po:1", "delivery_late:1"}
    row = await board_row(api, order, topped["position"])
    assert {a["code"] for a in row["alerts"]} == left
    page = await read(api, "/v1/purchase-orders", order_id=order["id"])
    assert {a["code"] for a in page["data"][0]["alerts"]} == left


async def test_po_board_filters_pages_and_roles(api):
    supplier = await new_supplier(api)
    order = await create_order(api)
    drafted = await draft(api, supplier, [line(new_item())], role="supervisor",
                          waiver_reason=WAIVER, order_id=order["id"])
    _, late = await sent_po(api, supplier, lines=[line(new_item(),
                                                       delivery_date=days_from_today(-10))])
    _, placed = await placed_po(api, supplier=supplier)
    ids, at = [drafted["id"], late["id"], placed["id"]], placed["position"]
    mine = {"supplier_id": supplier.id}

    assert await po_ids(api, at, **mine) == ids  # in order of drafting
    assert await po_ids(api, at, order_id=order["id"]) == [drafted["id"]]
    assert await po_ids(api, at, **mine, order_id=order["id"]) == [drafted["id"]]
    for state, expected in (("draft", [drafted["id"]]), ("sent", [late["id"]]),
                            ("signed", [placed["id"]]), ("cancelled", [])):
        assert await po_ids(api, at, **mine, state=state) == expected, state
    assert await po_ids(api, at, **mine, signed="true") == [placed["id"]]
    assert await po_ids(api, at, **mine, signed="false") == [drafted["id"], late["id"]]
    assert await po_ids(api, at, **mine, overdue="true") == [late["id"]]
    assert await po_ids(api, at, **mine, overdue="false") == [drafted["id"], placed["id"]]

    page = await read(api, "/v1/purchase-orders", **mine, state="sent")
    (row,) = page["data"]
    assert (row["signed"], row["sent_revision"], row["signed_revision"]) == (False, 1, None)
    assert row["content_hash"] == late["content_hash"] and row["overdue"]
    assert (row["supplier_id"], row["total"], row["currency"]) == (supplier.id, "125.00", "USD")

    # One row a page, following next_cursor.
    seen, cursor = [], None
    while True:
        params = {**mine, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = await read(api, "/v1/purchase-orders", **params)
        assert len(page["data"]) == 1
        seen.append(page["data"][0]["id"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids

    with supplier.client() as client:
        r = client.get("/v1/purchase-orders", params=mine)
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    page = await read(api, "/v1/purchase-orders", role="bi", **mine)
    assert [row["id"] for row in page["data"]] == ids


async def test_supplier_portal_lists_only_the_suppliers_own_sent_pos(api):
    a, b = await new_supplier(api), await new_supplier(api)
    unsent = await draft(api, a, [line(new_item())], role="supervisor", waiver_reason=WAIVER)
    _, waiting = await sent_po(api, a)
    _, placed = await placed_po(api, supplier=a)
    _, others = await sent_po(api, b)
    at = others["position"]

    with a.client() as client:
        r = client.get("/v1/supplier/purchase-orders", params={"min_position": at})
    assert r.status_code == 200, r.text
    listed = r.json()["data"]
    assert [po["id"] for po in listed] == [waiting["id"], placed["id"]]
    assert unsent["id"] not in {po["id"] for po in listed}
    assert [po["status"] for po in listed] == ["awaiting_signature", "signed"]
    for po in listed:
        assert (po["revision"], po["currency"], po["total"], po["due_date"]) == (
            1, "USD", "125.00", "2027-01-15")
        staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
        assert po["content_hash"] == staff["content_hash"]

    with b.client() as client:
        r = client.get("/v1/supplier/purchase-orders", params={"min_position": at})
    assert [po["id"] for po in r.json()["data"]] == [others["id"]]

    # Amended, the PO stays listed as its latest revision sent until the next is sent.
    amended = await po_command(api, placed["id"], "amendments", {
        "lines": [line(placed["content"]["lines"][0]["item"], quantity="2000")]})
    with a.client() as client:
        r = client.get("/v1/supplier/purchase-orders",
                       params={"min_position": amended["position"]})
    (listed,) = [po for po in r.json()["data"] if po["id"] == placed["id"]]
    assert (listed["revision"], listed["status"], listed["total"]) == (
        1, "revision_in_preparation", "125.00")
    assert listed["content_hash"] == placed["content_hash"]

    r = await api.get("/v1/supplier/purchase-orders", role="purchaser")
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)


async def test_supplier_performance_counts_deliveries_prices_and_counters(api):
    supplier, po = await sent_po(api, lines=[
        line(new_item(), line_no=1, quantity="1000", unit_price="0.1250",
             delivery_date="2027-01-20"),
        line(new_item(), line_no=2, quantity="500", unit_price="2.00",
             delivery_date="2027-01-10")])
    with supplier.client() as client:
        r = client_module.acknowledge(client, po["id"], supplier.key, supplier.keyid, lines=[
            {"line_no": 1, "decision": "counter", "unit_price": "0.1300"},
            {"line_no": 2, "decision": "accept"}])
    assert r.status_code == 200 and r.json()["result"] == "countered", r.text
    await po_command(api, po["id"], "counter-proposal/decision", {"decision": "accept"})
    await po_command(api, po["id"], "review", role="manager")  # G7: not its drafter
    await po_command(api, po["id"], "send")
    acknowledged(supplier, po["id"], accept_all=True)
    # Line 1 complete and on time at the agreed price; line 2 late, short
    # (440 of 500 accepted) and invoiced above the PO's price.
    await receive(api, po["id"], "2027-01-15", got(1, "1000", "1000", "0.1300"),
                  got(2, "450", "440", "2.10"))
    _, unsigned = await sent_po(api, supplier)

    perf = await read(api, f"/v1/suppliers/{supplier.id}/performance",
                      min_position=unsigned["position"])
    assert perf["supplier_id"] == supplier.id and perf["country"] == "CN"
    assert {k: perf[k] for k in (
        "receipts", "lines_due_received", "lines_on_time", "on_time_rate", "ordered_quantity",
        "accepted_quantity", "fill_rate", "rejected_quantity", "short_deliveries",
        "over_deliveries", "price_deviations", "invoice_price_deviations", "counter_proposals",
        "alerts_raised", "open_alerts", "purchase_orders_sent", "purchase_orders_signed",
        "purchase_orders_placed")} == {
        "receipts": 1, "lines_due_received": 2, "lines_on_time": 1, "on_time_rate": "0.5000",
        "ordered_quantity": "1500", "accepted_quantity": "1440", "fill_rate": "0.9600",
        "rejected_quantity": "10", "short_deliveries": 1, "over_deliveries": 0,
        "price_deviations": 1, "invoice_price_deviations": 0, "counter_proposals": 1,
        "alerts_raised": 3, "open_alerts": 3,  # quantity_off_po, price_above_po, late: line 2
        "purchase_orders_sent": 2, "purchase_orders_signed": 1, "purchase_orders_placed": 1}
    (waiting,) = perf["unsigned_purchase_orders"]
    assert (waiting["id"], waiting["revision"], waiting["state"], waiting["age_days"]) == (
        unsigned["id"], 1, "sent", 0)

    r = await api.get(f"/v1/suppliers/{uuid.uuid4()}/performance", role="purchaser")
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    bi = await read(api, f"/v1/suppliers/{supplier.id}/performance", role="bi")
    assert bi["counter_proposals"] == 1


async def test_payables_show_invoiced_paid_adjusted_and_outstanding(api):
    supplier, po = await placed_po(api, lines=[
        line(new_item(), quantity="1000", unit_price="0.50", delivery_date="2027-01-15")])
    await receive(api, po["id"], "2027-01-25", got(1, "1000", "1000", "0.50"))
    invoiced = await po_command(api, po["id"], "invoices", {
        "invoice_no": "INV-1", "invoice_date": "2027-01-26", "currency": "USD",
        "lines": [{"line_no": 1, "quantity": "1000", "unit_price": "0.50"}]},
        role="accountant", status=201)
    assert invoiced["result"] == "matched"
    paid = await po_command(api, po["id"], "payments", {
        "amount": "400.00", "currency": "USD", "paid_on": "2027-02-20", "reference": "TT-1",
        "invoice_no": "INV-1", "adjustments": [{"reason": "late_delivery", "amount": "20.00"}]},
        role="accountant", status=201)
    await sent_po(api, supplier)  # sent, nothing invoiced yet: counted
    _, dropped = await sent_po(api, supplier)
    await po_command(api, dropped["id"], "cancellation", {"reason": "duplicate"},
                     role="supervisor")  # cancelled with nothing invoiced: left out
    unsent = await draft(api, supplier, [line(new_item())], role="supervisor",
                         waiver_reason=WAIVER)  # never sent: left out

    payables = await read(api, "/v1/finance/payables", role="accountant",
                          min_position=unsent["position"])
    (row,) = [r for r in payables["suppliers"] if r["supplier_id"] == supplier.id]
    assert {k: row[k] for k in ("currency", "purchase_orders", "invoiced", "paid", "adjusted",
                                "outstanding")} == {
        "currency": "USD", "purchase_orders": 2, "invoiced": "500.00", "paid": "400.00",
        "adjusted": "20.00", "outstanding": "80.00"}
    assert payables["position"] >= paid["position"]

    r = await api.get("/v1/finance/payables", role="purchaser")
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)


async def test_the_orders_audit_trail_holds_its_purchase_orders_events(api):
    order = await create_order(api)
    supplier, po = await sent_po(api, order_id=order["id"])
    signed = acknowledged(supplier, po["id"], accept_all=True)
    page = await read(api, "/v1/audit", order_id=order["id"], min_position=signed["position"])
    assert [e["type"] for e in page["data"]] == [
        "OrderCreated", "PurchaseOrderDrafted", "PurchaseOrderReviewed", "PurchaseOrderSent",
        "PurchaseOrderSignedBack"]
    po_events = page["data"][1:]
    assert {(e["aggregate_id"], e["aggregate_type"], e["order_id"]) for e in po_events} == {
        (po["id"], "purchase_order", order["id"])}
    assert po_events[-1]["actor"]["role"] == "supplier"
