"""The reference client in examples/ agrees with the server, byte for byte.

A supplier copies these scripts instead of importing our code, so each test
pits a standalone copy against app.api.httpsig / app.domain.canonical.
"""

from __future__ import annotations

import ast
import base64
import copy
import datetime as dt
import importlib.util
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver
from http_message_signatures.algorithms import ED25519

from app.domain.canonical import canonical_json, content_hash
from app.api.ed25519_checks import L, check_public_key, check_signature
from app.api.httpsig import (
    HttpRequestParts,
    SignatureRefused,
    sign_request,
    verify_request,
)
from app.api.public_keys import parse_public_key, public_key_b64
from app.api.json_bodies import duplicate_keys
from tests.unit.ed25519_cases import DEGENERATE, FORGED_SIGNATURE, IDENTITY_B64, ids

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = "http://gendan.test"
KEYID = "acme-2025"
NOW = 1_750_000_000
ORDER_CONTENT = {
    "supplier": "Müller & Söhne GmbH",
    "lines": [
        {"line_no": 1, "sku": "A-1", "qty": "12.50", "unit_price": "3.1000", "note": "tab\there"},
        {"line_no": 2, "sku": "漢字", "qty": "1", "unit_price": "0.10", "note": "\U0001f600 \ufb33"},
    ],
    "currency": "USD",
}


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client_module() -> ModuleType:
    return load("supplier_client")


@pytest.fixture(scope="module")
def evidence_module() -> ModuleType:
    return load("verify_evidence")


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def key_for(key: Ed25519PrivateKey):
    return {KEYID: key.public_key().public_bytes_raw()}.get


def parts_of(request: httpx.Request) -> HttpRequestParts:
    return HttpRequestParts(request.method, str(request.url), dict(request.headers), request.content)


@pytest.mark.parametrize("name", ["supplier_client", "verify_evidence", "make_key"])
def test_examples_are_standalone(name: str) -> None:
    tree = ast.parse((EXAMPLES / f"{name}.py").read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= {"cryptography", "httpx"}, third_party


# --- canonical JSON: two implementations, one answer ------------------------------

TRICKY = [
    ORDER_CONTENT,
    {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\x80": 6, "\xf6": 7},
    {"b": [None, True, False, [], {}], "a": {"": "", "\x00\x1f\x7f": "\"\\/\b\f\n\r\t"}},
    {"n": [0, -1, 2**53, -(2**53)], "z": "é\u2028\u2029"},
    ["\U0010ffff", "\ud7ff\ue000", {"\ue000": 0, "\U00010000": 1}],
]


@pytest.mark.parametrize("value", TRICKY)
def test_both_jcs_implementations_agree(client_module: ModuleType, value: Any) -> None:
    assert client_module.canonical_json(value) == canonical_json(value)
    assert client_module.content_hash(value) == content_hash(value)


@pytest.mark.parametrize(("value", "error"), [(1.5, TypeError), ("\ud800", ValueError), (2**53 + 1, ValueError)])
def test_both_jcs_implementations_refuse_the_same(client_module: ModuleType, value: Any, error: type) -> None:
    with pytest.raises(error):
        canonical_json(value)
    with pytest.raises(error):
        client_module.canonical_json(value)


# --- the client's signature, the server's verifier ---------------------------------


def test_client_signature_verifies_on_the_server(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    url = f"{BASE}/v1/supplier/purchase-orders/PO-1/acknowledgement"
    body = '{"lines":[{"line_no":1,"decision":"accept","note":"ü"}]}'.encode()
    headers = client_module.sign("POST", url, body, key, KEYID, created=NOW, nonce="abc")
    result = verify_request(HttpRequestParts("POST", url, headers, body), key_for(key), now=NOW + 1)
    assert (result.keyid, result.created, result.expires, result.nonce) == (KEYID, NOW, NOW + 300, "abc")
    # Same inputs, same bytes: the client emits what the server serializes.
    server = sign_request("POST", url, {"Content-Type": "application/json"}, body, key, KEYID, created=NOW, nonce="abc")
    assert {name: headers[name] for name in server} == server


def test_client_default_nonce_is_16_random_bytes(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    url = f"{BASE}/x"
    nonces = {
        verify_request(
            HttpRequestParts("POST", url, client_module.sign("POST", url, b"{}", key, KEYID, created=NOW), b"{}"),
            key_for(key),
            now=NOW,
        ).nonce
        for _ in range(3)
    }
    assert len(nonces) == 3
    assert all(len(base64.urlsafe_b64decode(n + "==")) == 16 for n in nonces)


def test_client_ttl_beyond_300_is_refused_by_the_server(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    url = f"{BASE}/x"
    headers = client_module.sign("POST", url, b"{}", key, KEYID, created=NOW, ttl=301)
    with pytest.raises(SignatureRefused) as info:
        verify_request(HttpRequestParts("POST", url, headers, b"{}"), key_for(key), now=NOW)
    assert info.value.code == "bad_window"


class FakeServer:
    """Serves one purchase order and verifies signed POSTs like the real API."""

    def __init__(self, key: Ed25519PrivateKey, *, tamper_hash: bool = False):
        self.key = key
        self.posts: list[tuple[str, dict[str, Any]]] = []
        digest = content_hash(ORDER_CONTENT)
        self.order = {"id": "PO-1", "revision": 3, "content_hash": "0" * 64 if tamper_hash else digest}
        self.order["content"] = ORDER_CONTENT

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer T"
        if request.method == "GET" and request.url.path == "/v1/supplier/purchase-orders/PO-1":
            return httpx.Response(200, json=self.order)
        try:
            verify_request(parts_of(request), key_for(self.key))
        except SignatureRefused as exc:
            return httpx.Response(401, json={"code": exc.code, "detail": exc.detail})
        self.posts.append((request.url.path, json.loads(request.content)))
        return httpx.Response(201, json={"ok": True})


def http_client(server: FakeServer) -> httpx.Client:
    return httpx.Client(base_url=BASE, headers={"Authorization": "Bearer T"}, transport=httpx.MockTransport(server))


def test_acknowledge_accept_all(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    server = FakeServer(key)
    with http_client(server) as client:
        response = client_module.acknowledge(client, "PO-1", key, KEYID, accept_all=True)
    assert response.status_code == 201, response.text
    assert server.posts == [
        (
            "/v1/supplier/purchase-orders/PO-1/acknowledgement",
            {
                "revision": 3,
                "content_hash": content_hash(ORDER_CONTENT),
                "lines": [{"line_no": 1, "decision": "accept"}, {"line_no": 2, "decision": "accept"}],
            },
        )
    ]


def test_acknowledge_with_lines(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    server = FakeServer(key)
    lines = [{"line_no": 1, "decision": "accept"}, {"line_no": 2, "decision": "reject", "reason": "discontinued"}]
    with http_client(server) as client:
        assert client_module.acknowledge(client, "PO-1", key, KEYID, lines=lines).status_code == 201
    assert server.posts[0][1]["lines"] == lines


def test_acknowledge_refuses_to_sign_a_wrong_content_hash(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    server = FakeServer(key, tamper_hash=True)
    with http_client(server) as client, pytest.raises(client_module.ContentHashMismatch):
        client_module.acknowledge(client, "PO-1", key, KEYID, accept_all=True)
    assert server.posts == []


def test_deliver(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    server = FakeServer(key)
    lines = [{"line_no": 1, "qty": "12.50"}]
    with http_client(server) as client:
        response = client_module.deliver(client, "PO-1", key, KEYID, lines=lines, reference="DN-1")
    assert response.status_code == 201
    assert server.posts == [("/v1/supplier/purchase-orders/PO-1/delivery-notes", {"reference": "DN-1", "lines": lines})]


def test_wrong_key_is_answered_401(client_module: ModuleType, key: Ed25519PrivateKey) -> None:
    with http_client(FakeServer(key)) as client:
        response = client_module.deliver(client, "PO-1", Ed25519PrivateKey.generate(), KEYID, lines=[])
    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")


def test_cli_exit_codes(
    client_module: ModuleType, key: Ed25519PrivateKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    lines_file = tmp_path / "lines.json"
    lines_file.write_text('[{"line_no": 1, "qty": "1"}]')
    real_client = httpx.Client
    server = FakeServer(key)
    monkeypatch.setattr(httpx, "Client", lambda **kw: real_client(transport=httpx.MockTransport(server), **kw))
    common = ["--base-url", BASE, "--token", "T", "--key-file", str(key_file), "--keyid", KEYID]
    assert client_module.main([*common, "acknowledge", "PO-1", "--accept-all"]) == 0
    assert client_module.main([*common, "deliver", "PO-1", "--lines", str(lines_file), "--reference", "DN"]) == 0
    assert client_module.main([*common, "show", "PO-1"]) == 0
    assert "content_hash OK" in capsys.readouterr().out
    server.order["content_hash"] = "f" * 64
    assert client_module.main([*common, "acknowledge", "PO-1", "--accept-all"]) == 1
    assert "REFUSED" in capsys.readouterr().err
    assert client_module.main([*common[:-2], "--keyid", "other", "deliver", "PO-1", "--lines", str(lines_file)]) == 1
    assert len(server.posts) == 2


# --- evidence: signed by the server's code, checked by the standalone script -------


def evidence_item(key: Ed25519PrivateKey, body: bytes, path: str = "acknowledgement") -> dict[str, Any]:
    uri = f"https://gendan.example/v1/supplier/purchase-orders/PO-1/{path}?x=1"
    headers = {"Content-Type": "application/json; charset=utf-8"}
    headers.update(sign_request("POST", uri, headers, body, key, KEYID, created=NOW))
    verified = verify_request(HttpRequestParts("POST", uri, headers, body), key_for(key), now=NOW + 5)
    return {
        "id": f"ev-{path}",
        "kind": path,
        "keyid": verified.keyid,
        "public_key": public_key_b64(key.public_key().public_bytes_raw()),
        "method": "POST",
        "target_uri": uri,
        "headers": {
            "content-type": headers["Content-Type"],
            "content-digest": verified.content_digest,
            "signature-input": verified.signature_input,
            "signature": f"{verified.label}={verified.signature}",
        },
        "body": body.decode("utf-8"),
        "signature_base": verified.signature_base,
        "created": verified.created,
        "expires": verified.expires,
        "nonce": verified.nonce,
    }


BODY = json.dumps({"revision": 3, "lines": [{"line_no": 1, "note": "Müller 漢字 \U0001f600"}]}, ensure_ascii=False)


def test_evidence_signed_by_the_server_code_checks_out(evidence_module: ModuleType, key: Ed25519PrivateKey) -> None:
    item = evidence_item(key, BODY.encode())
    params = evidence_module.check_item(item)
    assert (params["keyid"], params["created"], params["alg"]) == (KEYID, NOW, "ed25519")
    assert evidence_module.check_item(item, key.public_key().public_bytes_raw())["nonce"] == item["nonce"]


def test_evidence_of_a_client_signed_request(
    client_module: ModuleType, evidence_module: ModuleType, key: Ed25519PrivateKey
) -> None:
    url = f"{BASE}/v1/supplier/purchase-orders/PO-1/delivery-notes"
    body = BODY.encode()
    headers = client_module.sign("POST", url, body, key, KEYID, created=NOW)
    verified = verify_request(HttpRequestParts("POST", url, headers, body), key_for(key), now=NOW)
    item = {
        "keyid": KEYID, "method": "POST", "target_uri": url, "body": BODY,
        "headers": {name.lower(): value for name, value in headers.items()},
        "signature_base": verified.signature_base,
    }  # fmt: skip
    assert evidence_module.check_item(item, key.public_key().public_bytes_raw())["keyid"] == KEYID


def tamper(item: dict[str, Any], how: str) -> dict[str, Any]:
    item = copy.deepcopy(item)
    if how == "body":
        item["body"] += " "
    elif how == "digest_and_body":
        item["body"] += " "
        item["headers"]["content-digest"] = sign_request(
            "POST", "http://x/", {"Content-Type": "a"}, item["body"].encode(), Ed25519PrivateKey.generate(), "k"
        )["Content-Digest"]
    elif how == "target_uri":
        item["target_uri"] = item["target_uri"].replace("PO-1", "PO-2")
    elif how == "method":
        item["method"] = "PUT"
    elif how == "content_type":
        item["headers"]["content-type"] = "text/plain"
    elif how == "signature_base":
        item["signature_base"] = item["signature_base"].replace("PO-1", "PO-2")
    elif how == "signature":
        signature = bytearray(base64.b64decode(item["headers"]["signature"].split("=:", 1)[1].rstrip(":")))
        signature[-1] ^= 0x80
        item["headers"]["signature"] = f"sig1=:{base64.b64encode(bytes(signature)).decode()}:"
    elif how == "created":
        item["headers"]["signature-input"] = item["headers"]["signature-input"].replace(f"created={NOW}", "created=1")
        item.pop("signature_base")
    elif how == "keyid":
        item["keyid"] = "someone-else"
    elif how == "public_key":
        item["public_key"] = public_key_b64(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    elif how == "missing_field":
        del item["target_uri"]
    return item


TAMPERINGS = [
    "body", "digest_and_body", "target_uri", "method", "content_type", "signature_base",
    "signature", "created", "keyid", "public_key", "missing_field",
]  # fmt: skip


@pytest.mark.parametrize("how", TAMPERINGS)
def test_tampered_evidence_fails(evidence_module: ModuleType, key: Ed25519PrivateKey, how: str) -> None:
    with pytest.raises(evidence_module.EvidenceError):
        evidence_module.check_item(tamper(evidence_item(key, BODY.encode()), how))


def test_public_key_given_must_match_the_item(evidence_module: ModuleType, key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(evidence_module.EvidenceError, match="public_key"):
        evidence_module.check_item(evidence_item(key, BODY.encode()), other)


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_verify_evidence_script(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    items = [evidence_item(key, BODY.encode()), evidence_item(key, b'{"reference":"DN-1"}', "delivery-notes")]
    good = tmp_path / "evidence.json"
    good.write_text(json.dumps({"data": items}, ensure_ascii=False), encoding="utf-8")
    pem = tmp_path / "supplier.pub.pem"
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    for extra in ([], ["--public-key", str(pem)], ["--public-key", items[0]["public_key"]]):
        result = run_script("verify_evidence", str(good), *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count("OK ") == 2 and "FAILED" not in result.stdout

    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps({"data": [items[0], tamper(items[1], "body")]}), encoding="utf-8")
    result = run_script("verify_evidence", str(bad), "--public-key", str(pem))
    assert result.returncode == 1
    assert "OK     ev-acknowledgement" in result.stdout
    assert "FAILED ev-delivery-notes: Content-Digest does not match the body" in result.stdout

    empty = tmp_path / "empty.json"
    empty.write_text('{"data": []}')
    assert run_script("verify_evidence", str(empty)).returncode == 1


def test_make_key_script(tmp_path: Path) -> None:
    path = tmp_path / "supplier-key.pem"
    result = run_script("make_key", str(path))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    private = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(private, Ed25519PrivateKey)
    raw = private.public_key().public_bytes_raw()
    b64_line = next(line for line in result.stdout.splitlines() if "base64 raw" in line)
    assert parse_public_key(b64_line.rsplit(" ", 1)[1]) == raw
    pem = result.stdout[result.stdout.index("-----BEGIN PUBLIC KEY-----") :]
    assert parse_public_key(pem) == raw
    again = run_script("make_key", str(path))
    assert again.returncode == 1 and "not overwriting" in again.stderr


def test_evidence_of_a_request_signed_by_another_library(evidence_module: ModuleType, key: Ed25519PrivateKey) -> None:
    # http_message_signatures orders the parameters its own way and adds a tag.
    @dataclass
    class Request:
        method: str
        url: str
        headers: dict[str, str] = field(default_factory=dict)

    url = f"{BASE}/v1/supplier/purchase-orders/PO-1/acknowledgement"
    request = Request("POST", url, {"Content-Type": "application/json"})
    created = dt.datetime.fromtimestamp(NOW, dt.UTC)
    HTTPMessageSigner(
        signature_algorithm=ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={KEYID: key}),
    ).sign(
        request, key_id=KEYID, created=created, expires=created + dt.timedelta(seconds=60), nonce="n",
        tag="gendan", label="sig1", covered_component_ids=("@method", "@target-uri", "content-type"), body=b"{}",
    )  # fmt: skip
    item = {
        "keyid": KEYID, "method": "POST", "target_uri": url, "body": "{}",
        "headers": {name.lower(): value for name, value in request.headers.items()},
        "public_key": public_key_b64(key.public_key().public_bytes_raw()),
    }  # fmt: skip
    assert evidence_module.check_item(item)["tag"] == "gendan"


# --- evidence that proves nothing: degenerate keys, two-meaning bodies (issue 9) ---


def signature_of(item: dict[str, Any]) -> bytes:
    return base64.b64decode(item["headers"]["signature"].split("=:", 1)[1].rstrip(":"))


def with_signature(item: dict[str, Any], signature: bytes) -> dict[str, Any]:
    item = copy.deepcopy(item)
    item["headers"]["signature"] = f"sig1=:{base64.b64encode(signature).decode()}:"
    return item


def forged_evidence(raw_key: bytes) -> dict[str, Any]:
    """As the hostile test made it: 'signed' under a small-order key with R = identity, S = 0."""
    item = with_signature(evidence_item(Ed25519PrivateKey.generate(), BODY.encode()), FORGED_SIGNATURE)
    item["public_key"] = base64.b64encode(raw_key).decode()
    return item


def test_the_reproduced_forged_evidence_is_refused(evidence_module: ModuleType) -> None:
    identity = base64.b64decode(IDENTITY_B64)
    item = forged_evidence(identity)
    # What the checker printed OK for: OpenSSL verifies the forgery.
    Ed25519PublicKey.from_public_bytes(identity).verify(FORGED_SIGNATURE, item["signature_base"].encode())
    with pytest.raises(evidence_module.EvidenceError, match="small-order point: it verifies forged signatures"):
        evidence_module.check_item(item)
    with pytest.raises(evidence_module.EvidenceError, match="small-order"):
        evidence_module.check_item(item, identity)


@pytest.mark.parametrize("encoded", DEGENERATE, ids=ids(DEGENERATE))
def test_evidence_under_a_degenerate_key_is_refused(evidence_module: ModuleType, encoded: bytes) -> None:
    with pytest.raises(evidence_module.EvidenceError, match="small-order point|non-canonical encoding"):
        evidence_module.check_item(forged_evidence(encoded))


@pytest.mark.parametrize("r", DEGENERATE, ids=ids(DEGENERATE))
def test_evidence_whose_signature_r_is_degenerate_is_refused(
    evidence_module: ModuleType, key: Ed25519PrivateKey, r: bytes
) -> None:
    item = evidence_item(key, BODY.encode())
    with pytest.raises(evidence_module.EvidenceError, match="signature's R is"):
        evidence_module.check_item(with_signature(item, r + signature_of(item)[32:]))


def test_evidence_whose_signature_s_is_not_below_l_is_refused(evidence_module: ModuleType, key: Ed25519PrivateKey) -> None:
    item = evidence_item(key, BODY.encode())
    signature = signature_of(item)
    s_plus_l = int.from_bytes(signature[32:], "little") + L
    with pytest.raises(evidence_module.EvidenceError, match="S is not below the group order"):
        evidence_module.check_item(with_signature(item, signature[:32] + s_plus_l.to_bytes(32, "little")))


def test_the_standalone_ed25519_checks_agree_with_the_server_s(evidence_module: ModuleType) -> None:
    keys = [*DEGENERATE, *(Ed25519PrivateKey.generate().public_key().public_bytes_raw() for _ in range(20)),
            *(n.to_bytes(32, "little") for n in range(2, 40))]  # some of these are off the curve
    for raw_key in keys:
        assert _refuses(check_public_key, ValueError, raw_key) == _refuses(
            evidence_module.check_public_key, evidence_module.EvidenceError, raw_key), raw_key.hex()
        signature = raw_key + (L - 1).to_bytes(32, "little")
        assert _refuses(check_signature, ValueError, signature) == _refuses(
            evidence_module.check_signature, evidence_module.EvidenceError, signature), raw_key.hex()


def _refuses(check: Any, error: type[Exception], value: bytes) -> bool:
    try:
        check(value)
    except error:
        return True
    return False


def test_the_verify_evidence_script_refuses_the_forgery(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps({"data": [evidence_item(key, BODY.encode()),
                                         forged_evidence(base64.b64decode(IDENTITY_B64))]}))
    result = run_script("verify_evidence", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "OK     ev-acknowledgement" in result.stdout
    assert "FAILED ev-acknowledgement: the public key is a small-order point" in result.stdout
    result = run_script("verify_evidence", str(path), "--public-key", IDENTITY_B64)
    assert result.returncode == 1 and "FAILED: --public-key: the public key is a small-order point" in result.stdout


DUPLICATED_LINES = (
    '{"revision":3,"content_hash":"ab","lines":[{"line_no":1,"decision":"reject"}],'
    '"lines":[{"line_no":1,"decision":"accept"}]}'
)


def test_evidence_whose_signed_body_holds_a_key_twice_is_refused(
    evidence_module: ModuleType, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    item = evidence_item(key, DUPLICATED_LINES.encode())  # correctly signed
    with pytest.raises(evidence_module.EvidenceError, match=r"holds a key twice \(body\.lines\)"):
        evidence_module.check_item(item)
    path = tmp_path / "two-meanings.json"
    path.write_text(json.dumps({"data": [item]}))
    result = run_script("verify_evidence", str(path), "--public-key", item["public_key"])
    assert result.returncode == 1 and "FAILED ev-acknowledgement: the signed body holds a key twice" in result.stdout


@pytest.mark.parametrize("text", [
    DUPLICATED_LINES,
    '{"a": 1, "b": {"c": [{"d": 1, "d": 2}, {"d": 3}]}, "a": 2}',
    '[{"x": 1, "\\u0078": 2}, [{"y": {"z": 0, "z": 0}}]]',
    '{"k": {"k": 1}, "K": 2}',
    '{"a": {"b": {"x": 1, "x": 2}}, "c": {"y": 1, "y": 2}}',
    '{"a": 1}',
    '[]',
])  # fmt: skip
def test_both_duplicate_key_detectors_agree(evidence_module: ModuleType, text: str) -> None:
    server = [".".join(str(part) for part in ("body", *d.loc)) for d in duplicate_keys(text)]
    assert evidence_module.duplicate_keys(text) == server
