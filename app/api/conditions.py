"""Conditional and retried commands: ``Idempotency-Key`` and ``If-Match``.

Both are optional. Without ``If-Match`` a command is checked against the
order's current state by the domain rules alone (two merchandisers adding
samples at once both succeed); with it, a command based on an older version
answers 412 with the current ``ETag``. The idempotency check comes first, so
the retry of a command that already succeeded replays its answer even when
the order has moved on since (never a 412).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated

from fastapi import Depends, Header, Request

from app.api.auth import Principal, get_principal
from app.domain.errors import InvalidValue
from app.application.dto import Preconditions
from app.application.idempotency import KeyedRequest

_KEY = re.compile(r'^"?([\x20-\x7e]{1,255}?)"?$')
# [0-9], not \d: \d matches any script's digits, and int() reads them.
_STRONG_ETAG = re.compile(r'^"([0-9]{1,18})"$')
_MAX_SCOPE_CHARS = 200  # idempotency_keys.scope

KeyHeader = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=257,
    description="Makes the command safe to retry: the same key and body replay the first "
                "answer; the same key with another body is 422; while the first is "
                "running, 409 with Retry-After.",
)]
IfMatchHeader = Annotated[str | None, Header(
    alias="If-Match", max_length=1000,
    description='The ETag ("<version>") the command is based on; another version → 412.',
)]


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request as the draft means it: method, path and body (JSON bodies
    canonicalised, so a client's key order or spacing does not matter)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.hex()
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


async def keyed_request(request: Request,
                        principal: Annotated[Principal, Depends(get_principal)],
                        idempotency_key: KeyHeader = None) -> KeyedRequest | None:
    if idempotency_key is None:
        return None
    match = _KEY.match(idempotency_key)
    if not match:
        raise InvalidValue("header.Idempotency-Key", "1 to 255 printable ASCII characters")
    body = await request.body()
    return KeyedRequest(idempotency_scope(principal), match.group(1),
                        fingerprint(request.method, request.url.path, body))


def idempotency_scope(principal: Principal) -> str:
    """Whose keys: the subject *in* its role and tenant. Two tokens sharing a
    ``sub`` but not the role or the supplier never share a key (a supplier
    never replays another's answer). Readable when it fits the column
    (``idempotency_keys.scope``, 200 characters), else its SHA-256."""
    # ASCII: a NUL or any other character in a claim is escaped, never sent raw.
    scope = json.dumps([principal.sub, principal.role, principal.supplier_id],
                       separators=(",", ":"))
    if len(scope) <= _MAX_SCOPE_CHARS:
        return scope
    return "sha256:" + hashlib.sha256(scope.encode()).hexdigest()


def parse_if_match(value: str | None) -> frozenset[int] | None:
    """The versions an ``If-Match`` accepts; None when any will do.

    Strong comparison (RFC 9110 §13.1.1): a weak tag never matches."""
    if value is None or value.strip() == "*":
        return None
    versions = set()
    for tag in value.split(","):
        match = _STRONG_ETAG.match(tag.strip())
        if match:
            versions.add(int(match.group(1)))
    return frozenset(versions)


async def preconditions(keyed: Annotated[KeyedRequest | None, Depends(keyed_request)],
                        if_match: IfMatchHeader = None) -> Preconditions:
    return Preconditions(keyed, parse_if_match(if_match))


async def key_only(keyed: Annotated[KeyedRequest | None, Depends(keyed_request)],
                   ) -> Preconditions:
    """Creating commands: an Idempotency-Key, no If-Match (nothing to match yet)."""
    return Preconditions(keyed)


Keyed = Annotated[Preconditions, Depends(key_only)]
Conditions = Annotated[Preconditions, Depends(preconditions)]
