"""CORS (issue 13, item 2): a browser app on a listed origin may call the
API and read its headers; any other origin, and every origin by default,
gets no CORS header at all."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Databases
from tests.e2e.helpers import order_body
from tests.live import LiveServer

APP = "https://app.example"
OTHER = "https://evil.example"
REQUEST_HEADERS = ("authorization", "content-type", "idempotency-key", "if-match",
                   "if-none-match", "signature", "signature-input", "content-digest",
                   "request-id")
EXPOSED = {"etag", "location", "idempotency-replayed", "retry-after", "request-id"}


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory) -> Iterator[LiveServer]:
    dbs = Databases(tmp_path_factory.mktemp("cors"))
    server = LiveServer(dbs.settings("sqlite", cors_origins=[APP, "http://localhost:5173"]))
    yield server.start()
    server.stop()
    dbs.close()


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    return request.param


def _cors_headers(r: httpx.Response) -> set[str]:
    return {name for name in r.headers if name.startswith("access-control-")}


def preflight(base: str, origin: str, method: str = "POST",
              headers: tuple[str, ...] = REQUEST_HEADERS) -> httpx.Response:
    return httpx.options(f"{base}/v1/orders", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ", ".join(headers)})


def test_a_listed_origin_is_answered_its_preflight(cors_server):
    for method in ("GET", "HEAD", "POST", "PUT", "DELETE"):
        r = preflight(cors_server.url, APP, method)
        assert r.status_code == 200, (method, r.text)
        assert r.headers["access-control-allow-origin"] == APP
        assert method in r.headers["access-control-allow-methods"].split(", ")
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert set(REQUEST_HEADERS) <= allowed
        assert int(r.headers["access-control-max-age"]) > 0
        assert "access-control-allow-credentials" not in r.headers  # tokens, not cookies
    # A header the API does not read is not allowed.
    assert preflight(cors_server.url, APP, headers=("x-debug",)).status_code == 400


def test_a_listed_origin_reads_the_answers_headers(cors_server):
    from app.api.auth import issue_token

    token = issue_token(cors_server.settings, "m-1", "merchandiser")
    supervisor = issue_token(cors_server.settings, "s-1", "supervisor")
    customer = httpx.post(f"{cors_server.url}/v1/customers",
                          json={"name": "Kiwi Ltd", "country": "NZ"},
                          headers={"Authorization": f"Bearer {supervisor}"}).json()
    r = httpx.post(f"{cors_server.url}/v1/orders", json=order_body(customer["id"]), headers={
        "Origin": APP, "Authorization": f"Bearer {token}", "Idempotency-Key": "k-cors-1"})
    assert r.status_code == 201, r.text
    assert r.headers["access-control-allow-origin"] == APP
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert exposed == EXPOSED
    assert "Origin" in r.headers["vary"]
    # Errors too: a browser app reads the problem+json of a refusal.
    refused = httpx.get(f"{cors_server.url}/v1/board", headers={"Origin": APP})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == APP


def test_an_origin_not_listed_gets_no_cors_header(cors_server):
    r = preflight(cors_server.url, OTHER)
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"  # as without CORS
    assert _cors_headers(r) == set()
    for origin in (OTHER, "null", f"{APP}.evil.example", "http://app.example"):
        r = httpx.get(f"{cors_server.url}/healthz", headers={"Origin": origin})
        assert r.status_code == 200 and _cors_headers(r) == set(), origin


async def test_by_default_no_origin_gets_cors(api):
    """The shared server runs on the default settings: no CORS."""
    assert api.settings.cors_origins == []
    r = preflight(api.server.url, APP)
    assert r.status_code == 405 and _cors_headers(r) == set()
    r = await api.client.get("/healthz", headers={"Origin": APP})
    assert r.status_code == 200 and _cors_headers(r) == set()


def test_origins_are_read_from_the_environment(monkeypatch):
    from app.config import Settings

    monkeypatch.setenv("GENDAN_CORS_ORIGINS", "https://App.example, http://localhost:5173")
    assert Settings().cors_origins == [APP, "http://localhost:5173"]
    monkeypatch.setenv("GENDAN_CORS_ORIGINS", '["http://[::1]:8080"]')
    assert Settings().cors_origins == ["http://[::1]:8080"]
    for wrong in ("https://app.example/", "app.example", "https://app.example/path"):
        monkeypatch.setenv("GENDAN_CORS_ORIGINS", wrong)
        with pytest.raises(ValueError, match="is not an origin"):
            Settings()
