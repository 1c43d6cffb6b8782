"""Long-poll of the event feed (issue 13, item 9): a consumer at the end of
the feed passes `wait=` and gets the next event as soon as it is recorded,
or an empty page when the time is up; the waiting is bounded."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.live import Api, LiveServer


async def _end_of_feed(api: Api) -> int:
    after = 0
    while True:
        page = (await api.get("/v1/events", params={"after": after, "limit": 500},
                              role="bi")).json()
        if page["data"]:
            after = page["data"][-1]["position"]
        if page["next_cursor"] is None:
            return after


async def test_an_event_recorded_while_a_consumer_waits_is_answered_at_once(api):
    after = await _end_of_feed(api)

    async def consumer() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        r = await api.get("/v1/events", params={"after": after, "wait": 20}, role="bi")
        return r, time.monotonic() - started

    waiting = asyncio.create_task(consumer())
    await asyncio.sleep(0.5)
    assert not waiting.done(), "answered before any event was recorded"
    written = time.monotonic()
    created = await api.post("/v1/customers", {"name": "Long Poll Ltd", "country": "NZ"})
    assert created.status_code == 201
    response, _ = await waiting
    delay = time.monotonic() - written
    assert response.status_code == 200
    page = response.json()
    assert page["data"], "the event written while waiting"
    assert page["data"][0]["position"] == after + 1
    assert any(e["aggregate_id"] == created.json()["id"] for e in page["data"])
    assert delay < 2, f"answered {delay:.2f} s after the write"


async def test_the_timeout_answers_an_empty_page(api):
    # A position no write has reached yet: nothing can arrive for it.
    after = await _end_of_feed(api) + 1_000_000
    started = time.monotonic()
    r = await api.get("/v1/events", params={"after": after, "wait": 1}, role="bi")
    took = time.monotonic() - started
    assert r.status_code == 200
    assert r.json()["data"] == [] and r.json()["next_cursor"] is None
    assert 0.9 <= took < 5, took


async def test_events_already_there_are_answered_without_waiting(api):
    started = time.monotonic()
    r = await api.get("/v1/events", params={"after": 0, "limit": 1, "wait": 30}, role="bi")
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    assert isinstance(r.json()["next_cursor"], int)  # the type of `after`
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("wait", ["31", "-1", "1.5", "soon"])
async def test_a_wait_outside_0_to_30_seconds_is_refused(api, wait):
    r = await api.get("/v1/events", params={"wait": wait}, role="bi")
    assert r.status_code == 422, r.text
    assert any(e["field"].endswith("wait") for e in r.json()["errors"])


async def test_past_the_cap_a_waiting_read_is_refused_at_once(databases):
    """Two waiters allowed: the third is 503 with Retry-After, at once."""
    server = LiveServer(databases.settings("sqlite", read_waiters_max=2)).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            api = Api(server, client)
            after = await _end_of_feed(api) + 1_000_000
            params = {"after": after, "wait": 3}
            waiting = [asyncio.create_task(api.get("/v1/events", params=params, role="bi"))
                       for _ in range(2)]
            await asyncio.sleep(0.5)
            started = time.monotonic()
            third = await api.get("/v1/events", params=params, role="bi")
            assert third.status_code == 503, third.text
            assert third.headers["retry-after"] and time.monotonic() - started < 1
            assert [r.status_code for r in await asyncio.gather(*waiting)] == [200, 200]
    finally:
        server.stop()
