"""Degenerate Ed25519 keys and signatures, refused before OpenSSL sees them.

Why this is hand-written: OpenSSL (through ``cryptography``) verifies
against any 32 bytes it can decode. With a small-order public key A
(8·A = identity, e.g. the identity point itself) the constant signature
R = identity, S = 0 verifies for *every* message, so whoever registers such
a key can sign anything without a private key; it also accepts
non-canonical encodings of a point (y ≥ p), so one key has several byte
strings. Neither ``cryptography`` nor any other library in this project
decodes a point or computes its order, and the check is a few lines of
integer arithmetic, so it lives here (pure Python, no state, ~0.3 ms a key).

The rules are RFC 8032 §5.1.3 (decoding: y < p, x recovered from the curve
equation, x = 0 with the sign bit set refused) plus 8·P ≠ identity. The
curve has exactly eight points of small order (order 1, 2, 4 and 8); their
canonical encodings are ``SMALL_ORDER_ENCODINGS``, the list also known from
libsodium's ``ge25519_has_small_order`` and from Chalkias et al., "Taming
the many EdDSAs" (2020). S ≥ L is checked here too although today's
OpenSSL refuses it already: the offline checker may run on another build.

``examples/verify_evidence.py`` carries its own copy of these checks (it
must stay standalone); tests pit both against the same cases.
"""

from __future__ import annotations

P = 2**255 - 19  # the field
L = 2**252 + 27742317777372353535851937790883648493  # the prime order of the base point
D = -121665 * pow(121666, -1, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

SMALL_ORDER_ENCODINGS = tuple(bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity (order 1)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # (0, -1), order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # (√-1, 0), order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # (-√-1, 0), order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
))  # fmt: skip

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
IDENTITY: Point = (0, 1, 1, 0)


def decode_point(encoded: bytes) -> Point:
    """RFC 8032 §5.1.3: the point ``encoded`` names; ValueError saying why
    it names none, or names one non-canonically."""
    if len(encoded) != 32:
        raise ValueError(f"a point is 32 bytes, not {len(encoded)}")
    number = int.from_bytes(encoded, "little")
    sign, y = number >> 255, number & ((1 << 255) - 1)
    if y >= P:
        raise ValueError("a non-canonical encoding (its y coordinate is not below 2^255 - 19)")
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == -u % P:
        x = x * SQRT_M1 % P
    elif v * x * x % P != u:
        raise ValueError("not a point on the Ed25519 curve")
    if x == 0 and sign:
        raise ValueError("a non-canonical encoding (x = 0 with the sign bit set)")
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def small_order(point: Point) -> int | None:
    """The order of ``point`` when it is 1, 2, 4 or 8, else None."""
    for order in (1, 2, 4, 8):
        if _is_identity(point):
            return order
        point = _double(point)
    return None


def check_public_key(raw: bytes) -> None:
    """ValueError saying why ``raw`` must not be registered or trusted as a key."""
    try:
        point = decode_point(raw)
    except ValueError as exc:
        raise ValueError(f"this Ed25519 public key is {exc}") from None
    order = small_order(point)
    if order is not None:
        raise ValueError(f"this Ed25519 public key is a small-order point (order {order}): "
                         "it would verify forged signatures")


def check_signature(signature: bytes) -> None:
    """ValueError saying why ``signature`` (R ‖ S) cannot be a genuine one."""
    if len(signature) != 64:
        raise ValueError(f"an Ed25519 signature is 64 bytes, not {len(signature)}")
    try:
        r = decode_point(signature[:32])
    except ValueError as exc:
        raise ValueError(f"its R is {exc}") from None
    if small_order(r) is not None:
        raise ValueError("its R is a small-order point")
    if int.from_bytes(signature[32:], "little") >= L:
        raise ValueError("its S is not below the group order L")


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def _double(point: Point) -> Point:
    # RFC 8032 §5.1.4, doubling in extended coordinates (a = -1).
    x1, y1, z1, _ = point
    a, b, c = x1 * x1 % P, y1 * y1 % P, 2 * z1 * z1 % P
    h = (a + b) % P
    e = (h - (x1 + y1) ** 2) % P
    g = (a - b) % P
    f = (c + g) % P
    return (e * f % P, g * h % P, f * g % P, e * h % P)
