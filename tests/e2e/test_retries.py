"""Safe retries (Idempotency-Key) and optimistic concurrency (If-Match) over
real HTTP, on both stores."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from app.api.auth import Principal
from app.api.conditions import fingerprint, idempotency_scope
from app.application.idempotency import IdempotencyStore, KeyedRequest
from tests.e2e.helpers import create_order, lifecycle
from tests.live import Api, LiveServer


def deposit(amount: str = "10.00") -> dict:
    return {"kind": "deposit", "amount": amount, "currency": "USD",
            "received_on": "2027-01-15", "reference": f"TT-{uuid.uuid4().hex[:6]}"}


async def feed_length(api: Api) -> int:
    return len((await api.get("/v1/events", params={"after": 0, "limit": 500})).json()["data"])


async def keyed_post(api: Api, path: str, body: dict, key: str, role: str = "accountant",
                     sub: str | None = None, **headers: str) -> httpx.Response:
    return await api.client.post(path, json=body, headers={
        **api.headers(role, sub=sub), "Idempotency-Key": key, **headers})


async def test_a_retry_replays_the_first_answer_and_appends_nothing(api):
    order = await create_order(api)
    path, body, key = f"/v1/orders/{order['id']}/payments", deposit(), str(uuid.uuid4())
    first = await keyed_post(api, path, body, key)
    assert first.status_code == 200, first.text
    events = await feed_length(api)
    for _ in range(3):
        again = await keyed_post(api, path, body, key)
        assert again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Idempotency-Replayed"] == "true"
    assert await feed_length(api) == events
    current = (await api.get(f"/v1/orders/{order['id']}")).json()
    assert current["paid"] == "10.00" and current["version"] == first.json()["version"]


async def test_a_retry_replays_even_after_the_order_moved_on(api):
    order = await create_order(api)
    path, body, key = f"/v1/orders/{order['id']}/payments", deposit("5.00"), str(uuid.uuid4())
    first = await keyed_post(api, path, body, key, **{"If-Match": f'"{order["version"]}"'})
    assert first.status_code == 200
    moved = await api.post(path, deposit("7.00"), role="accountant")
    assert moved.json()["version"] == first.json()["version"] + 1
    # The retry carries the same (now stale) If-Match: a replay, never a 412.
    again = await keyed_post(api, path, body, key, **{"If-Match": f'"{order["version"]}"'})
    assert again.status_code == 200 and again.json() == first.json()


async def test_creations_replay_with_their_location(api):
    customer = await keyed_post(api, "/v1/customers", {"name": "Once", "country": "IT"},
                                key := str(uuid.uuid4()), role="manager")
    again = await keyed_post(api, "/v1/customers", {"country": "IT", "name": "Once"}, key,
                             role="manager")  # same JSON, other key order
    assert customer.status_code == again.status_code == 201
    assert again.json() == customer.json()
    assert again.headers["Location"] == customer.headers["Location"]
    body = {"reference": f"PO-{uuid.uuid4().hex[:8]}", "customer_id": customer.json()["id"],
            "currency": "EUR", "incoterm": "CIF", "delivery_date": "2027-05-01",
            "samples_required": False, "payment_terms": {"method": "TT"},
            "lines": [{"sku": "A", "quantity": "10", "unit": "pc", "unit_price": "2.50"}]}
    key = str(uuid.uuid4())
    first = await keyed_post(api, "/v1/orders", body, key, role="manager")
    again = await keyed_post(api, "/v1/orders", body, key, role="manager")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]


async def test_same_key_with_another_body_is_422_and_keys_are_per_caller(api):
    order = await create_order(api)
    path, key = f"/v1/orders/{order['id']}/payments", str(uuid.uuid4())
    assert (await keyed_post(api, path, deposit("1.00"), key)).status_code == 200
    reused = await keyed_post(api, path, deposit("2.00"), key)
    assert reused.status_code == 422
    assert reused.json()["type"] == "/problems/idempotency-key-reused"
    # Another accountant's identical key is another request.
    other = await keyed_post(api, path, deposit("2.00"), key, sub="accountant-2")
    assert other.status_code == 200 and other.json()["paid"] == "3.00"
    bad = await keyed_post(api, path, deposit(), "k" * 300)
    assert bad.status_code == 422


async def test_a_refused_command_keeps_no_key(api):
    order = await create_order(api)
    path, key = f"/v1/orders/{order['id']}/shipments", str(uuid.uuid4())
    body = {"shipped_on": "2027-03-01", "carrier": "COSCO", "transport_document": "BL-9"}
    refused = await keyed_post(api, path, body, key, role="manager")
    assert refused.status_code == 409
    assert (await keyed_post(api, path, body, key, role="manager")).status_code == 409


async def test_in_flight_is_409_and_an_expired_claim_is_taken_over(databases, store):
    settings = databases.settings(store, idempotency_lease_seconds=1.0)
    server = LiveServer(settings).start()
    keys = IdempotencyStore(settings)
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            api = Api(server, client)
            order = await create_order(api)
            path, body, key = f"/v1/orders/{order['id']}/payments", deposit(), "crash-1"
            # A request that claimed the key and then died (kill -9) before committing.
            scope = idempotency_scope(Principal("accountant-1", "accountant", None))
            keys.claim(KeyedRequest(scope, key, fingerprint(
                "POST", path, json.dumps(body).encode())))
            busy = await keyed_post(api, path, body, key)
            assert busy.status_code == 409
            assert busy.json()["type"] == "/problems/idempotency-in-flight"
            assert int(busy.headers["Retry-After"]) >= 1
            await asyncio.sleep(1.2)
            taken_over = await keyed_post(api, path, body, key)
            assert taken_over.status_code == 200 and taken_over.json()["paid"] == "10.00"
            replay = await keyed_post(api, path, body, key)
            assert replay.json() == taken_over.json()
    finally:
        keys.close()
        server.stop()


async def test_if_match(api):
    order = await create_order(api)
    path = f"/v1/orders/{order['id']}/payments"
    stale = await api.client.post(path, json=deposit(), headers={
        **api.headers("accountant"), "If-Match": '"999"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == f'"{order["version"]}"'
    weak = await api.client.post(path, json=deposit(), headers={
        **api.headers("accountant"), "If-Match": f'W/"{order["version"]}"'})
    assert weak.status_code == 412
    ok = await api.client.post(path, json=deposit(), headers={
        **api.headers("accountant"), "If-Match": f'"{order["version"]}"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == f'"{order["version"] + 1}"'
    star = await api.client.post(path, json=deposit(), headers={
        **api.headers("accountant"), "If-Match": "*"})
    assert star.status_code == 200


async def test_fifty_parallel_commands_with_one_if_match_make_one_change(api):
    order = await lifecycle(api, "confirmed")
    path = f"/v1/orders/{order['id']}/payments"
    headers = {**api.headers("accountant"), "If-Match": f'"{order["version"]}"'}
    answers = await asyncio.gather(*(
        api.client.post(path, json=deposit("1.00"), headers=headers) for _ in range(50)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 49, statuses
    after = (await api.get(f"/v1/orders/{order['id']}")).json()
    assert after["version"] == order["version"] + 1 and after["paid"] == "1.00"


async def test_parallel_commands_without_if_match_all_apply(api):
    order = await lifecycle(api, "confirmed")
    path = f"/v1/orders/{order['id']}/payments"
    answers = await asyncio.gather(*(
        api.post(path, deposit("1.00"), role="accountant") for _ in range(12)))
    assert [a.status_code for a in answers] == [200] * 12
    after = (await api.get(f"/v1/orders/{order['id']}")).json()
    assert after["version"] == order["version"] + 12 and after["paid"] == "12.00"
    assert sorted(a.json()["version"] for a in answers) == list(
        range(order["version"] + 1, order["version"] + 13))
