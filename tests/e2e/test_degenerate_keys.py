"""Degenerate Ed25519 keys over real HTTP, on both stores (issue 9, item 1):
the small-order key that let anyone sign back a PO is refused at
registration and at rotation, saying why; the constant forged signature
signs nothing back, neither under a genuine key nor under such a key
registered before the check existed."""

from __future__ import annotations

import base64
import json
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.values import Actor
from tests.e2e.helpers import PROBLEM
from tests.e2e.hostile import events_after, last_position
from tests.e2e.sourcing import Supplier, client_module, new_supplier, sent_po
from tests.unit.ed25519_cases import DEGENERATE, FORGED_SIGNATURE, IDENTITY_B64

REASON = ("small-order point", "non-canonical encoding")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _pem(raw: bytes) -> str:
    der = bytes.fromhex("302a300506032b6570032100") + raw
    return f"-----BEGIN PUBLIC KEY-----\n{_b64(der)}\n-----END PUBLIC KEY-----\n"


def _refused_key(r, field: str) -> str:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    [error] = r.json()["errors"]
    assert error["field"] == field, error
    assert any(reason in error["message"] for reason in REASON), error
    return error["message"]


async def test_the_reproduced_identity_key_is_refused_at_registration_saying_why(api):
    name = f"Forger {uuid.uuid4().hex[:8]}"
    before = await last_position(api)
    for text in (IDENTITY_B64, _pem(base64.b64decode(IDENTITY_B64))):
        r = await api.post("/v1/suppliers", {"name": name, "country": "CN", "keys": [
            {"keyid": "forged-1", "public_key": text}]}, role="purchaser")
        message = _refused_key(r, "keys.0.public_key")
        assert "small-order point (order 1): it would verify forged signatures" in message
    assert not [e for e in await events_after(api, before) if name in str(e["data"])]


async def test_every_small_order_key_and_non_canonical_form_is_refused_at_registration(api):
    good = (await new_supplier(api)).key.public_key().public_bytes_raw()
    for encoded in DEGENERATE:
        r = await api.post("/v1/suppliers", {"name": f"S {uuid.uuid4().hex[:8]}", "country": "CN", "keys": [
            {"keyid": "good-1", "public_key": _b64(good)},
            {"keyid": "bad-1", "public_key": _b64(encoded)}]}, role="purchaser")
        _refused_key(r, "keys.1.public_key")


async def test_every_degenerate_key_is_refused_at_rotation(api):
    supplier = await new_supplier(api)
    before = (await api.get(f"/v1/suppliers/{supplier.id}", role="purchaser")).json()
    for n, encoded in enumerate(DEGENERATE):
        r = await api.post(f"/v1/suppliers/{supplier.id}/keys",
                           {"keyid": f"rotated-{n}", "public_key": _b64(encoded)}, role="supervisor")
        _refused_key(r, "public_key")
    after = (await api.get(f"/v1/suppliers/{supplier.id}", role="purchaser")).json()
    assert after["version"] == before["version"] and after["keys"] == before["keys"]


async def test_the_constant_forged_signature_does_not_sign_back(api):
    supplier, po = await sent_po(api)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    request, client = supplier.signed(path, {"revision": 1, "content_hash": po["content_hash"],
                                             "lines": [{"line_no": 1, "decision": "accept"}]})
    request.headers["Signature"] = f"sig1=:{_b64(FORGED_SIGNATURE)}:"
    with client:
        r = client.send(request)
    assert r.status_code == 401 and r.json()["code"] == "bad_signature", r.text
    assert "small-order" in r.json()["detail"]
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["state"] == "sent" and not staff["placed"] and staff["acknowledgements"] == []
    assert staff["version"] == po["version"]
    # The genuine key still signs back.
    assert supplier.acknowledge(po["id"], accept_all=True).status_code == 200


async def test_a_small_order_key_registered_before_the_check_cannot_sign_back(api):
    """The attack as reproduced, against a key an older store may still hold:
    planted through the application, which never judged key bytes."""
    result = api.server.app.state.boot.gendan.suppliers.register_supplier(
        f"Legacy {uuid.uuid4().hex[:8]}", "CN", None,
        [{"keyid": "legacy-identity", "public_key": IDENTITY_B64}], Actor("test-setup", "purchaser"))
    supplier = Supplier(api, str(result.view["id"]), None, "legacy-identity")
    _, po = await sent_po(api, supplier)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    body = json.dumps({"revision": po["revision_sent"], "content_hash": po["content_hash"],
                       "lines": [{"line_no": 1, "decision": "accept"}]}).encode()
    with supplier.client() as client:
        request = client.build_request("POST", path, content=body)
        headers = client_module.sign("POST", str(request.url), body, Ed25519PrivateKey.generate(),
                                     "legacy-identity")
        headers["Signature"] = f"sig1=:{_b64(FORGED_SIGNATURE)}:"  # R = identity, S = 0
        request.headers.update(headers)
        r = client.send(request)
    assert r.status_code == 401 and r.json()["code"] == "degenerate_key", r.text
    assert "small-order point" in r.json()["detail"]
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["state"] == "sent" and not staff["placed"] and staff["acknowledgements"] == []
