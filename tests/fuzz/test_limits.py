"""The input bounds the fuzzer leans on, pinned down over real HTTP: the body
size limit (413 before anything is parsed, with or without Content-Length,
nothing written), ``limit`` on every list (422 beyond 1..500), and the
inputs schemathesis found mishandled (bodies that are not UTF-8, Unix
timestamps as dates, positions past 64 bits)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.api.auth import issue_token
from app.config import Settings
from tests.conftest import Databases
from tests.live import LiveServer

LIMIT = 4096
PROBLEM = "application/problem+json"
SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text("utf-8"))
LISTS = ["/v1/board", "/v1/finance/orders", "/v1/audit", "/v1/events"]


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[httpx.Client]:
    dbs = Databases(tmp_path_factory.mktemp("limits"))
    server = LiveServer(dbs.settings("sqlite", max_body_bytes=LIMIT)).start()
    token = issue_token(server.settings, "limits-manager", "manager")
    with httpx.Client(base_url=server.url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as c:
        yield c
    server.stop()
    dbs.close()


def _problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    return body


def _order(client: httpx.Client) -> dict:
    r = client.post("/v1/customers", json={"name": "Limits GmbH", "country": "DE"})
    assert r.status_code == 201, r.text
    r = client.post("/v1/orders", json={
        "reference": f"PO-LIM-{r.json()['id'][:8]}", "customer_id": r.json()["id"],
        "currency": "USD", "incoterm": "FOB", "delivery_date": "2027-03-01",
        "samples_required": False, "payment_terms": {"method": "TT", "deposit_percent": "30"},
        "lines": [{"sku": "S", "quantity": "10", "unit": "m", "unit_price": "1.00"}],
    })
    assert r.status_code == 201, r.text
    return r.json()


def _head(client: httpx.Client) -> int:
    events = client.get("/v1/events", params={"after": 0, "limit": 500}).json()["data"]
    return events[-1]["position"] if events else 0


def test_default_limit_is_one_mebibyte():
    assert Settings(database_url="memory:").max_body_bytes == 1_048_576


def test_oversized_body_with_content_length_is_413_and_writes_nothing(client):
    order = _order(client)
    head = _head(client)
    body = json.dumps({"reason": "x" * LIMIT}).encode()
    r = client.post(f"/v1/orders/{order['id']}/cancellation", content=body,
                    headers={"Content-Type": "application/json"})
    problem = _problem(r, 413)
    assert problem["type"] == "/problems/too-large"
    assert problem["instance"] == f"/v1/orders/{order['id']}/cancellation"
    assert r.headers["connection"] == "close"
    assert client.get(f"/v1/orders/{order['id']}").json()["state"] == order["state"]
    assert _head(client) == head


def test_oversized_chunked_body_is_413_and_writes_nothing(client):
    order = _order(client)
    head = _head(client)

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        yield b'{"reason": "'
        for _ in range(LIMIT // 512 + 1):
            yield b"x" * 512
        yield b'"}'

    r = client.post(f"/v1/orders/{order['id']}/cancellation", content=chunks(),
                    headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert _problem(r, 413)["type"] == "/problems/too-large"
    assert client.get(f"/v1/orders/{order['id']}").json()["state"] == order["state"]
    assert _head(client) == head


def test_body_at_the_limit_is_read(client):
    body = json.dumps({"name": "At the limit", "country": "DE"}).encode()
    body = body[:-1] + b" " * (LIMIT - len(body)) + b"}"
    assert len(body) == LIMIT
    r = client.post("/v1/customers", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def test_every_post_and_put_documents_413():
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put"):
                assert "413" in operation["responses"], f"{method.upper()} {path}"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1e3"])
def test_limit_beyond_bounds_is_422(client, path, limit):
    problem = _problem(client.get(path, params={"limit": limit}), 422)
    assert problem["type"] == "/problems/validation-error"
    assert [e["field"] for e in problem["errors"]] == ["query.limit"]


@pytest.mark.parametrize("path", LISTS)
def test_limit_bounds_documented_and_accepted(client, path):
    (limit,) = [p for p in SPEC["paths"][path]["get"]["parameters"] if p["name"] == "limit"]
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 500)
    assert client.get(path, params={"limit": 500}).status_code == 200


def test_body_that_is_not_utf8_is_422_like_any_bad_json(client):
    order = _order(client)
    r = client.post(f"/v1/orders/{order['id']}/cancellation", content=b'{"reason": "\xff\xfe"}',
                    headers={"Content-Type": "application/json"})
    problem = _problem(r, 422)
    assert problem["type"] == "/problems/validation-error"
    assert problem["errors"][0]["field"] == "body"
    assert problem["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-01-01", "2026-01-01T00:00:00"])
def test_audit_times_must_be_iso_with_offset(client, value):
    for name in ("since", "until"):
        problem = _problem(client.get("/v1/audit", params={name: value}), 422)
        assert [e["field"] for e in problem["errors"]] == [f"query.{name}"]
    r = client.get("/v1/audit", params={"since": "2026-01-01T00:00:00Z",
                                        "until": "2026-01-01T08:00:00.5+08:00"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path,name", [("/v1/events", "after"), ("/v1/board", "min_position"),
                                       ("/v1/finance/summary", "min_position")])
def test_positions_past_64_bits_are_422(client, path, name):
    problem = _problem(client.get(path, params={name: 2**63}), 422)
    assert [e["field"] for e in problem["errors"]] == [f"query.{name}"]
    assert client.get("/v1/events", params={"after": 2**63 - 1}).json()["data"] == []


@pytest.mark.parametrize("path", ["/v1/audit", "/v1/finance/orders"])
def test_a_forged_cursor_past_64_bits_is_422(client, path):
    cursor = base64.urlsafe_b64encode(json.dumps([2**64]).encode()).decode().rstrip("=")
    problem = _problem(client.get(path, params={"cursor": cursor}), 422)
    assert problem["errors"][0]["field"] == "cursor"
