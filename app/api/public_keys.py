"""A supplier's Ed25519 public key as it is registered: read from PEM or
base64 (raw or DER), refused when it could verify forged signatures
(``ed25519_checks``), stored and shown as base64 of the raw 32 bytes."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.api.ed25519_checks import check_public_key

_SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")  # DER header of a raw key


def parse_public_key(text: str) -> bytes:
    """Raw 32-byte Ed25519 public key from a PEM, or from base64 (standard or
    URL-safe, padding optional) of the raw key or of its DER encoding.
    Refused (ValueError, saying why): anything else, and a key that is not a
    canonical point of prime order (``app.api.ed25519_checks``)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        if "PRIVATE KEY" in text.split("\n", 1)[0]:
            raise ValueError("this is a private key; register the public key instead")
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except (ValueError, TypeError, UnicodeEncodeError):
            raise ValueError("not a readable PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__.lstrip('_')}")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        check_public_key(raw)
        return raw
    compact = "".join(text.split()).rstrip("=").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except ValueError:
        raise ValueError("an Ed25519 public key must be PEM or base64 of its 32 raw bytes") from None
    if len(raw) == 44 and raw.startswith(_SPKI_ED25519_PREFIX):
        raw = raw[len(_SPKI_ED25519_PREFIX) :]
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, this decodes to {len(raw)}")
    check_public_key(raw)
    return raw


def public_key_b64(raw: bytes) -> str:
    """Standard base64 of a raw Ed25519 public key: how we store and show it."""
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return base64.b64encode(raw).decode("ascii")
