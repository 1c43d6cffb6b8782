"""The read side over real HTTP: board, finance, audit and the event feed,
read-your-writes with ``min_position``, pagination and role boundaries.

Each test works on a customer of its own, so the shared live server's other
orders never show up in its filtered reads."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from app.api.auth import issue_token
from tests.e2e.helpers import (
    PROBLEM,
    command,
    create_order,
    headers,
    lifecycle,
    new_customer,
    order_body,
    pay,
)
from tests.live import LiveServer


async def board(api, role="manager", **params) -> dict:
    r = await api.get("/v1/board", role=role, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_board_shows_a_new_order_at_once(api):
    order = await create_order(api)
    page = await board(api, customer_id=order["customer_id"], min_position=order["position"])
    (row,) = page["data"]
    assert row["order_id"] == order["id"]
    assert (row["reference"], row["state"], row["total"], row["currency"]) == (
        order["reference"], "inquiry", "8500.00", "USD")
    assert row["owner"] == "merchandiser-1"
    assert row["next_milestone"] == "pre-production sample approval"
    assert row["blockers"] == ["waiting for pre-production sample approval"]
    assert row["position"] == order["position"]
    assert page["next_cursor"] is None


async def test_the_board_follows_the_lifecycle(api):
    order = await lifecycle(api, "in_production")
    page = await board(api, customer_id=order["customer_id"], min_position=order["position"])
    (row,) = page["data"]
    assert (row["state"], row["next_milestone"], row["blockers"]) == (
        "in_production", "shipment", ["waiting for balance"])
    closed = await lifecycle(api, "closed", customer_id=order["customer_id"])
    page = await board(api, customer_id=order["customer_id"], min_position=closed["position"])
    assert [r["order_id"] for r in page["data"]] == [order["id"]]  # closed: not open
    page = await board(api, customer_id=order["customer_id"], state="closed")
    assert [r["order_id"] for r in page["data"]] == [closed["id"]]


async def test_board_filters_state_owner_and_overdue(api):
    customer = await new_customer(api)
    owner = f"mia-{uuid.uuid4().hex[:6]}"
    past = (datetime.now(timezone.utc).date() - timedelta(days=10)).isoformat()
    late = await create_order(api, customer, delivery_date=past)
    r = await api.client.post("/v1/orders", headers=headers(api, "merchandiser", sub=owner),
                              json=order_body(customer))
    assert r.status_code == 201, r.text
    mine = r.json()
    cancelled = await create_order(api, customer, delivery_date=past)
    last = await command(api, cancelled["id"], "/cancellation", {"reason": "withdrawn"})

    page = await board(api, customer_id=customer, min_position=last["position"])
    assert {r["order_id"] for r in page["data"]} == {late["id"], mine["id"]}
    page = await board(api, customer_id=customer, state="cancelled")
    assert [r["order_id"] for r in page["data"]] == [cancelled["id"]]
    page = await board(api, customer_id=customer, owner=owner)
    assert [r["order_id"] for r in page["data"]] == [mine["id"]]
    page = await board(api, customer_id=customer, overdue="true")
    (row,) = page["data"]  # the cancelled order is late but not overdue
    assert (row["order_id"], row["overdue"], row["days_late"]) == (late["id"], True, 10)
    page = await board(api, customer_id=customer, overdue="false")
    assert [(r["order_id"], r["days_late"]) for r in page["data"]] == [(mine["id"], 0)]


async def test_board_pages_with_a_cursor_in_delivery_order(api):
    customer = await new_customer(api)
    days = [5, 1, 3, 2, 4]
    created = [await create_order(api, customer, delivery_date=f"2027-04-0{d}") for d in days]
    await board(api, customer_id=customer, min_position=created[-1]["position"])
    seen, cursor = [], None
    for _ in range(3):
        params = {"customer_id": customer, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await board(api, **params)
        seen += [(r["delivery_date"], r["order_id"]) for r in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
    assert cursor is None
    assert [d for d, _ in seen] == [f"2027-04-0{d}" for d in sorted(days)]
    assert {o for _, o in seen} == {c["id"] for c in created}


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"cursor": "not-a-cursor"},
                                    {"state": "lost"}, {"min_position": -1}])
async def test_board_refuses_bad_queries(api, params):
    r = await api.get("/v1/board", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_finance_orders_and_summary(api):
    customer = await new_customer(api)
    unpaid = await lifecycle(api, "in_production", customer_id=customer)
    await command(api, unpaid["id"], "/shipment-without-balance",
                        {"reason": "long-standing customer"})
    paid = await lifecycle(api, "balance_paid", customer_id=customer)
    fee = await pay(api, paid["id"], "sample_fee", "120.00")
    r = await api.get("/v1/finance/orders", role="accountant",
                      params={"customer_id": customer, "min_position": fee["position"]})
    assert r.status_code == 200, r.text
    rows = {row["order_id"]: row for row in r.json()["data"]}
    assert list(rows) == [unpaid["id"], paid["id"]]  # in order of creation
    first = rows[unpaid["id"]]
    assert (first["contract_amount"], first["deposit_due"], first["deposit_received"],
            first["paid"], first["balance_due"]) == (
        "8500.00", "2550.00", "2550.00", "2550.00", "5950.00")
    assert first["shipment_without_balance"] is True
    assert first["shipment_without_balance_reason"] == "long-standing customer"
    assert [a["code"] for a in first["alerts"]] == ["shipment_without_balance"]
    assert (first["margin"], first["margin_approved"]) == ("0.0588", False)
    second = rows[paid["id"]]
    assert (second["paid"], second["balance_due"], second["fees_received"]) == (
        "8500.00", "0.00", "120.00")

    r = await api.get("/v1/finance/summary", role="bi", params={"min_position": fee["position"]})
    assert r.status_code == 200, r.text
    (mine,) = [c for c in r.json()["customers"] if c["customer_id"] == customer]
    assert mine == {"customer_id": customer, "customer_name": mine["customer_name"],
                    "currency": "USD", "orders": 2, "contract_amount": "17000.00",
                    "paid": "11050.00", "balance_due": "5950.00", "fees_received": "120.00"}
    usd = [c for c in r.json()["currencies"] if c["currency"] == "USD"]
    assert len(usd) == 1 and usd[0]["orders"] >= 2


async def test_audit_filters_and_pages(api):
    order = await lifecycle(api, "confirmed")
    oid = order["id"]
    r = await api.get("/v1/audit", params={"order_id": oid, "min_position": order["position"]})
    assert r.status_code == 200, r.text
    trail = r.json()["data"]
    assert [e["type"] for e in trail] == [
        "OrderCreated", "SampleRequested", "SampleApproved", "ProformaInvoiceIssued",
        "ProformaInvoiceSignedBack", "CostAnalysed", "OrderConfirmed"]
    assert trail[-1]["actor"] == {"sub": "manager-1", "role": "manager"}
    assert trail[-1]["position"] == order["position"]

    r = await api.get("/v1/audit", role="accountant",
                      params={"order_id": oid, "type": "CostAnalysed"})
    assert [e["actor"]["sub"] for e in r.json()["data"]] == ["accountant-1"]
    r = await api.get("/v1/audit", params={"order_id": oid, "actor": "supervisor-1"})
    assert {e["type"] for e in r.json()["data"]} == {
        "SampleApproved", "ProformaInvoiceIssued", "ProformaInvoiceSignedBack"}

    cut = datetime.fromisoformat(trail[3]["occurred_at"])
    r = await api.get("/v1/audit", params={"order_id": oid, "until": cut.isoformat()})
    assert [e["position"] for e in r.json()["data"]] == [e["position"] for e in trail[:3]]
    r = await api.get("/v1/audit", params={"order_id": oid, "since": cut.isoformat()})
    assert [e["position"] for e in r.json()["data"]] == [e["position"] for e in trail[3:]]
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    r = await api.get("/v1/audit", params={"order_id": oid, "since": later})
    assert r.json()["data"] == []
    r = await api.get("/v1/audit", params={"since": "2026-01-01T00:00:00"})  # naive
    assert r.status_code == 422

    paged, cursor = [], None
    while True:
        r = await api.get("/v1/audit", params={"order_id": oid, "limit": 3,
                                               **({"cursor": cursor} if cursor else {})})
        paged += r.json()["data"]
        if (cursor := r.json()["next_cursor"]) is None:
            break
    assert paged == trail


async def test_the_event_feed_is_complete_and_ordered(api):
    order = await lifecycle(api, "pi_signed")
    feed, after = [], 0
    while True:
        r = await api.get("/v1/events", role="bi", params={"after": after, "limit": 7})
        assert r.status_code == 200, r.text
        page = r.json()
        feed += page["data"]
        if page["next_cursor"] is None:
            assert len(page["data"]) < 7
            break
        after = int(page["next_cursor"])
        assert after == page["data"][-1]["position"]
    positions = [e["position"] for e in feed]
    assert positions == sorted(set(positions))  # strictly increasing
    assert positions[-1] >= order["position"]
    mine = [e for e in feed if e["order_id"] == order["id"]]
    assert [e["type"] for e in mine][-1] == "ProformaInvoiceSignedBack"
    # The feed (from the store) and the audit trail (a projection) agree.
    audit, cursor = [], None
    while True:
        r = await api.get("/v1/audit", role="bi", params={
            "limit": 500, "min_position": positions[-1], **({"cursor": cursor} if cursor else {})})
        audit += [e["position"] for e in r.json()["data"]]
        if (cursor := r.json()["next_cursor"]) is None:
            break
    assert audit[:len(positions)] == positions


@pytest.mark.parametrize(("path", "role", "status"), [
    ("/v1/events", "merchandiser", 403), ("/v1/events", "accountant", 403),
    ("/v1/finance/orders", "merchandiser", 403), ("/v1/finance/summary", "qc", 403),
    ("/v1/audit", "purchaser", 403), ("/v1/audit", "merchandiser", 403),
    ("/v1/board", "supplier", 403), ("/v1/finance/orders", "supplier", 403),
    ("/v1/finance/summary", "supplier", 403), ("/v1/audit", "supplier", 403),
    ("/v1/events", "supplier", 403),
    ("/v1/board", "qc", 200), ("/v1/board", "bi", 200), ("/v1/events", "bi", 200),
    ("/v1/finance/summary", "supervisor", 200), ("/v1/audit", "accountant", 200),
])
async def test_role_boundaries(api, path, role, status):
    r = await api.client.get(path, headers=headers(api, role))
    assert r.status_code == status, r.text
    if status == 403:
        assert r.headers["content-type"].startswith(PROBLEM)


async def test_reads_need_a_token(api):
    for path in ("/v1/board", "/v1/finance/orders", "/v1/finance/summary", "/v1/audit",
                 "/v1/events"):
        r = await api.client.get(path)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")


async def test_a_position_not_reached_answers_503_after_the_wait(databases, store):
    # Projections off, so the read models never reach the store's position
    # (a position the store has not reached is a 422 at once: test_bounded_reads).
    settings = databases.settings(store, read_wait_seconds=0.5, run_projections=False)
    server = LiveServer(settings, migrate=True).start()
    try:
        token = issue_token(settings, "boss", "manager")
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            await client.post("/v1/customers", json={"name": "Late", "country": "DE"})
            (written,) = (await client.get("/v1/events")).json()["data"]
            started = time.monotonic()
            r = await client.get("/v1/board", params={"min_position": written["position"]})
            waited = time.monotonic() - started
    finally:
        server.stop()
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["retry-after"] == "1"
    assert 0.5 <= waited < 5
