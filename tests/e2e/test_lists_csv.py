"""Issue 13, items 4 and 6 over real HTTP, on both stores: the customer
list with its name search, the order lookup by reference, and every list
as CSV (by ``?format=csv`` or ``Accept: text/csv``): RFC 4180, UTF-8 with a
BOM, a header row, amounts in major units beside their currency, every
page streamed, bounded by ``csv_max_rows``."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

from app.api import csv_lists
from tests.e2e.helpers import PROBLEM, command, create_order, new_customer, new_reference
from tests.e2e.sourcing import sent_po

BOM = "\ufeff"


def parsed(r) -> list[dict[str, str]]:
    """The rows of a CSV answer, after checking what a spreadsheet needs."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    text = r.content.decode("utf-8")
    assert text.startswith(BOM) and text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


async def get_csv(api, path: str, role: str = "manager", **params) -> list[dict[str, str]]:
    return parsed(await api.get(path, role=role, params={**params, "format": "csv"}))


async def test_the_board_as_csv_streams_every_page(api, monkeypatch):
    monkeypatch.setattr(csv_lists, "CSV_PAGE", 2)  # 5 orders: 3 pages read while sending
    customer = await new_customer(api)
    days = [5, 1, 3, 2, 4]
    created = [await create_order(api, customer, delivery_date=f"2027-04-0{d}") for d in days]
    last = created[-1]["position"]
    rows = await get_csv(api, "/v1/board", customer_id=customer, min_position=last)
    assert [r["delivery_date"] for r in rows] == [f"2027-04-0{d}" for d in sorted(days)]
    assert {r["order_id"] for r in rows} == {o["id"] for o in created}
    row = rows[0]
    assert (row["currency"], row["total"], row["state"], row["overdue"]) == (
        "USD", "8500.00", "inquiry", "false")
    assert row["blockers"] == "waiting for pre-production sample approval"
    assert datetime.fromisoformat(row["created_at"]).tzinfo is not None
    # By Accept, the same rows; JSON stays the default.
    r = await api.client.get("/v1/board", params={"customer_id": customer},
                             headers={**api.headers("manager"), "Accept": "text/csv"})
    assert parsed(r) == rows
    r = await api.client.get("/v1/board", params={"customer_id": customer},
                             headers={**api.headers("manager"), "Accept": "*/*"})
    assert r.headers["content-type"] == "application/json" and len(r.json()["data"]) == 5
    # A cursor starts the CSV there, as it starts a page.
    page = (await api.get("/v1/board", params={"customer_id": customer, "limit": 2})).json()
    rest = await get_csv(api, "/v1/board", customer_id=customer, cursor=page["next_cursor"])
    assert rest == rows[2:]


async def test_csv_stops_at_the_row_limit(api, monkeypatch):
    monkeypatch.setattr(csv_lists, "CSV_PAGE", 2)
    monkeypatch.setattr(api.settings, "csv_max_rows", 3)
    customer = await new_customer(api)
    for _ in range(4):
        order = await create_order(api, customer)
    r = await api.get("/v1/board", params={"customer_id": customer, "format": "csv",
                                           "min_position": order["position"]})
    assert r.headers["csv-max-rows"] == "3"
    assert len(parsed(r)) == 3


async def test_a_bad_cursor_is_still_a_problem_not_a_broken_file(api):
    r = await api.get("/v1/board", params={"format": "csv", "cursor": "nope"})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    r = await api.get("/v1/board", params={"format": "xlsx"})
    assert r.status_code == 422


async def test_cells_a_spreadsheet_would_run_are_quoted(api):
    name = f"=HYPERLINK(\"http://x\";\"{uuid.uuid4().hex[:6]}\"), Ltd"
    customer = await new_customer(api, name=name)
    order = await create_order(api, customer, reference=f"-{new_reference()}")
    rows = await get_csv(api, "/v1/customers", name=name[1:], min_position=order["position"])
    assert [(r["id"], r["name"]) for r in rows] == [(customer, "'" + name)]
    (row,) = await get_csv(api, "/v1/board", customer_id=customer)
    assert row["reference"] == "'" + order["reference"]
    assert row["total"] == "8500.00"  # numbers stay numbers


async def test_the_audit_trail_as_csv_spreads_the_actor(api):
    order = await create_order(api)
    rows = await get_csv(api, "/v1/audit", order_id=order["id"], min_position=order["position"])
    (row,) = rows
    assert (row["type"], row["actor_sub"], row["actor_role"]) == (
        "OrderCreated", "merchandiser-1", "merchandiser")
    assert '"reference":' in row["data"]  # the event's data as JSON in one cell
    assert int(row["position"]) == order["position"]


# ---- every list ------------------------------------------------------------------------
async def test_every_list_answers_csv(api):
    order = await create_order(api)
    await command(api, order["id"], "/payments", {
        "kind": "deposit", "amount": "100.00", "currency": "USD",
        "received_on": "2026-11-02", "reference": "TT-1"}, role="accountant")
    supplier, po = await sent_po(api)
    await api.get("/v1/board", params={"min_position": po["position"]})
    lists = [
        ("/v1/board", {"customer_id": order["customer_id"]}, "order_id"),
        ("/v1/orders", {"reference": order["reference"]}, "reference"),
        ("/v1/customers", {"name": "customer"}, "region"),
        ("/v1/finance/orders", {"customer_id": order["customer_id"]}, "deposit_received"),
        ("/v1/finance/payables", {}, "outstanding"),
        ("/v1/audit", {"order_id": order["id"]}, "actor_sub"),
        ("/v1/purchase-orders", {"supplier_id": supplier.id}, "outstanding"),
        ("/v1/suppliers", {}, "country"),
        ("/v1/inspections", {"stage": "final"}, "defects_critical"),
        ("/v1/production/delay-causes", {}, "days"),
        ("/v1/reports/orders-by-state", {}, "total"),
        ("/v1/reports/payments", {"group_by": "customer"}, "customer_name"),
        ("/v1/reports/late-orders", {}, "days_late"),
    ]
    for path, params, column in lists:
        r = await api.get(path, params={**params, "format": "csv"})
        rows = parsed(r)
        header = r.content.decode()[1:].split("\r\n", 1)[0].split(",")
        assert column in header, (path, header)
        if path in ("/v1/board", "/v1/orders", "/v1/finance/orders", "/v1/audit"):
            assert rows, path
    (row,) = await get_csv(api, "/v1/finance/orders", customer_id=order["customer_id"])
    assert (row["currency"], row["deposit_received"], row["contract_amount"]) == (
        "USD", "100.00", "8500.00")
    with supplier.client() as client:
        r = client.get("/v1/supplier/purchase-orders", params={"format": "csv"})
    (row,) = parsed(r)
    assert (row["id"], row["status"]) == (po["id"], "awaiting_signature")


# ---- the customer list and the order lookup --------------------------------------------
async def test_customers_by_name_case_aside_and_by_country(api):
    tag = uuid.uuid4().hex[:6]
    names = [f"Müllerstraße {tag} GmbH", f"MÜLLERSTRASSE {tag} AG", f"Other {tag} 100% Ltd"]
    ids = [await new_customer(api, country=c, name=n) for n, c in zip(names, ["DE", "AT", "DE"])]
    last = await create_order(api, ids[2])  # a position after the three
    found = (await api.get("/v1/customers", role="bi", params={
        "name": f"müllerstrasse {tag}", "min_position": last["position"]})).json()
    # Unicode case folding on both stores: ß is ss, Ü is ü.
    assert [c["id"] for c in found["data"]] == [ids[1], ids[0]]  # by name
    assert found["has_more"] is False and found["next_cursor"] is None
    page = (await api.get("/v1/customers", params={"name": tag, "limit": 2})).json()
    assert page["has_more"] is True
    rest = (await api.get("/v1/customers", params={"name": tag, "cursor": page["next_cursor"]}))
    assert [c["id"] for c in page["data"] + rest.json()["data"]] == [ids[1], ids[0], ids[2]]
    at = (await api.get("/v1/customers", params={"name": tag, "country": "AT"})).json()
    assert [(c["id"], c["country"], c["region"]) for c in at["data"]] == [
        (ids[1], "AT", at["data"][0]["region"])]
    # % and _ are text, not wildcards.
    pct = (await api.get("/v1/customers", params={"name": f"{tag} 100%"})).json()["data"]
    assert [c["id"] for c in pct] == [ids[2]]
    assert (await api.get("/v1/customers", params={"name": f"{tag}%"})).json()["data"] == []
    r = await api.get("/v1/customers", params={"country": "de"})
    assert r.status_code == 422


async def test_an_order_is_found_by_its_reference_case_aside(api):
    reference = f"Po-Ärger-{uuid.uuid4().hex[:8]}"
    first = await create_order(api, reference=reference)
    second = await create_order(api, reference=reference.upper(), delivery_date="2027-05-01")
    await command(api, second["id"], "/cancellation", {"reason": "withdrawn"},
                  role="supervisor")
    page = (await api.get("/v1/orders", role="bi", params={
        "reference": reference.lower(), "min_position": second["position"] + 1})).json()
    assert [(r["order_id"], r["state"]) for r in page["data"]] == [
        (first["id"], "inquiry"), (second["id"], "cancelled")]  # by delivery date
    assert page["has_more"] is False
    page = (await api.get("/v1/orders", params={
        "reference": reference, "customer_id": second["customer_id"]})).json()
    assert [r["order_id"] for r in page["data"]] == [second["id"]]
    # Exact: a part of a reference finds nothing.
    assert (await api.get("/v1/orders", params={"reference": reference[:-1]})).json()[
        "data"] == []
    r = await api.get("/v1/orders")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["query.reference"]


async def test_late_orders_as_csv_most_late_first(api):
    days = 3
    customer = await new_customer(api)
    today = datetime.now(timezone.utc).date()
    later = await create_order(api, customer, delivery_date=str(today - timedelta(days=days)))
    earlier = await create_order(api, customer,
                                 delivery_date=str(today - timedelta(days=days + 4)))
    await create_order(api, customer, delivery_date=str(today + timedelta(days=9)))
    rows = await get_csv(api, "/v1/reports/late-orders", customer_id=customer,
                         min_position=earlier["position"])
    assert [(r["order_id"], r["days_late"]) for r in rows] == [
        (earlier["id"], str(days + 4)), (later["id"], str(days))]
