"""The event feed never skips an event: concurrent writers over HTTP and a
reader tailing GET /v1/events see every event exactly once, in order."""

from __future__ import annotations

import asyncio

WRITERS, EACH = 6, 20


async def test_a_tailing_reader_sees_every_event_once_in_order(api):
    start = (await api.get("/v1/events", params={"after": 0, "limit": 500}, role="bi")).json()
    after = 0
    while start["next_cursor"]:  # skip what other tests wrote on this shared server
        after = int(start["next_cursor"])
        start = (await api.get("/v1/events", params={"after": after, "limit": 500},
                               role="bi")).json()
    after = start["data"][-1]["position"] if start["data"] else after
    first_after = after
    done = asyncio.Event()

    async def writer(n: int) -> list[int]:
        ids = []
        for i in range(EACH):
            response = await api.post("/v1/customers", {"name": f"W{n}-{i}", "country": "JP"})
            assert response.status_code == 201
            ids.append(response.json()["id"])
        return ids

    async def reader() -> list[dict]:
        seen, cursor = [], after
        while True:
            finished = done.is_set()  # read once more after the writers finished
            page = (await api.get("/v1/events", params={"after": cursor, "limit": 7},
                                  role="bi")).json()
            seen += page["data"]
            if page["data"]:
                cursor = page["data"][-1]["position"]
            elif finished:
                return seen

    async def writers() -> list[list[str]]:
        try:
            return await asyncio.gather(*(writer(n) for n in range(WRITERS)))
        finally:
            done.set()

    written, seen = await asyncio.gather(writers(), reader())
    positions = [event["position"] for event in seen]
    assert positions == sorted(set(positions)), "out of order or seen twice"
    mine = {customer for ids in written for customer in ids}
    seen_customers = [e["aggregate_id"] for e in seen if e["type"] == "CustomerRegistered"]
    assert mine <= set(seen_customers) and len(seen_customers) == len(set(seen_customers))
    # And nothing the reader skipped: a fresh full read after the fact agrees.
    full = (await api.get("/v1/events", params={"after": first_after, "limit": 500},
                          role="bi")).json()["data"]
    assert [e["position"] for e in full][:len(positions)] == positions
