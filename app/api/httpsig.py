"""RFC 9421 HTTP Message Signatures (Ed25519 only) and RFC 9530 Content-Digest.

A supplier's acknowledgement or delivery note is evidence against the
supplier, so a bearer token is not enough: the request itself is signed with
a key only the supplier holds. The server verifies here and keeps the exact
signature base it checked (``VerifiedSignature``), so anyone holding the
public key can re-check the evidence offline years later.

Pure functions, no framework, nothing global. Policy is strict on purpose:
one algorithm, mandatory ``created``/``expires``/``nonce``/``keyid``/``alg``,
a short window, and a signed body digest. Replay protection (remembering
nonces until ``expires``) is the caller's job: this module has no state.

Time rules: ``created`` may be up to ``skew`` seconds ahead of our clock
(client clocks drift); ``expires`` gets no grace, a request is refused once
``now >= expires``, because the signer chose that limit itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_sfv import Dictionary, InnerList, Item
from http_sfv.types import Token

from app.api.ed25519_checks import check_public_key, check_signature

MAX_WINDOW_SECONDS = 300
REQUIRED_COMPONENTS = ("@method", "@target-uri", "content-type", "content-digest")
ALGORITHM = "ed25519"

_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


# What a client should send (RFC 9421 §5.1), on every 401 of a signed route.
ACCEPT_SIGNATURE = (
    "sig1=(" + " ".join(f'"{c}"' for c in REQUIRED_COMPONENTS) + ');alg="ed25519"'
    ';keyid="<your keyid>";created;expires;nonce'
)


class SignatureRefused(Exception):
    """The request's signature is not acceptable; ``code`` is for machines,
    ``detail`` a sentence for the supplier's developer."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class SignatureRejected(Exception):
    """401 for a signed route (``app.api.errors``), raised by
    ``app.api.signed`` with the refusal's code."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class HttpRequestParts:
    """The request as the server received it. ``target_uri`` is the full URI
    the client addressed (scheme://authority/path?query); header names are
    lower-cased on construction and values are the combined field value."""

    method: str
    target_uri: str
    headers: Mapping[str, str]
    body: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _combine((k, v) for k, v in self.headers.items()))

    @classmethod
    def from_raw_headers(
        cls, method: str, target_uri: str, raw_headers: Iterable[tuple[bytes, bytes]], body: bytes
    ) -> HttpRequestParts:
        """From ASGI-style raw header pairs (e.g. Starlette ``request.headers.raw``),
        combining repeated fields as RFC 9421 §2.1 says."""
        pairs = ((name.decode("latin-1"), value.decode("latin-1")) for name, value in raw_headers)
        return cls(method, target_uri, _combine(pairs), body)


@dataclass(frozen=True)
class VerifiedSignature:
    """What was verified, kept as evidence. ``signature_input`` is
    ``label=<member>`` with the member in its RFC 8941 serialization."""

    label: str
    keyid: str
    alg: str
    created: int
    expires: int
    nonce: str
    covered: tuple[str, ...]
    signature_input: str
    signature: str
    signature_base: str
    content_digest: str


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value for ``body`` (SHA-256)."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}:"


def verify_request(
    parts: HttpRequestParts,
    key_for: Callable[[str], bytes | None],
    *,
    now: int | None = None,
    max_window: int = MAX_WINDOW_SECONDS,
    skew: int = 30,
    required: Sequence[str] = REQUIRED_COMPONENTS,
) -> VerifiedSignature:
    """Check the request's signature against our policy; raise ``SignatureRefused``."""
    now = int(time.time()) if now is None else now
    inputs = _parse_dictionary(parts, "signature-input")
    signatures = _parse_dictionary(parts, "signature")
    label = _select_label(inputs, signatures)
    member, sig_item = inputs[label], signatures[label]
    if not isinstance(member, InnerList):
        raise SignatureRefused("malformed_signature", f"Signature-Input member {label!r} must be an inner list")
    if not isinstance(sig_item, Item) or not isinstance(sig_item.value, bytes):
        raise SignatureRefused("malformed_signature", f"Signature member {label!r} must be a byte sequence")
    alg, keyid, created, expires, nonce = _parameters(member)
    covered = _covered(member)
    for name in required:
        wanted = name if name.startswith("@") else name.lower()
        if wanted not in covered:
            raise SignatureRefused("missing_component", f"the signature must cover {wanted!r}")
    if not 0 < expires - created <= max_window:
        raise SignatureRefused("bad_window", f"expires - created must be between 1 and {max_window} seconds")
    if created > now + skew:
        raise SignatureRefused("not_yet_valid", "the signature was created in the future; check the signer's clock")
    if now >= expires:
        raise SignatureRefused("expired", "the signature has expired; sign the request again")
    digest = _check_digest(parts, must=("content-digest" in covered or "content-digest" in required))
    raw_key = key_for(keyid)
    if raw_key is None:
        raise SignatureRefused("unknown_key", f"no active key is registered under keyid {keyid!r}")
    base = signature_base(parts, member)
    _refuse_degenerate(keyid, raw_key, sig_item.value)
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(sig_item.value, base.encode("ascii"))
    except ValueError:
        raise SignatureRefused("unknown_key", f"the key registered under {keyid!r} is not an Ed25519 key") from None
    except InvalidSignature:
        raise SignatureRefused("bad_signature", "the signature does not match this request and key") from None
    return VerifiedSignature(
        label=label, keyid=keyid, alg=alg, created=created, expires=expires, nonce=nonce,
        covered=covered, signature_input=f"{label}={member}", signature=str(sig_item),
        signature_base=base, content_digest=digest,
    )  # fmt: skip


def _refuse_degenerate(keyid: str, raw_key: bytes, signature: bytes) -> None:
    # OpenSSL verifies the constant signature (identity, 0) under a
    # small-order key for any message: checked here, also for keys
    # registered before registration refused them.
    if len(raw_key) != 32:
        raise SignatureRefused("unknown_key", f"the key registered under {keyid!r} is not an Ed25519 key")
    try:
        check_public_key(raw_key)
    except ValueError as exc:
        raise SignatureRefused("degenerate_key", f"the key registered under {keyid!r} cannot be trusted: "
                               f"{exc}; register a new key") from None
    try:
        check_signature(signature)
    except ValueError as exc:
        raise SignatureRefused("bad_signature", f"the signature cannot be genuine: {exc}") from None


def signature_base(parts: HttpRequestParts, member: InnerList) -> str:
    """The RFC 9421 §2.5 signature base for a parsed Signature-Input member.

    The ``@signature-params`` line is the member's RFC 8941 serialization, as
    the RFC defines it; a conforming signer sends exactly that text.
    """
    lines = [f"{item}: {_component_value(parts, item.value)}" for item in member]
    lines.append(f'"@signature-params": {member}')
    base = "\n".join(lines)
    if not base.isascii():
        raise SignatureRefused("invalid_component", "a covered value is not ASCII and cannot be signed")
    return base


def sign_request(
    method: str,
    target_uri: str,
    headers: Mapping[str, str],
    body: bytes,
    private_key: Ed25519PrivateKey,
    keyid: str,
    *,
    created: int | None = None,
    expires: int | None = None,
    nonce: str | None = None,
    label: str = "sig1",
    components: Sequence[str] = REQUIRED_COMPONENTS,
) -> dict[str, str]:
    """The ``Content-Digest``, ``Signature-Input`` and ``Signature`` headers to add."""
    created = int(time.time()) if created is None else created
    expires = created + MAX_WINDOW_SECONDS if expires is None else expires
    digest = content_digest(body)
    member = InnerList([Item(name) for name in components])
    member.params.update(
        created=created, expires=expires, keyid=keyid, alg=ALGORITHM,
        nonce=secrets.token_urlsafe(16) if nonce is None else nonce,
    )  # fmt: skip
    parts = HttpRequestParts(method, target_uri, {**headers, "content-digest": digest}, body)
    try:
        base = signature_base(parts, member)
    except SignatureRefused as exc:
        raise ValueError(exc.detail) from None
    sig_input, signature = Dictionary(), Dictionary()
    sig_input[label] = member
    signature[label] = private_key.sign(base.encode("ascii"))
    return {"Content-Digest": digest, "Signature-Input": str(sig_input), "Signature": str(signature)}


def _combine(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    # RFC 9421 §2.1: trim each field line, join repeated fields with ", ".
    combined: dict[str, str] = {}
    for name, value in pairs:
        key, value = name.lower(), value.strip(" \t")
        combined[key] = f"{combined[key]}, {value}" if key in combined else value
    return combined


def _parse_dictionary(parts: HttpRequestParts, name: str) -> Dictionary:
    text = parts.headers.get(name)
    if text is None:
        raise SignatureRefused("missing_signature", f"the request has no {name.title()} header; it must be signed")
    parsed = Dictionary()
    try:
        parsed.parse(text.encode("ascii"))
    except ValueError:
        raise SignatureRefused("malformed_signature", f"{name.title()} is not an RFC 8941 dictionary") from None
    return parsed


def _select_label(inputs: Dictionary, signatures: Dictionary) -> str:
    labels = [label for label in inputs if label in signatures]
    if not labels:
        raise SignatureRefused("malformed_signature", "Signature-Input and Signature share no label")
    for label in labels:
        member = inputs[label]
        if isinstance(member, InnerList) and member.params.get("alg") == ALGORITHM:
            return label
    return labels[0]


def _parameters(member: InnerList) -> tuple[str, str, int, int, str]:
    params = member.params
    for name in ("alg", "keyid", "created", "expires", "nonce"):
        if name not in params:
            raise SignatureRefused("missing_parameter", f"the signature parameters must include {name!r}")
    if params["alg"] != ALGORITHM or type(params["alg"]) is not str:
        raise SignatureRefused("unsupported_algorithm", f'only alg="{ALGORITHM}" is accepted')
    for name in ("created", "expires"):
        if type(params[name]) is not int:
            raise SignatureRefused("malformed_signature", f"{name!r} must be an integer (seconds since epoch)")
    for name in ("keyid", "nonce"):
        if type(params[name]) is not str or not params[name]:
            raise SignatureRefused("malformed_signature", f"{name!r} must be a non-empty string")
    return params["alg"], params["keyid"], params["created"], params["expires"], params["nonce"]


def _covered(member: InnerList) -> tuple[str, ...]:
    names: list[str] = []
    for item in member:
        name = item.value
        if type(name) is not str or isinstance(name, Token) or not name:
            raise SignatureRefused("malformed_signature", "covered components must be quoted strings")
        if item.params:
            raise SignatureRefused("unsupported_component", f"component parameters are not supported ({item})")
        if name != name.lower() or name == "@signature-params" or name in names:
            raise SignatureRefused("malformed_signature", f"component {name!r} is invalid or repeated")
        names.append(name)
    return tuple(names)


def _check_digest(parts: HttpRequestParts, *, must: bool) -> str:
    text = parts.headers.get("content-digest")
    if text is None:
        if must:
            raise SignatureRefused("digest_mismatch", "the request has no Content-Digest header")
        return ""
    members = Dictionary()
    try:
        members.parse(text.encode("ascii"))
    except ValueError:
        raise SignatureRefused("digest_mismatch", "Content-Digest is not an RFC 8941 dictionary") from None
    if "sha-256" not in members:
        raise SignatureRefused("digest_mismatch", "Content-Digest must include a sha-256 member")
    for algorithm, member in members.items():
        hasher = _DIGESTS.get(algorithm)
        if hasher is None:
            continue  # RFC 9530: unknown algorithms are ignored
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            raise SignatureRefused("digest_mismatch", f"Content-Digest {algorithm} must be a byte sequence")
        if not hmac.compare_digest(member.value, hasher(parts.body).digest()):
            raise SignatureRefused("digest_mismatch", f"Content-Digest {algorithm} does not match the body")
    return text


def _component_value(parts: HttpRequestParts, name: str) -> str:
    if name.startswith("@"):
        value = _derived(parts, name)
    elif name in parts.headers:
        value = parts.headers[name]
    else:
        raise SignatureRefused("missing_component", f"the signature covers {name!r} but the request has no such header")
    if "\n" in value or "\r" in value:
        raise SignatureRefused("invalid_component", f"the value of {name!r} contains a line break")
    return value


def _derived(parts: HttpRequestParts, name: str) -> str:
    # RFC 9421 §2.2; values come from the target URI as the client sent it.
    split = urlsplit(parts.target_uri)
    if name == "@method":
        return parts.method
    if name == "@target-uri":
        return parts.target_uri
    if name == "@authority":
        authority = split.netloc.rpartition("@")[2].lower()
        default_port = {"http": ":80", "https": ":443"}.get(split.scheme.lower())
        return authority.removesuffix(default_port) if default_port else authority
    if name == "@scheme":
        return split.scheme.lower()
    if name == "@path":
        return split.path or "/"
    if name == "@query":
        return f"?{split.query}"
    if name == "@request-target":
        return (split.path or "/") + (f"?{split.query}" if split.query else "")
    raise SignatureRefused("unsupported_component", f"derived component {name!r} is not supported")
