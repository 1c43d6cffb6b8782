"""Signed requests from supplier portals (RFC 9421 + RFC 9530).

A portal command carries a supplier's bearer token *and* an Ed25519
signature by one of that supplier's registered keys over the method, the
target URI, the content type and the content digest. The signature is
checked before the body is even parsed: a tampered byte, a replayed nonce,
an expired window, an unknown or revoked key all answer 401 and change
nothing on the PO; the refusal itself goes to the audit trail.

What verified is kept as evidence with the event (method, target URI, the
four headers as received, the body byte for byte, the signature base), so
anyone holding the supplier's public key can verify it again offline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar
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
from app.domain.values import Actor

EVIDENCE_HEADERS = ("content-type", "content-digest", "signature-input", "signature")
_KEYID = re.compile(r'keyid="([^"]{1,200})"')
_NONCE = re.compile(r'nonce="([^"]{1,255})"')
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
    body = await request.body()
    parts = HttpRequestParts(request.method, target_uri(request, gendan.settings.public_base_url),
                             _headers(request), body)
    supplier_id = principal.supplier_id or ""

    def key_for(keyid: str) -> bytes | None:
        key = gendan.portal.supplier_key(supplier_id, keyid)
        return None if key is None else base64.b64decode(key)

    try:
        verified = await run_in_threadpool(verify_request, parts, key_for)
        fresh = await run_in_threadpool(
            gendan.portal.take_nonce, f"{supplier_id}:{verified.keyid}", verified.nonce,
            datetime.fromtimestamp(verified.expires, timezone.utc))
        if not fresh:
            raise SignatureRefused("replayed_nonce", "This nonce was already used: a signed "
                                                     "request is accepted once; sign again")
    except SignatureRefused as refused:
        await run_in_threadpool(_record_refusal, gendan, principal, purchase_order_id, parts,
                                refused)
        raise SignatureRejected(refused.code, refused.detail) from None
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


def _record_refusal(gendan: Gendan, principal: Principal, po_id: UUID,
                    parts: HttpRequestParts, refused: SignatureRefused) -> None:
    signature_input = parts.headers.get("signature-input", "")
    keyid, nonce = _KEYID.search(signature_input), _NONCE.search(signature_input)
    gendan.portal.record_refusal(
        supplier_id=principal.supplier_id, po_id=po_id, code=refused.code,
        detail=refused.detail, actor=actor(principal),
        request={
            "method": parts.method, "target_uri": parts.target_uri,
            "keyid": keyid.group(1) if keyid else None, "nonce": nonce.group(1) if nonce else None,
            "signature_input": signature_input[:2000],
            "content_digest": parts.headers.get("content-digest", "")[:500],
            "body_sha256": hashlib.sha256(parts.body).hexdigest(),
            "body_bytes": len(parts.body),
        },
    )


Signed = Annotated[SignedCall, Depends(signed_call)]
