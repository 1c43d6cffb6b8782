"""Issue 13, item 6 for the event feed: ``GET /v1/events`` as CSV (by
``?format=csv`` or ``Accept: text/csv``) streams every event after
``after``, page after page, up to ``csv_max_rows``; one row per event, its
payload as compact JSON in one cell; a CSV download never long-polls
(``wait`` with CSV is a 422)."""

from __future__ import annotations

import json

from app.api import csv_lists
from tests.e2e.helpers import PROBLEM, create_order, new_customer
from tests.e2e.test_lists_csv import parsed

COLUMNS = ["position", "type", "aggregate_type", "aggregate_id", "order_id", "version",
           "occurred_at", "actor_sub", "actor_role", "class_version", "data"]


async def _json_feed(api, after: int) -> list[dict]:
    events, cursor = [], after
    while True:
        page = (await api.get("/v1/events", role="bi",
                              params={"after": cursor, "limit": 500})).json()
        events += page["data"]
        if not page["has_more"]:
            return events
        cursor = page["next_cursor"]


async def test_the_feed_as_csv_streams_every_event_after_after(api, monkeypatch):
    monkeypatch.setattr(csv_lists, "CSV_PAGE", 2)  # several pages read while sending
    customer = await new_customer(api)
    first = await create_order(api, customer)
    second = await create_order(api, await new_customer(api))
    await create_order(api, customer)
    after = first["position"]
    r = await api.get("/v1/events", role="bi", params={"after": after, "format": "csv"})
    assert r.headers["content-disposition"] == 'attachment; filename="events.csv"'
    rows = parsed(r)
    assert list(rows[0]) == COLUMNS
    events = await _json_feed(api, after)
    assert len(rows) == len(events) >= 3
    assert [int(row["position"]) for row in rows] == [e["position"] for e in events]
    assert all(int(row["position"]) > after for row in rows)
    for row, event in zip(rows, events, strict=True):
        assert json.loads(row["data"]) == event["data"]
        assert "\n" not in row["data"] and ", " not in row["data"][:2]
        assert (row["type"], row["aggregate_type"], row["aggregate_id"], row["version"],
                row["actor_sub"], row["actor_role"], row["class_version"]) == (
            event["type"], event["aggregate_type"], event["aggregate_id"],
            str(event["version"]), event["actor"]["sub"], event["actor"]["role"],
            str(event["class_version"]))
        assert row["order_id"] == (event["order_id"] or "")
    created = [row for row in rows if row["type"] == "OrderCreated"]
    assert created[0]["aggregate_id"] == second["id"] == created[0]["order_id"]
    assert json.loads(created[0]["data"])["total"] == "8500.00"
    # By Accept, the same rows; JSON stays the default.
    r = await api.client.get("/v1/events", params={"after": after},
                             headers={**api.headers("bi"), "Accept": "text/csv"})
    assert parsed(r)[:len(rows)] == rows
    r = await api.get("/v1/events", role="bi", params={"after": after})
    assert r.headers["content-type"] == "application/json"


async def test_the_feed_as_csv_stops_at_the_row_limit(api, monkeypatch):
    monkeypatch.setattr(csv_lists, "CSV_PAGE", 2)
    monkeypatch.setattr(api.settings, "csv_max_rows", 3)
    order = await create_order(api, await new_customer(api))
    after = order["position"] - 1
    await create_order(api, await new_customer(api))
    r = await api.get("/v1/events", role="bi", params={"after": after, "format": "csv"})
    assert r.headers["csv-max-rows"] == "3"
    rows = parsed(r)
    assert [int(row["position"]) for row in rows] == [
        e["position"] for e in (await _json_feed(api, after))[:3]]


async def test_a_csv_download_does_not_wait(api):
    r = await api.get("/v1/events", role="bi", params={"format": "csv", "wait": 5})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert "wait" in r.text
    r = await api.get("/v1/events", role="bi", params={"format": "csv", "wait": 0,
                                                       "after": 2**62})
    assert parsed(r) == []
