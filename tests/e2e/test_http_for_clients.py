"""HTTP as a mobile or browser client meets it (issue 13, item 4, in part):
a Request-Id on every answer, Allow on every 405 of the real app, HEAD
wherever GET is, ETag and If-None-Match -> 304 on single resources, gzip
above 1 KiB."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.e2e.helpers import PROBLEM, command, create_order, new_customer
from tests.e2e.sourcing import sent_po

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    """HTTP behaviour, the same on both stores: the SQLite server only."""
    return request.param


async def test_request_id_is_kept_when_sane_and_made_otherwise(api):
    kept = await api.client.get("/healthz", headers={"Request-Id": "app-7f3a:42_x.y"})
    assert kept.headers["request-id"] == "app-7f3a:42_x.y"
    for odd in ("two words", "x" * 129, "ид-1", '"quoted"', ""):
        r = await api.client.get("/healthz", headers={"Request-Id": odd.encode()})
        assert UUID4.fullmatch(r.headers["request-id"]), odd
    ids = {(await api.client.get("/healthz")).headers["request-id"] for _ in range(3)}
    assert len(ids) == 3 and all(UUID4.fullmatch(i) for i in ids)


async def test_every_kind_of_answer_carries_a_request_id(api):
    order = await create_order(api)
    answers = {
        "201": await api.post("/v1/customers", {"name": "Kiwi Ltd", "country": "NZ"},
                              role="supervisor"),
        "200": await api.get(f"/v1/orders/{order['id']}"),
        "401": await api.client.get("/v1/board"),
        "404": await api.get(f"/v1/orders/{uuid.uuid4()}"),
        "405": await api.client.delete("/healthz"),
        "422": await api.post("/v1/customers", {"name": "X", "country": "ZZZ"},
                              role="supervisor"),
        "431": await api.client.get("/healthz", headers={"X-Big": "x" * 20_000}),
        "unknown path": await api.client.get("/nowhere"),
    }
    for name, r in answers.items():
        assert UUID4.fullmatch(r.headers.get("request-id", "")), (name, r.headers)
    assert answers["431"].status_code == 431


async def test_every_405_of_the_real_app_names_what_the_path_allows(api):
    """Every path of the contract, with each method it does not have."""
    spec = (await api.client.get("/openapi.json")).json()
    checked = 0
    for template, operations in spec["paths"].items():
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
        allowed = {m.upper() for m in operations if m.upper() in METHODS}
        expected = allowed | ({"HEAD"} if "GET" in allowed else set())
        for method in sorted(set(METHODS) - allowed):
            r = await api.client.request(method, path, headers=api.headers("manager"))
            assert r.status_code == 405, (method, path, r.status_code)
            assert set(r.headers["allow"].split(", ")) == expected, (method, path)
            assert r.headers["content-type"].startswith(PROBLEM)
            checked += 1
    assert checked > 100
    # And the pages outside the contract.
    for path, allow in (("/docs", "GET, HEAD"), ("/healthz", "GET, HEAD"),
                        ("/docs-assets/swagger-ui.css", "GET, HEAD"), ("/metrics", "GET, HEAD"),
                        ("/v1/orders", "GET, HEAD, POST"), ("/v1/suppliers", "GET, HEAD, POST")):
        r = await api.client.request("PATCH", path)
        assert r.status_code == 405 and r.headers["allow"] == allow, (path, r.headers)


async def test_head_answers_the_headers_of_get_without_a_body(api):
    order = await create_order(api)
    plain = {**api.headers("manager"), "Accept-Encoding": "identity"}
    for path in (f"/v1/orders/{order['id']}", "/v1/board", "/healthz", "/openapi.json",
                 "/docs"):
        got = await api.client.get(path, headers=plain)
        head = await api.client.head(path, headers=plain)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-length"] == got.headers["content-length"], path
        assert head.headers.get("etag") == got.headers.get("etag"), path
    missing = await api.client.head(f"/v1/orders/{uuid.uuid4()}", headers=plain)
    assert missing.status_code == 404 and missing.content == b""


async def _single_resources(api) -> dict[str, str]:
    order = await create_order(api)
    supplier, po = await sent_po(api)
    return {"order": f"/v1/orders/{order['id']}",
            "customer": f"/v1/customers/{await new_customer(api)}",
            "supplier": f"/v1/suppliers/{supplier.id}",
            "purchase order": f"/v1/purchase-orders/{po['id']}"}


async def test_if_none_match_answers_304_without_a_body(api):
    for name, path in (await _single_resources(api)).items():
        first = await api.get(path)
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9]+"', etag), (name, etag)
        for held in (etag, f"W/{etag}", f'"999999", {etag}', "*"):
            r = await api.client.get(path, headers={**api.headers("manager"),
                                                    "If-None-Match": held})
            assert r.status_code == 304, (name, held, r.status_code)
            assert r.content == b"" and r.headers["etag"] == etag, name
            assert "content-type" not in r.headers
            assert r.headers["cache-control"] == "no-store" and r.headers["request-id"]
        other = await api.client.get(path, headers={**api.headers("manager"),
                                                    "If-None-Match": '"999999"'})
        assert other.status_code == 200 and other.json() == first.json(), name


async def test_a_changed_resource_is_sent_again(api):
    order = await create_order(api)
    path = f"/v1/orders/{order['id']}"
    etag = (await api.get(path)).headers["etag"]
    await command(api, order["id"], "/samples", {"stage": "approval"}, status=201,
                  role="merchandiser")
    r = await api.client.get(path, headers={**api.headers("manager"), "If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    # An error is never a 304, whatever the client holds.
    gone = await api.client.get(f"/v1/orders/{uuid.uuid4()}",
                                headers={**api.headers("manager"), "If-None-Match": "*"})
    assert gone.status_code == 404 and gone.headers["content-type"].startswith(PROBLEM)


async def test_gzip_above_a_kibibyte_for_clients_that_accept_it(api):
    order = await create_order(api)
    path = f"/v1/orders/{order['id']}"
    identity = await api.client.get(path, headers={**api.headers("manager"),
                                                   "Accept-Encoding": "identity"})
    assert len(identity.content) > 1024 and "content-encoding" not in identity.headers
    zipped = await api.client.get(path, headers={**api.headers("manager"),
                                                 "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(identity.content)
    assert zipped.json() == identity.json()  # httpx inflates it
    small = await api.client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # below 1 KiB: not worth it
    # The Swagger UI bundle, 1.4 MB of JavaScript, travels in a quarter of it.
    with httpx.Client(base_url=api.server.url) as client:
        with client.stream("GET", "/docs-assets/swagger-ui-bundle.js",
                           headers={"Accept-Encoding": "gzip"}) as r:
            wire = sum(len(chunk) for chunk in r.iter_raw())
            assert r.headers["content-encoding"] == "gzip" and wire < 500_000
