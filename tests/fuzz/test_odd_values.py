"""Odd values in every query and path parameter of every GET route, and in
every cursor, never answer a 5xx (other than a documented 503), and every
4xx is problem+json; on both stores, with a manager's and a supplier's token.

The routes and their parameters are walked from the served OpenAPI
document, so a route added later is fuzzed too. The values are the ones a
hostile test found answering 500 (issue 9: NUL, which PostgreSQL cannot
hold; ``[Infinity]`` and 5,000 nested lists as cursors; a rate of 1e27) and
their kin: other control characters, huge and non-finite numbers, very long
strings, non-ASCII digits, bytes that are not UTF-8. Real HTTP, a fixed
list: about 1,200 requests per store.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.api.auth import issue_token
from tests.conftest import Databases
from tests.live import LiveServer

PROBLEM = "application/problem+json"
CONCURRENCY = 8


def _forged(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def _q(text: str) -> str:
    return quote(text, safe="")


# Already percent-encoded, as they go on the wire. CORE goes to every
# parameter: the classes that answered 500 and bytes that are not UTF-8.
CORE: list[str] = [
    *map(_q, ["\x00", "a\x00b", "\x7f", "9" * 30, "1e27", "CNY:1e27", "NaN", "Infinity", "١٢",
              "[" * 1000 + "]" * 1000, "x" * 10_000]),
    "%FF", "%ED%A0%80",  # not UTF-8: a byte never valid, an encoded lone surrogate
]
# MORE is spread over the query parameters, each taking every third value
# (in turn), so every value reaches every route's kind of parameter while
# the count stays bounded: long values cost the most time.
MORE: list[str] = [
    *map(_q, [
        "\x01", "\x1f", "\t", "\n", "\ufeff", "", " ", "-0", "0x10", "true", "null",
        str(2**63), str(2**64), "1e400", "-Infinity", "１２", "²", "٢٠٢٦-٠١-٠١",
        '{"a":' * 300 + "1" + "}" * 300, "😀" * 300, "CNY:١٢", "USD:NaN", "%00",
        "../../etc/passwd",
    ]),
    "%C0%80", "%",  # an overlong NUL, a bare percent sign
]
# Every cursor parameter takes all of these: the longest (5,000 nested
# lists, 30 KB on the wire) too.
ODD_CURSORS: list[str] = [_q("[" * 5000 + "]" * 5000), "x" * 30_000, "x" * 5000, "%00"] + [
    _q(_forged(text)) for text in [
        "[Infinity]", "[-Infinity]", "[NaN]", "[1e400]", "[1.5]", f"[{2**64}]", "[-1]",
        "[" * 5000 + "]" * 5000, "[" * 1500 + "]" * 1500, '[{"a": [1]}]', "{}", "[]", "null",
        '["\\u0000"]', '["2026-01-01", "\\u0000"]', '["\\u0000", "x"]',
        '["\\ud800", "x"]', '["١٢"]', '["2026-01-01"]', '["٢٠٢٦-٠١-٠١", "x"]',
        '["x", "y", "z"]', "[true]", '["' + "x" * 3000 + '", "y"]',
    ]]


def _token(settings, role: str, supplier_id: str | None = None) -> dict[str, str]:
    token = issue_token(settings, f"odd-{role}", role, supplier_id=supplier_id)
    return {"Authorization": f"Bearer {token}"}


def _values(param: dict[str, Any], turn: int) -> list[str]:
    if param["in"] == "path":  # UUIDs all: the core values suffice
        return CORE
    more = MORE[turn % 3::3]
    return CORE + more + (ODD_CURSORS if param["name"] == "cursor" else [])


def _requests(spec: dict[str, Any], ids: dict[str, str]) -> Iterator[tuple[str, str, set[str]]]:
    """(operationId, URL, documented statuses) for the odd values of every
    parameter of every GET. The other parameters keep a good value: a real
    id from ``ids`` (else a random one) for a path parameter, a companion
    from COMPANIONS for a query parameter."""
    turn = 0
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        op = operation["operationId"]
        documented = set(operation["responses"])
        params = operation.get("parameters", [])
        base = {p["name"]: ids.get(p["name"], str(uuid.uuid4()))
                for p in params if p["in"] == "path"}
        for param in params:
            turn += 1
            name = param["name"]
            query = {k: v for k, v in COMPANIONS.get(op, {}).items() if k != name}
            for value in _values(param, turn):
                url = path.format(**{**base, **({name: value} if param["in"] == "path" else {})})
                pairs = [*query.items(), *([(name, value)] if param["in"] == "query" else [])]
                if pairs:
                    url += "?" + "&".join(f"{k}={v}" for k, v in pairs)
                yield op, url, documented


# A good value beside the odd one, so the odd one reaches deeper: a rate is
# only used to convert into a comparison currency (CNY:1e27 was a 500 so).
COMPANIONS = {"getRfq": {"currency": "USD"}}


def _cases(server: LiveServer, tokens: list[dict[str, str]],
           ids: dict[str, str]) -> list[tuple[Any, ...]]:
    """Each request with each token that gets past the door of its route
    (a 401 or 403 is answered before any parameter is read)."""
    spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    doors: dict[tuple[str, int], int] = {}
    cases = []
    for op, url, documented in _requests(spec, ids):
        for n, headers in enumerate(tokens):
            if (op, n) not in doors:
                doors[op, n] = httpx.get(server.url + _plain(spec, op), headers=headers,
                                         timeout=30).status_code
            if doors[op, n] not in (401, 403):
                cases.append((op, url, documented, headers))
    return cases


def _plain(spec: dict[str, Any], operation_id: str) -> str:
    for path, item in spec["paths"].items():
        if item.get("get", {}).get("operationId") == operation_id:
            return path.format_map(_AnyId())
    raise KeyError(operation_id)


class _AnyId(dict):
    def __missing__(self, key: str) -> str:
        return str(uuid.uuid4())


def _bad_answers(server: LiveServer, cases: list[tuple[Any, ...]]) -> list[str]:
    """A 5xx other than a documented 503, a 4xx not problem+json, or no answer."""

    async def run() -> list[str]:
        failures: list[str] = []
        gate = asyncio.Semaphore(CONCURRENCY)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            async def one(op: str, url: str, documented: set[str], h: dict[str, str]) -> None:
                async with gate:
                    try:
                        r = await client.get(url, headers=h)
                    except httpx.TransportError as exc:  # the server dropped the connection
                        failures.append(f"{op} {url[:120]!r}: no answer, {exc!r}")
                        return
                status = r.status_code
                what = f"{op} {url[:120]!r}: {status} {r.text[:200]}"
                if status >= 500 and not (status == 503 and "503" in documented):
                    failures.append(what)
                elif status >= 400 and r.headers.get("content-type") != PROBLEM:
                    failures.append(what)
            await asyncio.gather(*(one(*case) for case in cases))
        return failures

    return asyncio.run(run())


def _sourcing(server: LiveServer) -> dict[str, str]:
    """A supplier and an RFQ with its quote in CNY: real ids for the path."""
    key = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    purchaser = _token(server.settings, "purchaser")
    with httpx.Client(base_url=server.url, headers=purchaser, timeout=30) as client:
        supplier = client.post("/v1/suppliers", json={
            "name": "Odd Values Ltd", "country": "CN", "contact": "odd@example.cn",
            "keys": [{"keyid": "odd-1", "public_key": key.decode()}]})
        assert supplier.status_code == 201, supplier.text
        rfq = client.post("/v1/rfqs", json={"item": f"odd-{uuid.uuid4().hex[:8]}",
                                            "quantity": "10", "unit": "pcs",
                                            "required_by": "2027-02-01"})
        assert rfq.status_code == 201, rfq.text
        quote = client.post(f"/v1/rfqs/{rfq.json()['id']}/quotes", json={
            "supplier_id": supplier.json()["id"], "unit_price": "0.95", "currency": "CNY",
            "lead_time_days": 10})
        assert quote.status_code == 201, quote.text
    return {"supplier_id": supplier.json()["id"], "rfq_id": rfq.json()["id"]}


@pytest.fixture(scope="module")
def _databases(tmp_path_factory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("odd"))
    yield dbs
    dbs.close()


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_odd_values_never_answer_500(_databases, store):
    settings = _databases.settings(store, read_wait_seconds=0.5)
    server = LiveServer(settings, migrate=True).start()
    try:
        manager = _token(settings, "manager")
        ids = _sourcing(server)
        supplier = _token(settings, "supplier", ids["supplier_id"])
        cases = _cases(server, [manager, supplier], ids)
        assert len(cases) > 1000  # the walk found the routes and their parameters
        assert any(h is supplier for *_, h in cases)  # the supplier's portal reads
        failures = _bad_answers(server, cases)
    finally:
        server.stop()
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:30])
