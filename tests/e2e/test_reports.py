"""Issue 13, item 7 over real HTTP, on both stores: orders by state,
payments received in a window (exact decimal sums, never across
currencies), late orders; each as JSON and CSV. The live server is shared,
so each test reads what its own orders changed: a difference, a window of
received dates nobody else uses, or its own customer."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from tests.e2e.helpers import command, create_order, new_customer


def pay(kind: str, amount: str, currency: str, on: date) -> dict:
    return {"kind": kind, "amount": amount, "currency": currency,
            "received_on": on.isoformat(), "reference": f"TT-{random.randrange(10**6)}"}


async def report(api, path: str, role: str = "bi", **params) -> dict:
    r = await api.get(f"/v1/reports/{path}", role=role, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def csv_rows(r) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


async def test_orders_by_state_counts_and_totals_per_currency(api):
    def figures(page: dict) -> dict:
        return {(r["state"], r["currency"]): (r["orders"], Decimal(r["total"]))
                for r in page["data"]}

    before = figures(await report(api, "orders-by-state"))
    customer = await new_customer(api)
    await create_order(api, customer)
    await create_order(api, customer, currency="JPY", lines=[{
        "sku": "X", "description": "x", "quantity": "3", "unit": "pcs", "unit_price": "500"}])
    cancelled = await create_order(api, customer)
    done = await command(api, cancelled["id"], "/cancellation", {"reason": "withdrawn"},
                         role="supervisor")
    page = await report(api, "orders-by-state", min_position=done["position"])
    after = figures(page)
    assert page["position"] >= done["position"]

    def grew(key):
        orders, total = after[key]
        was = before.get(key, (0, Decimal(0)))
        return orders - was[0], total - was[1]

    assert grew(("inquiry", "USD")) == (1, Decimal("8500.00"))
    assert grew(("inquiry", "JPY")) == (1, Decimal("1500"))
    assert grew(("cancelled", "USD")) == (1, Decimal("8500.00"))
    states = [r["state"] for r in page["data"]]
    assert states.index("inquiry") < states.index("cancelled")  # lifecycle order
    assert next(r for r in page["data"] if r["currency"] == "JPY")["total"].isdigit()

    r = await api.get("/v1/reports/orders-by-state", role="manager", params={"format": "csv"})
    rows = csv_rows(r)
    assert list(rows[0]) == ["state", "currency", "orders", "total"]
    assert {(x["state"], x["currency"]) for x in rows} == {(x["state"], x["currency"])
                                                           for x in page["data"]}


async def test_payments_by_received_day_summed_exactly(api):
    # A week of received dates no other test uses (their payments are in 2026-2027).
    start = date(2001, 1, 1) + timedelta(days=7 * random.randrange(900))
    usd_a = await create_order(api)
    usd_b = await create_order(api)
    eur = await create_order(api, currency="EUR")
    payments = [
        (usd_a, pay("deposit", "2550.00", "USD", start)),
        (usd_a, pay("sample_fee", "0.10", "USD", start + timedelta(days=1))),
        (usd_a, pay("mould_fee", "0.20", "USD", start + timedelta(days=2))),
        (usd_b, pay("deposit", "100.05", "USD", start + timedelta(days=6))),
        (eur, pay("deposit", "1000.00", "EUR", start + timedelta(days=3))),
        (usd_b, pay("balance", "1.00", "USD", start + timedelta(days=7))),  # outside
    ]
    for order, body in payments:
        done = await command(api, order["id"], "/payments", body, role="accountant")
    window = {"since": start.isoformat(), "until": (start + timedelta(days=6)).isoformat(),
              "min_position": done["position"]}

    page = await report(api, "payments", **window)
    assert page["group_by"] == "currency" and page["since"] == window["since"]
    assert [(r["currency"], r["payments"], r["amount"]) for r in page["data"]] == [
        ("EUR", 1, "1000.00"), ("USD", 4, "2650.35")]  # 0.10 + 0.20 is 0.30, exactly

    page = await report(api, "payments", group_by="kind", **window)
    assert [(r["kind"], r["currency"], r["payments"], r["amount"]) for r in page["data"]] == [
        ("deposit", "EUR", 1, "1000.00"), ("deposit", "USD", 2, "2650.05"),
        ("sample_fee", "USD", 1, "0.10"), ("mould_fee", "USD", 1, "0.20")]

    page = await report(api, "payments", group_by="customer", role="accountant", **window)
    per_customer = {(r["customer_id"], r["currency"]): (r["payments"], r["amount"])
                    for r in page["data"]}
    assert per_customer == {(usd_a["customer_id"], "USD"): (3, "2550.30"),
                            (usd_b["customer_id"], "USD"): (1, "100.05"),
                            (eur["customer_id"], "EUR"): (1, "1000.00")}
    assert all(r["customer_name"] for r in page["data"])

    one_day = await report(api, "payments", since=start.isoformat(), until=start.isoformat())
    assert [(r["currency"], r["amount"]) for r in one_day["data"]] == [("USD", "2550.00")]

    r = await api.get("/v1/reports/payments", role="bi",
                      params={**window, "group_by": "kind", "format": "csv"})
    rows = csv_rows(r)
    assert [(x["kind"], x["currency"], x["amount"]) for x in rows][:2] == [
        ("deposit", "EUR", "1000.00"), ("deposit", "USD", "2650.05")]
    assert "attachment" in r.headers["content-disposition"]


async def test_payments_refuses_a_window_backwards_and_an_unknown_grouping(api):
    r = await api.get("/v1/reports/payments", params={"since": "2026-02-01",
                                                      "until": "2026-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.until"
    r = await api.get("/v1/reports/payments", params={"group_by": "month"})
    assert r.status_code == 422
    # Money is for the staff who answer for it, and bi (as finance is).
    r = await api.get("/v1/reports/payments", role="merchandiser")
    assert r.status_code == 403


async def test_late_orders_with_days_late_owner_and_customer(api):
    customer = await new_customer(api)
    today = datetime.now(timezone.utc).date()
    late = await create_order(api, customer, delivery_date=str(today - timedelta(days=12)))
    later = await create_order(api, customer, delivery_date=str(today - timedelta(days=2)),
                               role="supervisor")
    await create_order(api, customer, delivery_date=str(today))  # due today: not late
    gone = await create_order(api, customer, delivery_date=str(today - timedelta(days=30)))
    done = await command(api, gone["id"], "/cancellation", {"reason": "withdrawn"},
                         role="supervisor")
    page = await report(api, "late-orders", customer_id=customer, min_position=done["position"])
    assert [(r["order_id"], r["days_late"], r["owner"], r["state"]) for r in page["data"]] == [
        (late["id"], 12, "merchandiser-1", "inquiry"),
        (later["id"], 2, "supervisor-1", "inquiry")]
    row = page["data"][0]
    assert (row["customer_id"], row["reference"], row["total"], row["currency"]) == (
        customer, late["reference"], "8500.00", "USD")
    assert row["agreed_on"] == row["delivery_date"]
    assert page["has_more"] is False

    first = await report(api, "late-orders", customer_id=customer, limit=1)
    assert first["has_more"] is True
    rest = await report(api, "late-orders", customer_id=customer, cursor=first["next_cursor"])
    assert [r["order_id"] for r in first["data"] + rest["data"]] == [late["id"], later["id"]]
    mine = await report(api, "late-orders", customer_id=customer, owner="supervisor-1")
    assert [r["order_id"] for r in mine["data"]] == [later["id"]]
