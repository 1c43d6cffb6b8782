"""One meaning per JSON body: duplicate object keys are refused (422).

Python's ``json`` keeps the last of two equal keys, other parsers keep the
first, so ``{"lines": [reject], "lines": [accept]}`` reads as a rejection to
one reader and an acceptance to another. A supplier's signed body is
evidence: it must mean one thing to every reader, and so must every other
command. Keys are compared after JSON unescaping, as every parser compares
them (``"a"`` and ``"\\u0061"`` are the same key); keys that differ only by
Unicode normalization are different strings to JSON and are left alone.

``JsonBodyGuard`` checks every request whose body FastAPI would parse as
JSON (``application/json``, ``application/*+json``, or no Content-Type at
all, which FastAPI also parses as JSON), for every route, before any route
or dependency runs: it reads the body, already bounded by ``BodySizeLimit``
(which must be the outer middleware, so an oversized body is a 413 and is
never read whole here), and hands it on unchanged. A body that is not JSON
at all is left to the route, which answers it as before.

Order on the signed portal routes: the guard answers 422 *before* the
bearer token and the signature are checked. A body with two meanings is
refused whatever signs it, so checking the signature first could only add
a refusal to record; and nothing about the token or key is revealed by a
422 (FastAPI already answers malformed JSON before authentication).
``SignedCall.parse`` checks again with ``duplicate_keys``, because it
parses the raw body as JSON whatever the signed Content-Type says.

Cost (2026-11-29, a loaded 2-core machine, 1 MiB bodies): an acknowledgement
of 25,000 lines 1.4 times what ``json.loads`` alone takes (which FastAPI
pays anyway); hostile shapes 1-5 times (350,000 empty objects, nested
lists), 10 times for 80,000 objects that each hold a key twice. Bodies over
``INLINE_BYTES`` are therefore checked in the threadpool, off the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message as MimeMessage
from typing import Any

from fastapi.concurrency import run_in_threadpool

from app.api.errors import problem
from app.api.limits import ASGIApp, Message, Receive, Scope, Send

MAX_REPORTED = 20  # duplicates named in one answer
INLINE_BYTES = 16 * 1024  # larger bodies are checked in the threadpool


@dataclass(frozen=True)
class DuplicateKey:
    """``path`` leads to the object holding ``key`` twice (keys and list indexes)."""

    path: tuple[str | int, ...]
    key: str

    @property
    def loc(self) -> tuple[str | int, ...]:
        return (*self.path, self.key)

    @property
    def message(self) -> str:
        return f"duplicate key {self.key!r}"


class _Twice(list):  # type: ignore[type-arg]
    """An object that holds a key twice, as its (key, value) pairs, all kept."""


def duplicate_keys(body: bytes | str, limit: int = MAX_REPORTED) -> list[DuplicateKey]:
    """Up to ``limit`` keys that occur twice in one object, outer objects
    first (then in document order); ValueError (or RecursionError) when
    ``body`` is not JSON.

    Built for hostile bodies: the parser's hook only compares two lengths
    per object, and the tree is walked only when some object held a key
    twice, iteratively, non-empty containers only, a path kept as its
    parent's index (so a deep body costs no more than a wide one)."""
    twice = 0

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Twice:
        nonlocal twice
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        twice += 1
        return _Twice(pairs)

    tree = json.loads(body, object_pairs_hook=pairs_hook)
    # Breadth first, so outer objects come first; parallel lists (node n's
    # parent and key) rather than a tuple per node, which would set off the GC.
    parents: list[int] = [-1]
    keys: list[str | int] = [""]
    values: list[Any] = [tree]
    found: list[DuplicateKey] = []
    node = 0
    while twice and len(found) < limit:
        value = values[node]
        values[node] = None  # visited: let it go
        if type(value) is _Twice:
            twice -= 1
            seen: set[str] = set()
            for key, _ in value:
                if key in seen:
                    found.append(DuplicateKey(_path(node, parents, keys), key))
                seen.add(key)
            items: Any = value
        else:
            items = value.items() if type(value) is dict else enumerate(value)
        for key, child in items:
            if child and type(child) in _CONTAINERS:  # an empty one holds nothing twice
                parents.append(node)
                keys.append(key)
                values.append(child)
        node += 1
    return found[:limit]


_CONTAINERS = (dict, list, _Twice)


def _path(node: int, parents: list[int], keys: list[str | int]) -> tuple[str | int, ...]:
    path: list[str | int] = []
    while node > 0:
        path.append(keys[node])
        node = parents[node]
    return tuple(reversed(path))


def is_json_content_type(value: str | None) -> bool:
    """As FastAPI decides whether to parse a body as JSON."""
    if not value:
        return True
    mime = MimeMessage()
    mime["content-type"] = value
    subtype = mime.get_content_subtype()
    return mime.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


class JsonBodyGuard:
    """Pure ASGI: 422 for a JSON body with a duplicate key; any other body
    is handed to the app as received."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_json_content_type(_header(scope, b"content-type")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending its body: nobody to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        # A large body is checked off the event loop (a worst case 1 MiB of
        # tiny objects costs a few times what json.loads alone does).
        found = (_duplicates(body) if len(body) <= INLINE_BYTES
                 else await run_in_threadpool(_duplicates, body))
        if found:
            await _refuse(found, scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # e.g. http.disconnect, as the server sends it
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _duplicates(body: bytes) -> list[DuplicateKey]:
    if not body:
        return []
    try:
        return duplicate_keys(body)
    except (ValueError, RecursionError):
        return []  # not JSON (or too deep to read): the route answers it as before


async def _refuse(found: list[DuplicateKey], scope: Scope, receive: Receive, send: Send) -> None:
    errors = [{"field": ".".join(str(part) for part in ("body", *d.loc)), "message": d.message,
               "type": "duplicate_key"} for d in found[:MAX_REPORTED]]
    count = len(errors)
    response = problem(
        422, "Validation error", f"{count} invalid field{'s' if count != 1 else ''}",
        "/problems/validation-error", scope.get("path"), errors=errors,
    )
    await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
