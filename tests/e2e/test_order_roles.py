"""The roles the work plans give (issue 10, point 7; SPEC.md §2): the
merchandiser costs an order, the purchaser files (closes) it and every staff
role reads its file; an order's owner is its creator until a supervisor or
manager hands it to another merchandiser, and the board's owner filter
follows."""

from __future__ import annotations

from tests.e2e.helpers import command, create_order, headers, lifecycle, refused


async def test_a_merchandiser_costs_and_a_purchaser_closes_and_reads_the_file(api):
    order = await lifecycle(api, "pi_signed")
    oid = order["id"]
    costed = await command(api, oid, "/cost-analysis", {"costs": [
        {"item": "fabric", "amount": "7000.00", "currency": "USD"}]}, role="merchandiser")
    assert costed["cost_analyses"] == 1
    shipped = await lifecycle(api, "shipped")
    closed = await command(api, shipped["id"], "/closure", {}, role="purchaser")
    assert closed["state"] == "closed"

    # The order file (Plan 5 form 11): every staff role reads it.
    for role in ("purchaser", "merchandiser", "qc", "accountant", "supervisor", "manager"):
        r = await api.get("/v1/audit", role=role, params={
            "order_id": shipped["id"], "min_position": closed["position"]})
        assert r.status_code == 200, (role, r.text)
        trail = r.json()["data"]
        assert trail[-1]["type"] == "OrderClosed" and trail[-1]["actor"]["role"] == "purchaser"
        assert {e["order_id"] for e in trail} == {shipped["id"]}
    # The unfiltered trail and the event feed stay with those who had them.
    for role in ("purchaser", "merchandiser", "qc"):
        assert (await api.get("/v1/audit", role=role)).status_code == 403, role
        assert (await api.get("/v1/audit", role=role, params={"order_id": ""})).status_code == 403
        assert (await api.get("/v1/events", role=role)).status_code == 403, role
    r = await api.client.get("/v1/audit", params={"order_id": shipped["id"]},
                             headers=headers(api, "supplier"))
    assert r.status_code == 403


async def test_a_supervisor_reassigns_the_owner_and_the_board_follows(api):
    order = await create_order(api, role="merchandiser")
    oid, customer = order["id"], order["customer_id"]
    assert order["owner"] == "merchandiser-1"
    await refused(api, oid, "/owner", {"owner": "li"}, status=403, role="merchandiser",
                  method="PUT")
    problem = await refused(api, oid, "/owner", {"owner": "  "}, status=422, method="PUT",
                            role="supervisor")
    assert problem["errors"][0]["field"] == "body.owner"
    moved = await command(api, oid, "/owner", {"owner": "li"}, role="supervisor", method="PUT")
    assert (moved["owner"], moved["version"]) == ("li", order["version"] + 1)
    same = await command(api, oid, "/owner", {"owner": "li"}, role="manager", method="PUT")
    assert (same["owner"], same["version"]) == ("li", moved["version"])  # nothing recorded

    def board(owner):
        return api.get("/v1/board", role="merchandiser", params={
            "customer_id": customer, "owner": owner, "min_position": moved["position"]})
    assert [row["order_id"] for row in (await board("li")).json()["data"]] == [oid]
    assert (await board("merchandiser-1")).json()["data"] == []
    r = await api.get("/v1/audit", role="merchandiser", params={
        "order_id": oid, "type": "OrderOwnerChanged", "min_position": moved["position"]})
    [event] = r.json()["data"]
    assert event["actor"] == {"sub": "supervisor-1", "role": "supervisor"}


async def test_an_owner_change_is_retried_safely(api):
    order = await create_order(api)
    url = f"/v1/orders/{order['id']}/owner"
    key = {**headers(api, "supervisor"), "Idempotency-Key": f"owner-{order['id']}"}
    first = await api.client.put(url, json={"owner": "wang"}, headers=key)
    again = await api.client.put(url, json={"owner": "wang"}, headers=key)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json()["version"] == first.json()["version"] == order["version"] + 1
