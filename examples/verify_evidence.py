#!/usr/bin/env python3
"""Check, offline, the signed requests gendan keeps as evidence.

    python verify_evidence.py evidence.json [--public-key KEY]

``evidence.json`` is what ``GET /v1/purchase-orders/{id}/evidence`` returns
(format in README.md). For each item this script recomputes the body's
Content-Digest, rebuilds the RFC 9421 signature base from the recorded
method, target URI and headers (the stored ``signature_base`` is only
compared, never trusted), and verifies the Ed25519 signature. ``KEY`` is a
PEM file or the base64 raw public key; without it each item's own
``public_key`` is used, which proves consistency but not who signed, so
prefer the key the supplier gave you. Prints OK or FAILED per item; exits 1
if any item fails. Needs only ``cryptography``.

Two checks go beyond what the signature library does, because a signature
can verify and still prove nothing: the public key must be a canonical
point of large order and the signature's R too, with S below the group
order (OpenSSL accepts a small-order key, under which a constant signature
verifies for every message); and the signed body must not hold a JSON key
twice (readers disagree on which one counts).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

REQUIRED_FIELDS = ("keyid", "method", "target_uri", "headers", "body")


class EvidenceError(Exception):
    """Why one evidence item does not verify."""


# --- a small RFC 8941 parser for the Signature-Input / Signature subset used -----

_KEY = r"[a-z*][a-z0-9_\-.*]*"
_BARE = r'"(?:[^"\\]|\\["\\])*"|-?\d{1,15}|\?[01]|[A-Za-z*][A-Za-z0-9:/!#$%&\'*+\-.^_`|~]*|:[A-Za-z0-9+/=]*:'
_PARAM = re.compile(rf";\s*({_KEY})(?:=({_BARE}))?")
_STRING_ITEM = re.compile(r'"(?:[^"\\]|\\["\\])*"')
_MEMBER_KEY = re.compile(rf"\s*({_KEY})=")
_BARE_ITEM = re.compile(_BARE)
_SEPARATOR = re.compile(r"\s*(,\s*)?")


def _bare(text: str | None) -> Any:
    if text is None or text == "?1":
        return True
    if text == "?0":
        return False
    if text.startswith('"'):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.startswith(":"):
        return base64.b64decode(text[1:-1], validate=True)
    if text[0] in "-0123456789":
        return int(text)
    return ("token", text)


def _serialize(value: Any) -> str:
    if value is True:
        return ""
    if value is False:
        return "=?0"
    if isinstance(value, int):
        return f"={value}"
    if isinstance(value, tuple):
        return f"={value[1]}"
    return '="' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _params(text: str, pos: int) -> tuple[list[tuple[str, Any]], int]:
    params = []
    while match := _PARAM.match(text, pos):
        params.append((match[1], _bare(match[2])))
        pos = match.end()
    return params, pos


def parse_dictionary(text: str) -> dict[str, tuple[Any, list[tuple[str, Any]]]]:
    """``label -> (value, params)``; an inner list's value is its list of strings."""
    members: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
    pos = 0
    while True:
        match = _MEMBER_KEY.match(text, pos)
        if not match:
            raise EvidenceError(f"cannot parse structured field at {text[pos:pos + 20]!r}")
        label, pos = match[1], match.end()
        if text.startswith("(", pos):
            end = text.index(")", pos)
            inner = text[pos + 1 : end].split()
            if not all(_STRING_ITEM.fullmatch(item) for item in inner):
                raise EvidenceError("covered components must be plain quoted strings")
            value: Any = [_bare(item) for item in inner]
            pos = end + 1
        else:
            item = _BARE_ITEM.match(text, pos)
            if not item:
                raise EvidenceError(f"cannot parse member {label!r}")
            value, pos = _bare(item[0]), item.end()
        params, pos = _params(text, pos)
        members[label] = (value, params)
        rest = _SEPARATOR.match(text, pos)
        pos = rest.end()  # type: ignore[union-attr]
        if pos == len(text):
            return members
        if not rest[1]:  # type: ignore[index]
            raise EvidenceError(f"unexpected text {text[pos:pos + 20]!r}")


# --- RFC 9421 signature base ----------------------------------------------------


def _derived(name: str, method: str, target_uri: str) -> str:
    split = urlsplit(target_uri)
    authority = split.netloc.rpartition("@")[2].lower()
    default_port = {"http": ":80", "https": ":443"}.get(split.scheme.lower())
    values = {
        "@method": method,
        "@target-uri": target_uri,
        "@authority": authority.removesuffix(default_port) if default_port else authority,
        "@scheme": split.scheme.lower(),
        "@path": split.path or "/",
        "@query": f"?{split.query}",
        "@request-target": (split.path or "/") + (f"?{split.query}" if split.query else ""),
    }
    if name not in values:
        raise EvidenceError(f"unsupported derived component {name}")
    return values[name]


def rebuild_signature_base(method: str, target_uri: str, headers: dict[str, str], components: list[str],
                           params: list[tuple[str, Any]]) -> str:  # fmt: skip
    """The signature base (RFC 9421 §2.5) for the given covered components and parameters."""
    headers = {name.lower(): value.strip(" \t") for name, value in headers.items()}
    lines = []
    for name in components:
        if name.startswith("@"):
            value = _derived(name, method, target_uri)
        elif name in headers:
            value = headers[name]
        else:
            raise EvidenceError(f"covered header {name!r} is not in the evidence")
        lines.append(f'"{name}": {value}')
    inner = "(" + " ".join(f'"{name}"' for name in components) + ")"
    lines.append(f'"@signature-params": {inner}' + "".join(f";{k}{_serialize(v)}" for k, v in params))
    return "\n".join(lines)


# --- degenerate keys and signatures (RFC 8032 §5.1.3) -----------------------------
#
# Hand-written because OpenSSL does not refuse them: under a small-order key
# (8·A = identity, e.g. the identity point) the signature R = identity, S = 0
# verifies for every message. The curve's eight small-order points are the
# known list (libsodium's ge25519_has_small_order; "Taming the many EdDSAs").

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, -1, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _decode_point(encoded: bytes) -> tuple[int, int, int, int]:
    """The point in extended coordinates, or ValueError saying why none (or not canonically)."""
    if len(encoded) != 32:
        raise ValueError(f"a point is 32 bytes, not {len(encoded)}")
    number = int.from_bytes(encoded, "little")
    sign, y = number >> 255, number & ((1 << 255) - 1)
    if y >= _P:
        raise ValueError("a non-canonical encoding (its y coordinate is not below 2^255 - 19)")
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if v * x * x % _P == -u % _P:
        x = x * _SQRT_M1 % _P
    elif v * x * x % _P != u:
        raise ValueError("not a point on the Ed25519 curve")
    if x == 0 and sign:
        raise ValueError("a non-canonical encoding (x = 0 with the sign bit set)")
    if x & 1 != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


def _small_order(point: tuple[int, int, int, int]) -> bool:
    """8·P = identity, by three doublings (RFC 8032 §5.1.4, extended coordinates)."""
    x, y, z, _ = point
    for _ in range(3):
        a, b, c = x * x % _P, y * y % _P, 2 * z * z % _P
        h, g = (a + b) % _P, (a - b) % _P
        e, f = (h - (x + y) ** 2) % _P, (c + g) % _P
        x, y, z = e * f % _P, g * h % _P, f * g % _P
    return x % _P == 0 and (y - z) % _P == 0


def check_public_key(raw: bytes) -> None:
    """EvidenceError when ``raw`` is not a key a signature under it can prove anything with."""
    try:
        point = _decode_point(raw)
    except ValueError as exc:
        raise EvidenceError(f"the public key is {exc}") from None
    if _small_order(point):
        raise EvidenceError("the public key is a small-order point: it verifies forged signatures")


def check_signature(signature: bytes) -> None:
    """EvidenceError when the signature (R ‖ S) cannot be a genuine one."""
    if len(signature) != 64:
        raise EvidenceError(f"an Ed25519 signature is 64 bytes, not {len(signature)}")
    try:
        r = _decode_point(signature[:32])
    except ValueError as exc:
        raise EvidenceError(f"the signature's R is {exc}") from None
    if _small_order(r):
        raise EvidenceError("the signature's R is a small-order point")
    if int.from_bytes(signature[32:], "little") >= _L:
        raise EvidenceError("the signature's S is not below the group order")


# --- one meaning per body ---------------------------------------------------------


class _Pairs(list):
    """A JSON object with every (key, value) pair kept, duplicates included."""


def duplicate_keys(text: str) -> list[str]:
    """The paths (``body.lines``) of keys held twice by one object: outer
    objects first, then in document order."""
    found: list[str] = []
    queue: list[tuple[str, Any]] = [("body", json.loads(text, object_pairs_hook=_Pairs))]
    for path, value in queue:  # breadth first: the queue grows as it is read
        if isinstance(value, _Pairs):
            seen: set[str] = set()
            for key, _ in value:
                if key in seen:
                    found.append(f"{path}.{key}")
                seen.add(key)
            queue += [(f"{path}.{key}", child) for key, child in value]
        elif isinstance(value, list):
            queue += [(f"{path}.{n}", child) for n, child in enumerate(value)]
    return found


def check_body(text: str) -> None:
    """EvidenceError when the body is JSON holding a key twice: it means two things."""
    try:
        duplicates = duplicate_keys(text)
    except (ValueError, RecursionError):
        return  # not JSON: the signature covers its bytes, nothing to read two ways
    if duplicates:
        raise EvidenceError(f"the signed body holds a key twice ({', '.join(duplicates[:5])}): "
                            "readers disagree on what it says")


# --- checking one item ----------------------------------------------------------


def load_public_key(text: str) -> bytes:
    """Raw 32 bytes from a PEM or a base64 (standard or URL-safe) raw key."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key.public_bytes_raw()
    compact = text.rstrip("=").replace("-", "+").replace("_", "/")
    raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return raw


def check_item(item: dict[str, Any], public_key: bytes | None = None) -> dict[str, Any]:
    """Verify one evidence item; return its signature parameters or raise EvidenceError."""
    missing = [name for name in REQUIRED_FIELDS if name not in item]
    if missing:
        raise EvidenceError(f"missing fields {missing}")
    headers = {name.lower(): value for name, value in item["headers"].items()}
    body = item["body"].encode("utf-8")
    digests = parse_dictionary(headers.get("content-digest", "")) if headers.get("content-digest") else {}
    if not isinstance(digests.get("sha-256", (None,))[0], bytes):
        raise EvidenceError("no sha-256 Content-Digest")
    if not hmac.compare_digest(digests["sha-256"][0], hashlib.sha256(body).digest()):
        raise EvidenceError("Content-Digest does not match the body")
    inputs = parse_dictionary(headers.get("signature-input", ""))
    signatures = parse_dictionary(headers.get("signature", ""))
    labels = [label for label in inputs if label in signatures]
    ed25519 = [label for label in labels if dict(inputs[label][1]).get("alg") == "ed25519"]
    if not ed25519:
        raise EvidenceError("no ed25519 signature present in both Signature-Input and Signature")
    label = ed25519[0]
    components, params = inputs[label]
    signature = signatures[label][0]
    if not isinstance(signature, bytes):
        raise EvidenceError("the Signature member is not a byte sequence")
    if "content-digest" not in components:
        raise EvidenceError("the signature does not cover content-digest, so not the body")
    if dict(params).get("keyid") != item["keyid"]:
        raise EvidenceError(f"signed keyid {dict(params).get('keyid')!r} is not the item's {item['keyid']!r}")
    base = rebuild_signature_base(item["method"], item["target_uri"], headers, components, params)
    if "signature_base" in item and item["signature_base"] != base:
        raise EvidenceError("the stored signature_base differs from the one rebuilt from the request")
    if public_key is None:
        if not item.get("public_key"):
            raise EvidenceError("no public key: pass --public-key")
        public_key = load_public_key(item["public_key"])
    elif item.get("public_key") and load_public_key(item["public_key"]) != public_key:
        raise EvidenceError("the item's public_key is not the key you gave")
    check_public_key(public_key)
    check_signature(signature)
    check_body(item["body"])
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, base.encode("ascii"))
    except (InvalidSignature, ValueError):
        raise EvidenceError("the Ed25519 signature does not verify with this public key") from None
    return dict(params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("evidence", help="JSON from GET /v1/purchase-orders/{id}/evidence")
    parser.add_argument("--public-key", help="PEM file, or base64 of the raw 32-byte key")
    args = parser.parse_args(argv)
    key = None
    if args.public_key:
        path = Path(args.public_key)
        try:
            key = load_public_key(path.read_text() if path.is_file() else args.public_key)
            check_public_key(key)
        except (EvidenceError, ValueError) as exc:
            print(f"FAILED: --public-key: {exc}")
            return 1
    items = json.loads(Path(args.evidence).read_text(encoding="utf-8")).get("data", [])
    if not items:
        print("FAILED: the file holds no evidence items")
        return 1
    failures = 0
    for index, item in enumerate(items):
        name = item.get("id", f"#{index}")
        try:
            params = check_item(item, key)
        except (EvidenceError, ValueError, TypeError, AttributeError) as exc:
            failures += 1
            print(f"FAILED {name}: {exc}")
        else:
            signed = f"keyid={params['keyid']} created={params.get('created')}"
            print(f"OK     {name} {item['method']} {item['target_uri']} {signed}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
