"""The read side over HTTP shows every step, survives a restart of the
service and equals a full rebuild (`gendan projections rebuild`)."""

from __future__ import annotations

from typing import Any

import httpx

from app.projections.runner import rebuild_all
from tests.e2e.helpers import command, lifecycle, new_customer
from tests.live import Api, LiveServer


async def snapshot(api: Api, min_position: int) -> dict[str, Any]:
    """Everything a BI tool could read, once the projections reached ``min_position``."""

    async def read(path: str, **params: Any) -> Any:
        response = await api.get(path, params={"min_position": min_position, **params})
        assert response.status_code == 200, response.text
        return response.json()

    async def every_page(path: str, **params: Any) -> list[dict]:
        rows, cursor = [], None
        while True:
            page = await read(path, limit=3, **({"cursor": cursor} if cursor else {}), **params)
            rows += page["data"]
            cursor = page["next_cursor"]
            if not cursor:
                return rows

    feed = (await api.get("/v1/events", params={"after": 0, "limit": 500})).json()["data"]
    return {
        "board": {state: await every_page("/v1/board", state=state)
                  for state in ("sampling", "in_production", "shipped", "closed", "cancelled")},
        "board_open": await every_page("/v1/board"),
        "finance": await every_page("/v1/finance/orders"),
        "summary": await read("/v1/finance/summary"),
        "audit": await every_page("/v1/audit"),
        "feed": feed,
    }


async def drive(api: Api) -> int:
    """A mix of orders in different states; the position of the last event."""
    customer = await new_customer(api, "FR")
    await lifecycle(api, "closed", customer_id=customer)
    await lifecycle(api, "in_production", customer_id=customer)
    waiting = await lifecycle(api, "ready_to_ship", customer_id=customer)
    await command(api, waiting["id"], "/shipment-without-balance", {"reason": "old customer"})
    await command(api, waiting["id"], "/shipments", {
        "shipped_on": "2027-02-20", "carrier": "Maersk", "transport_document": "MAEU1"},
        role="purchaser")
    sampling = await lifecycle(api, "sample_approved", customer_id=customer)
    last = await command(api, sampling["id"], "/cancellation", {"reason": "customer withdrew"},
                         role="supervisor")
    await lifecycle(api, "sample_approved", customer_id=customer)
    return last["position"] + 1 + 2  # the last lifecycle appended two more events


async def test_read_models_survive_restart_and_equal_a_rebuild(databases, store):
    settings = databases.settings(store)
    server = LiveServer(settings).start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            api = Api(server, client)
            await drive(api)
            position = (await api.get("/v1/events", params={"after": 0, "limit": 500})
                        ).json()["data"][-1]["position"]
            before = await snapshot(api, position)
    finally:
        server.stop()

    # Every step is on the record: the audit trail and the feed hold every event, in order.
    assert [e["position"] for e in before["feed"]] == list(range(1, position + 1))
    assert [a["position"] for a in before["audit"]] == list(range(1, position + 1))
    assert {row["state"] for row in before["finance"]} == {
        "closed", "in_production", "shipped", "cancelled", "sampling"}
    shipped = before["board"]["shipped"]
    assert shipped and shipped[0]["alerts"][0]["code"] == "shipment_without_balance"

    for restart in ("after a restart", "after a rebuild"):
        if restart == "after a rebuild":
            assert rebuild_all(settings) == position
        server = LiveServer(settings).start()
        try:
            async with httpx.AsyncClient(base_url=server.url) as client:
                after = await snapshot(Api(server, client), position)
        finally:
            server.stop()
        assert after == before, restart
