"""One meaning per JSON body: the duplicate-key detector, the middleware that
applies it to every route, and its place behind the body size limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.api.json_bodies import INLINE_BYTES, JsonBodyGuard, duplicate_keys, is_json_content_type
from app.config import Settings
from app.main import create_app

PROBLEM = "application/problem+json"


def found(text: str | bytes) -> list[tuple[str, str]]:
    return [(".".join(str(p) for p in ("body", *d.loc)), d.message) for d in duplicate_keys(text)]


# --- the detector ----------------------------------------------------------------


def test_a_key_twice_at_the_top_is_named() -> None:
    body = ('{"revision": 3, "lines": [{"line_no": 1, "decision": "reject"}], '
            '"lines": [{"line_no": 1, "decision": "accept"}]}')
    assert found(body) == [("body.lines", "duplicate key 'lines'")]
    assert json.loads(body)["lines"][0]["decision"] == "accept"  # what Python alone would read


def test_nested_objects_and_arrays_of_objects() -> None:
    body = '{"a": {"b": {"c": 1, "c": 2}}, "lines": [{"x": 1}, {"x": 1, "y": 2, "x": 3}], "x": [[{"z": 0, "z": 0}]]}'
    assert found(body) == [
        ("body.a.b.c", "duplicate key 'c'"),
        ("body.lines.1.x", "duplicate key 'x'"),
        ("body.x.0.0.z", "duplicate key 'z'"),
    ]


def test_outer_duplicates_come_first_and_a_key_thrice_counts_twice() -> None:
    assert found('{"a": {"k": 1, "k": 2}, "a": 1, "a": 2}') == [
        ("body.a", "duplicate key 'a'"), ("body.a", "duplicate key 'a'"), ("body.a.k", "duplicate key 'k'")]
    assert found('{"a": {"b": {"x": 1, "x": 2}}, "c": {"y": 1, "y": 2}}') == [
        ("body.c.y", "duplicate key 'y'"), ("body.a.b.x", "duplicate key 'x'")]


def test_at_most_twenty_are_named() -> None:
    body = "[" + ",".join(f'{{"k{n}": 1, "k{n}": 2}}' for n in range(100)) + "]"
    assert found(body) == [(f"body.{n}.k{n}", f"duplicate key 'k{n}'") for n in range(20)]
    assert len(duplicate_keys(body, limit=100)) == 100


def test_keys_equal_after_unescaping_are_duplicates() -> None:
    # Every parser compares keys after unescaping: "a" and "\u0061" are one key.
    assert found('{"a": 1, "\\u0061": 2}') == [("body.a", "duplicate key 'a'")]
    assert found('{"\\ud83d\\ude00": 1, "\U0001f600": 2}') == [("body.\U0001f600", "duplicate key '\U0001f600'")]
    assert found(b'{"\xc3\xa9": 1, "\\u00e9": 2}') == [("body.\xe9", "duplicate key '\xe9'")]


def test_different_strings_are_different_keys() -> None:
    assert found('{"k": 1, "K": 2, "k ": 3}') == []
    assert found('{"\\u00e9": 1, "e\\u0301": 2}') == []  # NFC and NFD: two strings to JSON
    assert found('{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}') == []  # same key, other objects
    assert found('[1, "x", null, [], {}]') == []


def test_a_body_that_is_not_json_is_not_judged_here() -> None:
    for text in ("", "{", '{"a": 1,}', "NaN-ish", b"\xff\xfe"):
        with pytest.raises(ValueError):
            duplicate_keys(text)


def test_deep_nesting_does_not_exhaust_the_walker() -> None:
    depth = 900  # below the json module's own limit; the walk is iterative
    body = '{"k": ' * depth + '{"x": 1, "x": 2}' + "}" * depth
    [(field, _)] = found(body)
    assert field == "body." + "k." * depth + "x"


@pytest.mark.parametrize(("value", "expected"), [
    (None, True), ("", True), ("application/json", True), ("application/json; charset=utf-8", True),
    ("Application/JSON", True), ("application/merge-patch+json", True), ("application/problem+json", True),
    ("text/plain", False), ("text/json", False), ("application/x-www-form-urlencoded", False),
    ("multipart/form-data; boundary=x", False), ("application/jsonx", False),
])  # fmt: skip
def test_json_content_types_as_fastapi_reads_them(value: str | None, expected: bool) -> None:
    assert is_json_content_type(value) is expected


# --- the middleware --------------------------------------------------------------


class Echo:
    """An app that answers the body it received and what it received after it."""

    def __init__(self) -> None:
        self.after: list[dict[str, Any]] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def guarded() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=JsonBodyGuard(Echo()))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_duplicate_keys_are_answered_422_problem_json(guarded: httpx.AsyncClient) -> None:
    r = await guarded.post("/v1/x", content=b'{"name": "a", "name": "b"}',
                           headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json() == {
        "type": "/problems/validation-error", "title": "Validation error", "status": 422,
        "detail": "1 invalid field", "instance": "/v1/x",
        "errors": [{"field": "body.name", "message": "duplicate key 'name'", "type": "duplicate_key"}],
    }


async def test_the_body_reaches_the_app_unchanged(guarded: httpx.AsyncClient) -> None:
    body = '{"name": "Müller", "lines": [{"a": 1}, {"a": 1}]}'.encode()
    r = await guarded.post("/v1/x", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.content) == (200, body)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: several ASGI messages
        for n in range(0, len(body), 7):
            yield body[n:n + 7]

    r = await guarded.post("/v1/x", content=chunks(), headers={"Content-Type": "application/json"})
    assert (r.status_code, r.content) == (200, body)

    async def duplicated() -> AsyncIterator[bytes]:
        yield b'{"a": 1,'
        yield b' "a": 2}'

    r = await guarded.post("/v1/x", content=duplicated())
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.a"


async def test_a_large_body_is_checked_too(guarded: httpx.AsyncClient) -> None:
    # Past INLINE_BYTES the check runs in the threadpool: same answers.
    lines = ",".join(f'{{"line_no": {n}, "decision": "accept"}}' for n in range(2000))
    body = f'{{"lines": [{lines}]}}'.encode()
    assert len(body) > INLINE_BYTES
    r = await guarded.post("/v1/x", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.content) == (200, body)
    twice = body.replace(b'"decision": "accept"}]', b'"decision": "accept", "decision": "reject"}]')
    r = await guarded.post("/v1/x", content=twice, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.lines.1999.decision"


@pytest.mark.parametrize("content_type", [None, "application/json; charset=utf-8", "application/merge-patch+json"])
async def test_every_body_fastapi_parses_as_json_is_checked(guarded: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = await guarded.put("/v1/x", content=b'[{"k": 1, "k": 2}]', headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.0.k"


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/plain", b'{"k": 1, "k": 2}'),  # not parsed as JSON by FastAPI: the route answers
    ("application/json", b'{"k": 1, "k": 2'),  # not JSON: FastAPI answers it as before
    ("application/json", b""),
])  # fmt: skip
async def test_other_bodies_pass_untouched(guarded: httpx.AsyncClient, content_type: str, body: bytes) -> None:
    r = await guarded.post("/v1/x", content=body, headers={"Content-Type": content_type})
    assert (r.status_code, r.content) == (200, body)


# --- in the real app: behind the size limit, before authentication ---------------


@pytest.fixture
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: what answers here answers before any route or store is reached.
    app = create_app(Settings(database_url="memory:", jwt_secret="test-secret-" + "x" * 40,
                              max_body_bytes=200))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


async def test_the_app_refuses_duplicates_before_authentication(app_client: httpx.AsyncClient) -> None:
    r = await app_client.post("/v1/customers", content=b'{"name": "A", "name": "B", "country": "DE"}',
                              headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.name"
    # The signed routes too: a body with two meanings is refused whatever signs it.
    ack = b'{"revision": 1, "content_hash": "ab", "lines": [], "lines": [{"line_no": 1}]}'
    r = await app_client.post("/v1/supplier/purchase-orders/00000000-0000-4000-8000-000000000000/acknowledgement",
                              content=ack, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.lines"


async def test_the_size_limit_runs_first(app_client: httpx.AsyncClient) -> None:
    big = b'{"name": "' + b"x" * 300 + b'", "name": "y"}'
    r = await app_client.post("/v1/customers", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it is read
        for n in range(0, len(big), 50):
            yield big[n:n + 50]

    r = await app_client.post("/v1/customers", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["type"] == "/problems/too-large"
