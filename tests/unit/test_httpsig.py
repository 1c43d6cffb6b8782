"""RFC 9421 signatures: the RFC's own vector, an independent implementation,
and one test per refusal a supplier's developer could run into."""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, InvalidSignature, MappingKeyResolver
from http_message_signatures.algorithms import ED25519
from http_sfv import Dictionary

from app.api.ed25519_checks import L
from app.api.httpsig import (
    REQUIRED_COMPONENTS,
    HttpRequestParts,
    SignatureRefused,
    content_digest,
    sign_request,
    signature_base,
    verify_request,
)
from app.api.public_keys import parse_public_key, public_key_b64
from tests.unit.ed25519_cases import DEGENERATE, FORGED_SIGNATURE, IDENTITY_B64, ids

# RFC 9421 Appendix B.1.4 test key.
RFC_PRIVATE_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n"
)
RFC_PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n"
)

URI = "https://api.example.com/v1/supplier/purchase-orders/po-1/acknowledgement"
BODY = b'{"revision":3,"content_hash":"ab","lines":[{"line_no":1,"decision":"accept"}]}'
NOW = 1_750_000_000
KEYID = "supplier-acme-1"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def signed_parts(key: Ed25519PrivateKey, *, body: bytes = BODY, uri: str = URI, **kwargs: object) -> HttpRequestParts:
    kwargs.setdefault("created", NOW)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x"}
    headers.update(sign_request("POST", uri, headers, body, key, KEYID, **kwargs))  # type: ignore[arg-type]
    return HttpRequestParts("POST", uri, headers, body)


def verify(parts: HttpRequestParts, key: Ed25519PrivateKey, **kwargs: object):
    kwargs.setdefault("now", NOW + 10)
    return verify_request(parts, {KEYID: raw(key)}.get, **kwargs)  # type: ignore[arg-type]


def refused(parts: HttpRequestParts, key: Ed25519PrivateKey, **kwargs: object) -> str:
    with pytest.raises(SignatureRefused) as info:
        verify(parts, key, **kwargs)
    assert info.value.detail
    return info.value.code


def replace_header(parts: HttpRequestParts, name: str, value: str | None) -> HttpRequestParts:
    headers = dict(parts.headers)
    if value is None:
        del headers[name]
    else:
        headers[name] = value
    return HttpRequestParts(parts.method, parts.target_uri, headers, parts.body)


# --- RFC 9421 Appendix B.2.6 ------------------------------------------------

B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="


def test_rfc9421_b26_signature_base_and_signature() -> None:
    parts = HttpRequestParts(
        "POST",
        "http://example.com/foo?param=Value&Pct=%2541",
        {
            "Host": "example.com",
            "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
            "Content-Type": "application/json",
            "Content-Length": "18",
        },
        b'{"hello": "world"}',
    )
    inputs = Dictionary()
    inputs.parse(
        b'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
        b';created=1618884473;keyid="test-key-ed25519"'
    )
    base = signature_base(parts, inputs["sig-b26"])
    assert base == B26_BASE
    private = serialization.load_pem_private_key(RFC_PRIVATE_PEM.encode(), None)
    assert isinstance(private, Ed25519PrivateKey)
    # Ed25519 is deterministic: the RFC's signature is reproduced exactly.
    assert base64.b64encode(private.sign(base.encode())).decode() == B26_SIGNATURE
    Ed25519PublicKey.from_public_bytes(parse_public_key(RFC_PUBLIC_PEM)).verify(
        base64.b64decode(B26_SIGNATURE), base.encode()
    )


# --- round trips --------------------------------------------------------------


def test_sign_then_verify_round_trip(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key, nonce="n-1")
    result = verify(parts, key)
    assert (result.label, result.keyid, result.alg) == ("sig1", KEYID, "ed25519")
    assert (result.created, result.expires, result.nonce) == (NOW, NOW + 300, "n-1")
    assert result.covered == REQUIRED_COMPONENTS
    assert result.signature_input == parts.headers["signature-input"]
    assert f"sig1={result.signature}" == parts.headers["signature"]
    assert result.content_digest == content_digest(BODY)
    assert result.signature_base.splitlines() == [
        '"@method": POST',
        f'"@target-uri": {URI}',
        '"content-type": application/json',
        f'"content-digest": {content_digest(BODY)}',
        f'"@signature-params": {parts.headers["signature-input"].removeprefix("sig1=")}',
    ]


def test_default_nonce_is_random_and_signature_verifies(key: Ed25519PrivateKey) -> None:
    first, second = signed_parts(key), signed_parts(key)
    assert verify(first, key).nonce != verify(second, key).nonce


def test_content_digest_matches_rfc9530_example() -> None:
    # RFC 9530 §2: {"hello": "world"} with a trailing newline.
    assert content_digest(b'{"hello": "world"}\n') == "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"


def test_repeated_header_lines_are_combined() -> None:
    parts = HttpRequestParts.from_raw_headers(
        "GET", "https://x.test/", [(b"Accept", b" a/b "), (b"accept", b"c/d\t")], b""
    )
    assert parts.headers == {"accept": "a/b, c/d"}


def test_first_ed25519_label_is_chosen_among_several(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    headers = dict(parts.headers)
    other = 'other=("@method");created=1;keyid="x";alg="hmac-sha256"'
    headers["signature-input"] = f"{other}, {headers['signature-input']}"
    headers["signature"] = "other=:AAAA:, " + headers["signature"]
    assert verify(HttpRequestParts("POST", URI, headers, BODY), key).label == "sig1"


# --- cross-checks with http_message_signatures ----------------------------------


@dataclass
class LibRequest:
    """The requests-like object http_message_signatures reads and writes."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def resolver(key: Ed25519PrivateKey) -> MappingKeyResolver:
    return MappingKeyResolver(public_keys={KEYID: key.public_key()}, private_keys={KEYID: key})


def test_library_signature_verifies_with_ours(key: Ed25519PrivateKey) -> None:
    request = LibRequest("POST", URI, {"Content-Type": "application/json"})
    created = dt.datetime.fromtimestamp(NOW, dt.UTC)
    HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=resolver(key)).sign(
        request,
        key_id=KEYID,
        created=created,
        expires=created + dt.timedelta(seconds=300),
        nonce="lib-nonce",
        label="sig1",
        covered_component_ids=REQUIRED_COMPONENTS,
        body=BODY,
    )
    # The library orders parameters differently (created;keyid;alg;expires;nonce).
    assert request.headers["Signature-Input"].index("keyid") < request.headers["Signature-Input"].index("expires")
    result = verify(HttpRequestParts("POST", URI, request.headers, BODY), key)
    assert result.nonce == "lib-nonce"


def test_our_signature_verifies_with_library(key: Ed25519PrivateKey) -> None:
    headers = {"Content-Type": "application/json"}
    headers.update(sign_request("POST", URI, headers, BODY, key, KEYID, created=int(time.time())))
    results = HTTPMessageVerifier(signature_algorithm=ED25519, key_resolver=resolver(key)).verify(
        LibRequest("POST", URI, headers),
        max_age=dt.timedelta(seconds=300),
        require_components=REQUIRED_COMPONENTS,
        body=BODY,
    )
    assert [r.label for r in results] == ["sig1"]


def test_library_rejects_our_signature_on_a_tampered_body(key: Ed25519PrivateKey) -> None:
    headers = {"Content-Type": "application/json"}
    headers.update(sign_request("POST", URI, headers, BODY, key, KEYID, created=int(time.time())))
    verifier = HTTPMessageVerifier(signature_algorithm=ED25519, key_resolver=resolver(key))
    with pytest.raises(InvalidSignature):
        verifier.verify(LibRequest("POST", URI, headers), body=BODY.replace(b"3", b"4"))


# --- refusals -------------------------------------------------------------------


def test_tampered_body_byte(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    tampered = HttpRequestParts("POST", URI, parts.headers, BODY.replace(b"accept", b"reject"))
    assert refused(tampered, key) == "digest_mismatch"


def test_tampered_body_with_matching_digest(key: Ed25519PrivateKey) -> None:
    body = BODY.replace(b"accept", b"reject")
    parts = replace_header(signed_parts(key), "content-digest", content_digest(body))
    assert refused(HttpRequestParts("POST", URI, parts.headers, body), key) == "bad_signature"


def test_tampered_signature_byte(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    signature = bytearray(base64.b64decode(parts.headers["signature"].removeprefix("sig1=").strip(":")))
    signature[0] ^= 1
    value = f"sig1=:{base64.b64encode(bytes(signature)).decode()}:"
    assert refused(replace_header(parts, "signature", value), key) == "bad_signature"


@pytest.mark.parametrize(("old", "new"), [(f";created={NOW}", f";created={NOW + 1}"), ('nonce="n-1"', 'nonce="n-2"')])
def test_tampered_signature_input_parameter(key: Ed25519PrivateKey, old: str, new: str) -> None:
    parts = signed_parts(key, nonce="n-1", expires=NOW + 200)
    value = parts.headers["signature-input"].replace(old, new)
    assert value != parts.headers["signature-input"]
    assert refused(replace_header(parts, "signature-input", value), key) == "bad_signature"


def test_changed_method(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    assert refused(HttpRequestParts("PUT", URI, parts.headers, BODY), key) == "bad_signature"


def test_changed_target_uri(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    other = URI.replace("po-1", "po-2")
    assert refused(HttpRequestParts("POST", other, parts.headers, BODY), key) == "bad_signature"


def test_missing_content_digest_header(key: Ed25519PrivateKey) -> None:
    assert refused(replace_header(signed_parts(key), "content-digest", None), key) == "digest_mismatch"


def test_content_digest_without_sha256(key: Ed25519PrivateKey) -> None:
    parts = replace_header(signed_parts(key), "content-digest", "sha-512=:AAAA:")
    assert refused(parts, key) == "digest_mismatch"


def test_content_digest_not_covered(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key, components=("@method", "@target-uri", "content-type"))
    assert refused(parts, key) == "missing_component"


def test_covered_header_absent(key: Ed25519PrivateKey) -> None:
    parts = replace_header(signed_parts(key), "content-type", None)
    assert refused(parts, key) == "missing_component"


def test_window_of_301_seconds(key: Ed25519PrivateKey) -> None:
    assert refused(signed_parts(key, expires=NOW + 301), key) == "bad_window"
    assert verify(signed_parts(key, expires=NOW + 300), key).expires == NOW + 300


def test_expires_before_created(key: Ed25519PrivateKey) -> None:
    assert refused(signed_parts(key, expires=NOW), key) == "bad_window"


def test_expired(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    assert verify(parts, key, now=NOW + 299).created == NOW
    assert refused(parts, key, now=NOW + 300) == "expired"


def test_created_in_the_future(key: Ed25519PrivateKey) -> None:
    assert verify(signed_parts(key, created=NOW + 30), key, now=NOW).created == NOW + 30
    assert refused(signed_parts(key, created=NOW + 31), key, now=NOW) == "not_yet_valid"


def test_unknown_key(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    with pytest.raises(SignatureRefused) as info:
        verify_request(parts, {}.get, now=NOW)
    assert info.value.code == "unknown_key"


def test_other_key_is_a_bad_signature(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureRefused) as info:
        verify_request(signed_parts(key), {KEYID: raw(other)}.get, now=NOW)
    assert info.value.code == "bad_signature"


def test_wrong_alg(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    value = parts.headers["signature-input"].replace('alg="ed25519"', 'alg="rsa-pss-sha512"')
    assert refused(replace_header(parts, "signature-input", value), key) == "unsupported_algorithm"


@pytest.mark.parametrize("param", ["nonce", "alg", "keyid", "expires", "created"])
def test_missing_parameter(key: Ed25519PrivateKey, param: str) -> None:
    parts = signed_parts(key)
    inputs = Dictionary()
    inputs.parse(parts.headers["signature-input"].encode())
    del inputs["sig1"].params[param]
    assert refused(replace_header(parts, "signature-input", str(inputs)), key) == "missing_parameter"


def test_empty_nonce(key: Ed25519PrivateKey) -> None:
    assert refused(signed_parts(key, nonce=""), key) == "malformed_signature"


@pytest.mark.parametrize("header", ["signature", "signature-input"])
def test_missing_signature_headers(key: Ed25519PrivateKey, header: str) -> None:
    assert refused(replace_header(signed_parts(key), header, None), key) == "missing_signature"


PARAMS = f';created={NOW};expires={NOW + 100};keyid="{KEYID}";alg="ed25519";nonce="n"'


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("signature-input", "sig1=(@method" + PARAMS),  # not a dictionary
        ("signature-input", "sig1=(@method)" + PARAMS),  # token, not a string
        ("signature-input", 'sig1=("@method" "@method")' + PARAMS),  # repeated
        ("signature-input", 'sig1=("@Method")' + PARAMS),  # not lower case
        ("signature-input", 'sig1=("@signature-params")' + PARAMS),
        ("signature-input", 'sig1=("@method");created="1";expires=2;keyid="k";alg="ed25519";nonce="n"'),
        ("signature-input", 'sig1=("@method")' + PARAMS.replace('keyid="supplier-acme-1"', "keyid=1")),
        ("signature-input", 'sig1="@method"' + PARAMS),  # an item, not an inner list
        ("signature", "sig1=notbytes"),
        ("signature", "sig2=:AAAA:"),  # no shared label
    ],
)
def test_malformed_signature_headers(key: Ed25519PrivateKey, header: str, value: str) -> None:
    assert refused(replace_header(signed_parts(key), header, value), key) == "malformed_signature"


def test_component_parameters_are_unsupported(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    value = parts.headers["signature-input"].replace('"content-type"', '"content-type";sf')
    assert refused(replace_header(parts, "signature-input", value), key) == "unsupported_component"


# --- keys ------------------------------------------------------------------------


def test_parse_public_key_accepts_pem_and_base64_forms(key: Ed25519PrivateKey) -> None:
    expected = raw(key)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    std = base64.b64encode(expected).decode()
    assert parse_public_key(pem.decode()) == expected
    assert parse_public_key(std) == expected
    assert parse_public_key(std.rstrip("=")) == expected
    assert parse_public_key(base64.urlsafe_b64encode(expected).decode().rstrip("=")) == expected
    assert parse_public_key(f"  {std}\n") == expected
    assert public_key_b64(expected) == std
    assert parse_public_key(RFC_PUBLIC_PEM) == base64.b64decode("JrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=")


def rsa_pem() -> str:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def ec_pem() -> str:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize(
    ("make_text", "message"),
    [
        (rsa_pem, "Ed25519"),
        (ec_pem, "Ed25519"),
        (lambda: RFC_PRIVATE_PEM, "private key"),
        (lambda: base64.b64encode(b"x" * 31).decode(), "32 bytes"),
        (lambda: base64.b64encode(b"x" * 33).decode(), "32 bytes"),
        (lambda: "not base64 at all!", "PEM or base64"),
        (lambda: "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----", "PEM"),
    ],
)
def test_parse_public_key_refuses_other_material(make_text, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_public_key(make_text())


# --- degenerate keys and signatures (issue 9, item 1) ------------------------------


def forged(parts: HttpRequestParts, signature: bytes) -> HttpRequestParts:
    return replace_header(parts, "signature", f"sig1=:{base64.b64encode(signature).decode()}:")


def spki_pem(raw_key: bytes) -> str:
    der = bytes.fromhex("302a300506032b6570032100") + raw_key
    return "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"


@pytest.mark.parametrize("encoded", DEGENERATE, ids=ids(DEGENERATE))
@pytest.mark.parametrize("form", ["base64", "base64url", "der", "pem"])
def test_parse_public_key_refuses_degenerate_keys(encoded: bytes, form: str) -> None:
    text = {
        "base64": lambda: base64.b64encode(encoded).decode(),
        "base64url": lambda: base64.urlsafe_b64encode(encoded).decode().rstrip("="),
        "der": lambda: base64.b64encode(bytes.fromhex("302a300506032b6570032100") + encoded).decode(),
        "pem": lambda: spki_pem(encoded),
    }[form]()
    with pytest.raises(ValueError, match="small-order point|non-canonical encoding"):
        parse_public_key(text)


def test_the_reproduced_forgery_verifies_with_openssl_but_not_here(key: Ed25519PrivateKey) -> None:
    identity = base64.b64decode(IDENTITY_B64)
    parts = forged(signed_parts(key), FORGED_SIGNATURE)
    base = verify(signed_parts(key), key).signature_base
    Ed25519PublicKey.from_public_bytes(identity).verify(FORGED_SIGNATURE, base.encode("ascii"))  # OpenSSL: fine
    with pytest.raises(SignatureRefused) as info:
        verify_request(parts, {KEYID: identity}.get, now=NOW + 10)
    assert info.value.code == "degenerate_key"
    assert "small-order point" in info.value.detail and KEYID in info.value.detail


@pytest.mark.parametrize("encoded", DEGENERATE, ids=ids(DEGENERATE))
def test_a_degenerate_key_registered_before_the_check_is_refused(key: Ed25519PrivateKey, encoded: bytes) -> None:
    with pytest.raises(SignatureRefused) as info:
        verify_request(forged(signed_parts(key), FORGED_SIGNATURE), {KEYID: encoded}.get, now=NOW + 10)
    assert info.value.code == "degenerate_key"


@pytest.mark.parametrize("r", DEGENERATE, ids=ids(DEGENERATE))
def test_a_signature_whose_r_is_degenerate_is_refused(key: Ed25519PrivateKey, r: bytes) -> None:
    parts = signed_parts(key)
    genuine = Dictionary()
    genuine.parse(parts.headers["signature"].encode())
    signature = genuine["sig1"].value
    assert refused(forged(parts, r + signature[32:]), key) == "bad_signature"
    assert refused(forged(parts, r + bytes(32)), key) == "bad_signature"


def test_a_signature_whose_s_is_not_below_l_is_refused(key: Ed25519PrivateKey) -> None:
    parts = signed_parts(key)
    genuine = Dictionary()
    genuine.parse(parts.headers["signature"].encode())
    signature = genuine["sig1"].value
    s_plus_l = int.from_bytes(signature[32:], "little") + L
    with pytest.raises(SignatureRefused, match="group order") as info:
        verify(forged(parts, signature[:32] + s_plus_l.to_bytes(32, "little")), key)
    assert info.value.code == "bad_signature"
    assert verify(parts, key).keyid == KEYID  # the genuine one still verifies
