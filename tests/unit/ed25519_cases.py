"""Degenerate Ed25519 keys, as the hostile test reproduced them, shared by
the unit tests of the checks, of httpsig and of the offline checker.

Written out here rather than taken from ``app.api.ed25519_checks``: the
tests derive the same eight points independently and compare."""

from __future__ import annotations

P = 2**255 - 19

# The eight points of small order, canonically encoded (order 1, 2, 4, 4, 8 x 4).
SMALL_ORDER = [bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
)]  # fmt: skip


def _encode(y: int, sign: int) -> bytes:
    return (y | sign << 255).to_bytes(32, "little")


# Their non-canonical forms: y + p where that fits in 255 bits (y = 0 and
# y = 1; either sign bit), and the sign bit set where x = 0 (the identity
# and (0, -1)). The other sign-bit variants are the list's other points.
NON_CANONICAL = [
    _encode(P + 1, 0), _encode(P + 1, 1),  # the identity as y = p + 1
    _encode(P, 0), _encode(P, 1),          # the two order-4 points as y = p
    _encode(1, 1),                         # the identity with the sign bit
    _encode(P - 1, 1),                     # (0, -1) with the sign bit
]  # fmt: skip

DEGENERATE = SMALL_ORDER + NON_CANONICAL

# As reproduced against the service: the identity key and the constant
# signature R = identity, S = 0, which OpenSSL accepts for every message.
IDENTITY_B64 = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
FORGED_SIGNATURE = SMALL_ORDER[0] + bytes(32)


def ids(encodings: list[bytes]) -> list[str]:
    return [e.hex()[:6] + ".." + e.hex()[-4:] for e in encodings]
