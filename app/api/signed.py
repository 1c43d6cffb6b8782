"""Signed requests from supplier portals (RFC 9421 + RFC 9530).

A portal command carries a supplier's bearer token *and* an Ed25519
signature by one of that supplier's registered keys over the method, the
target URI, the content type and the content digest. The signature is
checked before the body is even parsed: a tampered byte, a replayed nonce,
an expired window, an unknown or revoked key all answer 401 and change
nothing on the PO; the refusal itself goes to the audit trail.

What a token can make the store keep is bounded (issue 9):

- the rate limit comes first (app/api/ratelimit.py: 429);
- refused *without* a record: a request with no signature header at all, a
  token naming no supplier of ours (401), a PO that is not the caller's
  (404, checked before the signature);
- a nonce or keyid too long for the nonce store's columns is a signature
  refusal (401 ``bad_nonce`` / ``bad_keyid``) before the nonce is stored;
- a refusal that is recorded keeps a summary of at most 2 KiB (no query
  string, only its digest and length; long header values clipped, with
  their digest; the signature's digest), counted per supplier, reason and
  minute (app/application/refusals.py).

What verified is kept as evidence with the event (method, target URI, the
four headers as received, the body byte for byte, the signature base), so
anyone holding the supplier's public key can verify it again offline. The
body is kept raw, not in its canonical form: the signature covers the
Content-Digest of the raw bytes, so only they let ``verify_evidence.py``
tie the body to the signature. It is bounded instead: by the body size
limit, by refusing padding (at most ``MAX_PADDING_FACTOR`` times its
compact JSON, plus ``PADDING_ALLOWANCE`` bytes: indent=8 pretty-printing
measured 2.6 times), and by the delivery notes a PO takes a day.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.api.auth import Principal
from app.api.deps import GendanDep
from app.api.permissions import ActAsSupplier, actor
from app.api.httpsig import (
    HttpRequestParts,
    SignatureRefused,
    SignatureRejected,
    VerifiedSignature,
    verify_request,
)
from app.api.json_bodies import duplicate_keys
from app.application import Gendan
from app.domain.errors import InvalidValue
from app.domain.values import Actor

EVIDENCE_HEADERS = ("content-type", "content-digest", "signature-input", "signature")
# The longest the nonce store's columns take (signature_nonces: nonce
# String(255), scope String(300) = supplier id + ":" + keyid) and a keyid
# could ever be registered with (200 before issue 9, 100 since): longer is
# refused as a signature problem before the database sees it, the same on
# both stores (PostgreSQL raised on the insert, SQLite stored any length).
MAX_NONCE_CHARS = 255
MAX_KEYID_CHARS = 200
# A kept body may be pretty-printed, not padded: see the module docstring.
MAX_PADDING_FACTOR = 4
PADDING_ALLOWANCE = 4096
MAX_SUMMARY_BYTES = 2048  # a refusal's request summary, serialised
_KEYID = re.compile(r'keyid="([^"]{1,100})"')
_NONCE = re.compile(r'nonce="([^"]{1,64})"')
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class SignedCall:
    principal: Principal
    verified: VerifiedSignature
    body: bytes
    evidence: dict[str, Any]

    @property
    def actor(self) -> Actor:
        return actor(self.principal)

    @property
    def supplier_id(self) -> str:
        return self.principal.supplier_id or ""

    def parse(self, model: type[Model]) -> Model:
        """The body as ``model``, after the signature verified; 422 as for
        any other route when it does not fit, or when it holds a key twice
        (``JsonBodyGuard`` refuses that earlier for JSON content types; this
        parses the raw body whatever Content-Type was signed)."""
        try:
            duplicates = duplicate_keys(self.body)
        except (ValueError, RecursionError):
            duplicates = []  # not JSON: pydantic says so below
        if duplicates:
            raise RequestValidationError([
                {"loc": ("body", *d.loc), "msg": d.message, "type": "duplicate_key"}
                for d in duplicates])
        try:
            return model.model_validate_json(self.body)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None


def target_uri(request: Request, public_base_url: str | None) -> str:
    """The @target-uri: as configured behind a proxy, else as this process
    sees it (scheme, Host header); the path as sent, still percent-encoded
    (Starlette's ``url.path`` is decoded, which the client did not sign)."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    query = f"?{request.url.query}" if request.url.query else ""
    if public_base_url:
        return public_base_url.rstrip("/") + path + query
    return f"{request.url.scheme}://{request.url.netloc}{path}{query}"


def _headers(request: Request) -> dict[str, str]:
    # Repeated fields are combined as RFC 9110 §5.3 says (", ").
    combined: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        combined.setdefault(name.lower(), []).append(value)
    return {name: ", ".join(values) for name, values in combined.items()}


async def signed_call(request: Request, principal: ActAsSupplier, gendan: GendanDep,
                      purchase_order_id: UUID) -> SignedCall:
    headers = _headers(request)
    supplier_id = principal.supplier_id or ""
    if "signature-input" not in headers and "signature" not in headers:
        # Not even an attempt at a signature: refused, and nothing recorded.
        raise SignatureRejected("missing_signature", "the request has no Signature-Input "
                                                     "and no Signature header; it must be signed")
    await run_in_threadpool(_check_target, gendan, supplier_id, purchase_order_id)
    body = await request.body()
    parts = HttpRequestParts(request.method, target_uri(request, gendan.settings.public_base_url),
                             headers, body)

    def key_for(keyid: str) -> bytes | None:
        if len(keyid) > MAX_KEYID_CHARS:
            raise SignatureRefused("bad_keyid", f"a keyid is at most {MAX_KEYID_CHARS} "
                                                "characters")
        key = gendan.portal.supplier_key(supplier_id, keyid)
        return None if key is None else base64.b64decode(key)

    try:
        verified = await run_in_threadpool(verify_request, parts, key_for)
        if len(verified.nonce) > MAX_NONCE_CHARS:
            raise SignatureRefused("bad_nonce", f"a nonce is at most {MAX_NONCE_CHARS} "
                                                "characters")
        fresh = await run_in_threadpool(
            gendan.portal.take_nonce, f"{supplier_id}:{verified.keyid}", verified.nonce,
            datetime.fromtimestamp(verified.expires, timezone.utc))
        if not fresh:
            raise SignatureRefused("replayed_nonce", "This nonce was already used: a signed "
                                                     "request is accepted once; sign again")
    except SignatureRefused as refused:
        await run_in_threadpool(
            gendan.portal.record_refusal, supplier_id=supplier_id, po_id=purchase_order_id,
            code=refused.code, detail=refused.detail, request=refusal_summary(parts),
            actor=actor(principal))
        raise SignatureRejected(refused.code, refused.detail) from None
    _refuse_padding(body)
    evidence = {
        "keyid": verified.keyid, "label": verified.label, "created": verified.created,
        "expires": verified.expires, "nonce": verified.nonce, "method": parts.method,
        "target_uri": parts.target_uri,
        # The four headers every check needs, and any other header it covered.
        "headers": {name: parts.headers.get(name, "") for name in (
            *EVIDENCE_HEADERS,
            *(c for c in verified.covered if not c.startswith("@") and c not in EVIDENCE_HEADERS))},
        "body": body.decode("utf-8", errors="replace"),
        "signature_base": verified.signature_base,
    }
    return SignedCall(principal, verified, body, evidence)


def _check_target(gendan: Gendan, supplier_id: str, po_id: UUID) -> None:
    """Before the signature: a token naming no supplier of ours is 401, a PO
    that is not its supplier's 404; neither is recorded."""
    if not gendan.portal.is_supplier(supplier_id):
        raise SignatureRejected("unknown_key", "no key is registered for this token's supplier")
    gendan.portal.check_purchase_order(supplier_id, po_id)


def _refuse_padding(body: bytes) -> None:
    """422 for a body much larger than its compact JSON (see the module
    docstring); what is not JSON is left to ``SignedCall.parse``."""
    if len(body) <= PADDING_ALLOWANCE:
        return
    try:
        compact = len(json.dumps(json.loads(body), separators=(",", ":"),
                                 ensure_ascii=False).encode())
    except (ValueError, RecursionError):
        return
    if len(body) > MAX_PADDING_FACTOR * compact + PADDING_ALLOWANCE:
        raise InvalidValue("body", f"the signed body is {len(body)} bytes for {compact} bytes "
                                   f"of JSON; it is kept as evidence, so it may be at most "
                                   f"{MAX_PADDING_FACTOR} times its compact form plus "
                                   f"{PADDING_ALLOWANCE} bytes")


def refusal_summary(parts: HttpRequestParts) -> dict[str, Any]:
    """What a refusal keeps of the request: at most 2 KiB whatever was sent.
    The target URI without its query (the query's SHA-256 and length
    instead), the keyid and nonce when short, header values clipped with
    the digest of the whole, the signature's and the body's digest and
    length."""
    split = urlsplit(parts.target_uri)
    signature_input = parts.headers.get("signature-input", "")
    keyid, nonce = _KEYID.search(signature_input), _NONCE.search(signature_input)
    summary: dict[str, Any] = {
        "method": parts.method[:16],
        "target_uri": urlunsplit((split.scheme, split.netloc, split.path, "", ""))[:300],
        "keyid": keyid.group(1) if keyid else None,
        "nonce": nonce.group(1) if nonce else None,
    }
    if split.query:
        summary["query"] = _digest(split.query)
    if "signature" in parts.headers:  # a signature is evidence's, even a refused one
        summary["signature"] = _digest(parts.headers["signature"])
    for name, limit in (("signature-input", 400), ("content-digest", 120), ("content-type", 80)):
        value = parts.headers.get(name)
        if value is None:
            continue
        key = name.replace("-", "_")
        summary[key] = value[:limit]
        if len(value) > limit:
            summary[f"{key}_whole"] = _digest(value)
    summary["body"] = _digest(parts.body)
    # Escaping can make a clipped value take up to six bytes a character:
    # the largest go to their digests until the whole fits.
    while len(_json(summary)) > MAX_SUMMARY_BYTES:
        name = max((k for k, v in summary.items() if isinstance(v, str)),
                   key=lambda k: len(_json(summary[k])))
        summary[name] = _digest(summary[name])
    return summary


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _digest(value: str | bytes) -> dict[str, Any]:
    data = value.encode("utf-8", errors="surrogateescape") if isinstance(value, str) else value
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


Signed = Annotated[SignedCall, Depends(signed_call)]
