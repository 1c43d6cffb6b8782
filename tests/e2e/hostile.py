"""Helpers of the hostile-input e2e tests: what the event feed gained."""

from __future__ import annotations

from typing import Any


async def events_after(api: Any, position: int) -> list[dict[str, Any]]:
    """Every event after ``position`` (other tests' events may interleave)."""
    events: list[dict[str, Any]] = []
    while True:
        r = await api.get(f"/v1/events?after={position}&limit=500", role="manager")
        assert r.status_code == 200, r.text
        page = r.json()["data"]
        if not page:
            return events
        events += page
        position = page[-1]["position"]


async def last_position(api: Any) -> int:
    events = await events_after(api, 0)
    return events[-1]["position"] if events else 0
