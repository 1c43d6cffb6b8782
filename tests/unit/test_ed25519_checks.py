"""Degenerate Ed25519 keys and signatures: the eight small-order points
derived independently, each shown to forge with OpenSSL, each refused."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.api.ed25519_checks import (
    L,
    SMALL_ORDER_ENCODINGS,
    check_public_key,
    check_signature,
    decode_point,
    small_order,
)
from tests.unit.ed25519_cases import FORGED_SIGNATURE, NON_CANONICAL, P, SMALL_ORDER, ids

# RFC 8032 §7.1 test vectors 1-3 (public keys).
RFC8032_KEYS = [bytes.fromhex(h) for h in (
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
)]  # fmt: skip


# --- an independent derivation of the eight points --------------------------------

D = -121665 * pow(121666, -1, P) % P


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    # Affine twisted Edwards addition (a = -1): slow, obviously right.
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P, (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P)


def _times(n: int, point: tuple[int, int]) -> tuple[int, int]:
    result, addend = (0, 1), point
    while n:
        if n & 1:
            result = _add(result, addend)
        addend, n = _add(addend, addend), n >> 1
    return result


def _encode(point: tuple[int, int]) -> bytes:
    x, y = point
    return (y | (x & 1) << 255).to_bytes(32, "little")


def test_the_eight_small_order_points_are_the_known_list() -> None:
    # L·Q lies in the 8-torsion for any Q on the curve; an element of order 8
    # generates all of it. Q from hashed seeds until one lands there.
    for seed in range(100):
        try:
            x, y, z, _ = decode_point(hashlib.sha256(bytes([seed])).digest())
        except ValueError:
            continue
        torsion = _times(L, (x * pow(z, -1, P) % P, y * pow(z, -1, P) % P))
        if small_order((torsion[0], torsion[1], 1, torsion[0] * torsion[1] % P)) == 8:
            break
    group = {_encode(_times(k, torsion)) for k in range(8)}
    assert group == set(SMALL_ORDER) == set(SMALL_ORDER_ENCODINGS)
    assert sorted(small_order(decode_point(e)) for e in SMALL_ORDER) == [1, 2, 4, 4, 8, 8, 8, 8]


# --- why: OpenSSL lets each of them verify a signature nobody made -----------------


@pytest.mark.parametrize("encoded", SMALL_ORDER + NON_CANONICAL[:2], ids=ids(SMALL_ORDER + NON_CANONICAL[:2]))
def test_openssl_verifies_a_forgery_under_the_key_and_the_check_refuses_it(encoded: bytes) -> None:
    # R = identity, S = 0 verifies whenever k·A = identity: always for the
    # identity, for one message in `order` for the others.
    key = Ed25519PublicKey.from_public_bytes(encoded)
    for n in range(400):
        try:
            key.verify(FORGED_SIGNATURE, f"pay supplier {n}".encode())
            break
        except InvalidSignature:
            continue
    else:
        pytest.fail("no forgery verified: OpenSSL refuses this key now; keep the check anyway")
    with pytest.raises(ValueError, match="small-order|non-canonical"):
        check_public_key(encoded)
    with pytest.raises(ValueError, match="R is"):
        check_signature(FORGED_SIGNATURE)


# --- keys ------------------------------------------------------------------------


@pytest.mark.parametrize("encoded", SMALL_ORDER, ids=ids(SMALL_ORDER))
def test_small_order_keys_are_refused_saying_why(encoded: bytes) -> None:
    with pytest.raises(ValueError, match=r"small-order point \(order \d\): it would verify forged signatures"):
        check_public_key(encoded)


@pytest.mark.parametrize("encoded", NON_CANONICAL, ids=ids(NON_CANONICAL))
def test_non_canonical_encodings_are_refused_saying_why(encoded: bytes) -> None:
    with pytest.raises(ValueError, match="non-canonical encoding"):
        decode_point(encoded)
    with pytest.raises(ValueError, match="non-canonical encoding"):
        check_public_key(encoded)


def test_every_y_of_p_or_more_is_refused_whatever_the_point() -> None:
    for y in range(P, 2**255):
        for sign in (0, 1):
            with pytest.raises(ValueError, match="non-canonical|not a point"):
                decode_point((y | sign << 255).to_bytes(32, "little"))


def test_bytes_off_the_curve_are_refused() -> None:
    off = next(y for y in range(2, 100) if _off_curve(y))
    with pytest.raises(ValueError, match="not a point on the Ed25519 curve"):
        check_public_key(off.to_bytes(32, "little"))
    with pytest.raises(ValueError, match="32 bytes"):
        check_public_key(bytes(31))


def _off_curve(y: int) -> bool:
    try:
        decode_point(y.to_bytes(32, "little"))
    except ValueError:
        return True
    return False


def test_genuine_keys_and_signatures_pass() -> None:
    for raw in RFC8032_KEYS:
        check_public_key(raw)
    for n in range(50):
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes_raw()
        check_public_key(raw)
        check_signature(private.sign(f"message {n}".encode()))
        x, y, z, _ = decode_point(raw)
        assert _encode((x * pow(z, -1, P) % P, y * pow(z, -1, P) % P)) == raw  # canonical round trip


# --- signatures ------------------------------------------------------------------


@pytest.mark.parametrize("r", SMALL_ORDER + NON_CANONICAL, ids=ids(SMALL_ORDER + NON_CANONICAL))
def test_a_signature_whose_r_is_degenerate_is_refused(r: bytes) -> None:
    genuine = Ed25519PrivateKey.generate().sign(b"m")
    with pytest.raises(ValueError, match="its R is (a small-order point|a non-canonical encoding)"):
        check_signature(r + genuine[32:])


def test_a_signature_whose_s_is_not_below_l_is_refused() -> None:
    private = Ed25519PrivateKey.generate()
    genuine = private.sign(b"m")
    s = int.from_bytes(genuine[32:], "little")
    for big in (s + L, L, 2**256 - 1):
        forged = genuine[:32] + big.to_bytes(32, "little")
        with pytest.raises(ValueError, match="S is not below the group order"):
            check_signature(forged)
        # Today's OpenSSL refuses it too; the check does not depend on that.
        with pytest.raises(InvalidSignature):
            private.public_key().verify(forged, b"m")
    check_signature(genuine[:32] + (L - 1).to_bytes(32, "little"))


@pytest.mark.parametrize("length", [0, 63, 65])
def test_a_signature_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        check_signature(bytes(length))
