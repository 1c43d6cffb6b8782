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
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message as MimeMessage
from typing import Any

from app.api.errors import problem
from app.api.limits import ASGIApp, Message, Receive, Scope, Send

MAX_REPORTED = 20  # duplicates named in one answer


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


class _Pairs(list):  # type: ignore[type-arg]
    """An object as ``json`` read it: its (key, value) pairs, every one kept."""


def duplicate_keys(body: bytes | str) -> list[DuplicateKey]:
    """Every key that occurs twice in one object, outer objects first;
    ValueError (or RecursionError) when ``body`` is not JSON."""
    tree = json.loads(body, object_pairs_hook=_Pairs)
    found: list[DuplicateKey] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), tree)]
    while stack:  # iterative: a deeply nested body must not exhaust the stack here
        path, value = stack.pop()
        if isinstance(value, _Pairs):
            seen: set[str] = set()
            for key, _ in value:
                if key in seen:
                    found.append(DuplicateKey(path, key))
                seen.add(key)
            children = [((*path, key), child) for key, child in value]
        elif isinstance(value, list):
            children = [((*path, n), child) for n, child in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))
    return found


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
        found = _duplicates(body)
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
