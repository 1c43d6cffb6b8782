"""``/metrics`` for operators (issue 13, item 8): what a Prometheus scrape
reads after requests of each kind, with route templates as labels."""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.main import create_app
from app.projections.runner import NAMES
from tests.e2e.helpers import create_order, headers, new_customer


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    return request.param


async def scrape(api) -> dict[tuple[str, frozenset], float]:
    r = await api.client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(r.text) for sample in family.samples}


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_and_status(api):
    order = await create_order(api)
    before = await scrape(api)
    path = f"/v1/orders/{order['id']}"
    for _ in range(3):
        assert (await api.get(path)).status_code == 200
    assert (await api.get(f"/v1/orders/{uuid.uuid4()}")).status_code == 404
    assert (await api.client.get(f"/nowhere/{uuid.uuid4()}")).status_code == 404
    after = await scrape(api)
    route = "/v1/orders/{order_id}"
    counted = {status: value(after, "gendan_http_requests_total", method="GET", route=route,
                             status=status)
               - value(before, "gendan_http_requests_total", method="GET", route=route,
                       status=status) for status in ("200", "404")}
    assert counted == {"200": 3, "404": 1}
    assert value(after, "gendan_http_request_duration_seconds_count", method="GET",
                 route=route) >= 4
    assert value(after, "gendan_http_requests_total", method="GET", route="<none>",
                 status="404") >= 1
    # Bounded labels: no id, no unknown path, ever.
    text = (await api.client.get("/metrics")).text
    assert order["id"] not in text and "/nowhere" not in text


async def test_commands_replays_and_signature_refusals(api):
    before = await scrape(api)
    body = {"name": f"Customer {uuid.uuid4().hex[:6]}", "country": "DE"}
    keyed = {**api.headers("supervisor"), "Idempotency-Key": uuid.uuid4().hex}
    first = await api.client.post("/v1/customers", json=body, headers=keyed)
    again = await api.client.post("/v1/customers", json=body, headers=keyed)
    assert again.headers["idempotency-replayed"] == "true" and again.json() == first.json()
    assert (await api.post("/v1/customers", {"name": "X", "country": "ZZZ"},
                           role="supervisor")).status_code == 422
    unsigned = await api.client.post(
        f"/v1/supplier/purchase-orders/{uuid.uuid4()}/acknowledgement", json={},
        headers=headers(api, "supplier"))
    assert unsigned.status_code == 401 and "accept-signature" in unsigned.headers
    after = await scrape(api)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("gendan_commands_total", operation="createCustomer", outcome="2xx") == 2
    assert grew("gendan_commands_total", operation="createCustomer", outcome="4xx") == 1
    assert grew("gendan_idempotency_replays_total", operation="createCustomer") == 1
    assert grew("gendan_signature_refusals_total",
                route="/v1/supplier/purchase-orders/{purchase_order_id}/acknowledgement") == 1
    # Reads are not commands.
    assert not any(name == "gendan_commands_total" and dict(labels).get("operation") == "getOrder"
                   for name, labels in after)


async def test_positions_and_projection_lag_are_read_when_scraped(api):
    await new_customer(api)
    samples = await scrape(api)
    store = value(samples, "gendan_event_store_position")
    assert store >= 1
    for name in NAMES:
        position = value(samples, "gendan_projection_position", projection=name)
        lag = value(samples, "gendan_projection_lag_events", projection=name)
        assert 0 <= position <= store and lag == store - position, name


async def test_metrics_can_be_turned_off(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}", var_dir=tmp_path,
                              jwt_secret="x" * 40, metrics_enabled=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        r = await client.get("/metrics")
    assert r.status_code == 404
    assert r.headers["request-id"]  # the rest of the HTTP layer is unchanged
