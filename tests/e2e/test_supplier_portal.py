"""The supplier portal over real HTTP, on both stores: a supplier signs back
a PO with nothing but its key and the reference client; tampering, replays,
expired windows and revoked keys are refused (401) and leave no trace but
the refusal (counted per reason and minute) in the audit trail; supplier A never sees supplier B's POs; the
evidence verifies offline."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.e2e.helpers import PROBLEM
from tests.e2e.sourcing import (
    ROOT,
    line,
    new_item,
    pem,
    placed_po,
    po_command,
    sent_po,
    verify_module,
)


async def _events_after(api, position: int) -> list[dict]:
    r = await api.get(f"/v1/events?after={position}&limit=500", role="bi")
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def _last_position(api) -> int:
    after = 0
    while True:
        r = await api.get(f"/v1/events?after={after}&limit=500", role="bi")
        events = r.json()["data"]
        if not events:
            return after
        after = events[-1]["position"]


async def test_supplier_signs_back_with_the_reference_client(api, tmp_path):
    supplier, po = await sent_po(api)
    assert po["state"] == "sent" and po["revision_sent"] == 1 and not po["placed"]

    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == "signed_back" and r.json()["status"] == "signed"

    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["placed"] and staff["state"] == "signed" and staff["signed_revision"] == 1

    # The evidence, verified offline with the published key, by the script
    # a supplier or an auditor would run.
    r = await api.get(f"/v1/purchase-orders/{po['id']}/evidence", role="accountant")
    assert r.status_code == 200, r.text
    evidence = r.json()
    [item] = evidence["data"]
    assert item["kind"] == "signed_back" and item["keyid"] == supplier.keyid
    assert json.loads(item["body"])["content_hash"] == po["content_hash"]
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(evidence))
    key_file = tmp_path / "supplier.pub"
    key_file.write_text(pem(supplier.key))
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "verify_evidence.py"),
                           str(path), "--public-key", str(key_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr

    # One byte changed in the kept body: the offline check fails.
    item["body"] = item["body"].replace('"accept"', '"accepT"')
    path.write_text(json.dumps(evidence))
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "verify_evidence.py"),
                           str(path), "--public-key", str(key_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr


async def test_the_reference_client_s_command_line_signs_back_with_a_key_file(api, tmp_path):
    """The supplier's whole journey, as its portal developer runs it: make a
    key, register its public half, then sign back a PO from the command line."""
    key_file = tmp_path / "supplier-key.pem"
    made = subprocess.run([sys.executable, str(ROOT / "examples" / "make_key.py"),
                           str(key_file)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    public = next(line.split(": ", 1)[1] for line in made.stdout.splitlines()
                  if line.startswith("public key (base64 raw)"))
    r = await api.post("/v1/suppliers", {"name": "CLI Zippers", "country": "VN", "keys": [
        {"keyid": "cli-2026", "public_key": public}]}, role="purchaser")
    assert r.status_code == 201, r.text
    supplier_id = r.json()["id"]
    from tests.e2e.sourcing import Supplier
    _, po = await sent_po(api, Supplier(api, supplier_id, None, "cli-2026"))
    token = api.headers("supplier", sub="cli-portal", supplier_id=supplier_id)[
        "Authorization"].removeprefix("Bearer ")
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "supplier_client.py"),
         "--base-url", api.server.url, "--key-file", str(key_file), "--keyid", "cli-2026",
         "acknowledge", po["id"], "--accept-all"],
        capture_output=True, text=True, timeout=60,
        env={"GENDAN_SUPPLIER_TOKEN": token, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["placed"] and staff["acknowledgements"][0]["type"] == "signed_back"


def _tamper_cases(supplier, po) -> dict:
    """Each way a captured or forged request can differ from what was signed."""
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    ack = {"revision": po["revision_sent"], "content_hash": po["content_hash"],
           "lines": [{"line_no": 1, "decision": "accept"}]}
    cases = {}

    request, client = supplier.signed(path, ack)
    request._content = request.content.replace(b'"accept"', b'"accepT"')  # one body byte
    request.stream = __import__("httpx").ByteStream(request._content)
    cases["body byte"] = (request, client, "digest_mismatch")

    request, client = supplier.signed(path, ack)
    signature = request.headers["Signature"]
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    request.headers["Signature"] = flipped
    cases["signature byte"] = (request, client, "bad_signature")

    request, client = supplier.signed(path, ack)
    request.headers["Content-Type"] = "text/plain"
    cases["content-type"] = (request, client, "bad_signature")

    request, client = supplier.signed(path, ack)
    request.headers["Signature-Input"] = request.headers["Signature-Input"].replace(
        "created=", "created=1")
    cases["signature-input"] = (request, client, None)

    # Signed for the delivery-notes URL, sent to the acknowledgement's.
    request, client = supplier.signed(path.replace("acknowledgement", "delivery-notes"), ack)
    request.url = request.url.copy_with(path=path)
    cases["target uri"] = (request, client, "bad_signature")

    request, client = supplier.signed(path, ack, created=int(time.time()) - 600, ttl=300)
    cases["expired"] = (request, client, "expired")

    request, client = supplier.signed(path, ack, ttl=301)
    cases["window over 300 s"] = (request, client, "bad_window")

    request, client = supplier.signed(path, ack, key=Ed25519PrivateKey.generate())
    cases["another key under the keyid"] = (request, client, "bad_signature")

    request, client = supplier.signed(path, ack, keyid="nobody-knows-this-key")
    cases["unknown keyid"] = (request, client, "unknown_key")

    request, client = supplier.signed(path, ack)
    del request.headers["Signature"]
    cases["no signature"] = (request, client, None)
    return cases


async def test_tampering_is_refused_and_leaves_only_an_audit_entry(api):
    supplier, po = await sent_po(api)
    before = await _last_position(api)
    cases = _tamper_cases(supplier, po)
    codes = []
    for name, (request, client, code) in cases.items():
        with client:
            r = client.send(request)
        assert r.status_code == 401, (name, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "Accept-Signature" in r.headers
        if code is not None:
            assert r.json()["code"] == code, (name, r.json())
        codes.append(r.json()["code"])

    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["version"] == po["version"] and staff["state"] == "sent"
    new = await _events_after(api, before)
    # Nothing but the refusals (other tests' events may interleave on a shared
    # server), counted per reason and minute: each reason's first refusal of
    # the minute is recorded at once, the later ones as one count after it
    # (tests/e2e/test_portal_limits.py counts them).
    mine = [e for e in new if e["aggregate_id"] == po["id"]
            or e["data"].get("supplier_id") == supplier.id]
    assert {e["type"] for e in mine} <= {"SignedRequestsRefused", "RefusalsCounted"}
    first = [e for e in mine if e["type"] == "SignedRequestsRefused"]
    assert {e["data"]["code"] for e in first} == set(codes)
    assert len(first) <= 2 * len(set(codes))  # two when the test crossed a minute
    assert all(e["data"]["purchase_order_id"] == po["id"] and e["data"]["count"] == 1
               for e in first)
    last = max(e["position"] for e in mine)
    r = await api.get(f"/v1/audit?type=SignedRequestsRefused&min_position={last}&limit=500",
                      role="manager")
    assert r.status_code == 200, r.text
    audited = [e for e in r.json()["data"] if e["data"]["supplier_id"] == supplier.id]
    assert {e["data"]["code"] for e in audited} == set(codes)
    assert {e["actor"]["role"] for e in audited} == {"supplier"}

    # After all that, the genuine request still goes through.
    assert supplier.acknowledge(po["id"], accept_all=True).status_code == 200


async def test_a_replayed_request_is_refused(api):
    supplier, po = await sent_po(api)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    ack = {"revision": 1, "content_hash": po["content_hash"],
           "lines": [{"line_no": 1, "decision": "counter", "unit_price": "0.1300"}]}
    request, client = supplier.signed(path, ack)
    with client:
        first = client.send(request)
        assert first.status_code == 200, first.text
        assert first.json()["result"] == "countered"
        again = client.send(request)
    assert again.status_code == 401 and again.json()["code"] == "replayed_nonce"
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["state"] == "countered"
    assert len(staff["acknowledgements"]) == 1


async def test_a_retry_signed_again_with_the_same_idempotency_key_replays(api):
    supplier, po = await sent_po(api)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    ack = {"revision": 1, "content_hash": po["content_hash"],
           "lines": [{"line_no": 1, "decision": "accept"}]}
    answers = []
    for _ in range(2):
        request, client = supplier.signed(path, ack)
        request.headers["Idempotency-Key"] = f"ack-{po['id']}"
        with client:
            answers.append(client.send(request))
    assert [a.status_code for a in answers] == [200, 200], answers[1].text
    assert answers[1].headers.get("Idempotency-Replayed") == "true"
    assert answers[0].json()["position"] == answers[1].json()["position"]
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert len(staff["acknowledgements"]) == 1


async def test_a_revoked_key_is_refused_and_its_evidence_still_verifies(api):
    supplier, po = await placed_po(api)
    new_key = Ed25519PrivateKey.generate()
    r = await api.post(f"/v1/suppliers/{supplier.id}/keys",
                       {"keyid": "rotated-2027", "public_key": pem(new_key)}, role="supervisor")
    assert r.status_code == 201, r.text
    r = await api.client.delete(f"/v1/suppliers/{supplier.id}/keys/{supplier.keyid}",
                                headers=api.headers("supervisor"))
    assert r.status_code == 200, r.text
    assert {k["keyid"]: k["active"] for k in r.json()["keys"]} == {
        supplier.keyid: False, "rotated-2027": True}

    _, po2 = await sent_po(api, supplier)
    before = await _last_position(api)
    r = supplier.acknowledge(po2["id"], accept_all=True)  # still signs with the old key
    assert r.status_code == 401 and r.json()["code"] == "unknown_key"
    refused = [e for e in await _events_after(api, before)
               if e["data"].get("purchase_order_id") == po2["id"] or e["aggregate_id"] == po2["id"]]
    assert [(e["type"], e["data"]["code"]) for e in refused] == [
        ("SignedRequestsRefused", "unknown_key")]
    assert refused[0]["data"]["request"]["keyid"] == supplier.keyid
    supplier.key, supplier.keyid = new_key, "rotated-2027"
    assert supplier.acknowledge(po2["id"], accept_all=True).status_code == 200

    # What the revoked key signed before its revocation still verifies.
    evidence = (await api.get(f"/v1/purchase-orders/{po['id']}/evidence")).json()
    [item] = evidence["data"]
    assert item["key_revoked_at"] is not None
    assert verify_module.check_item(item)["keyid"] == item["keyid"] != supplier.keyid


async def test_supplier_a_never_sees_or_touches_supplier_b_s_purchase_orders(api):
    a, po_a = await sent_po(api)
    b, po_b = await sent_po(api)
    with b.client() as client:
        assert client.get(f"/v1/supplier/purchase-orders/{po_b['id']}").status_code == 200
        r = client.get(f"/v1/supplier/purchase-orders/{po_a['id']}")
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
        # Same answer as for a PO that does not exist at all.
        missing = client.get("/v1/supplier/purchase-orders/00000000-0000-4000-8000-000000000000")
        assert missing.status_code == 404
        assert r.json()["title"] == missing.json()["title"]
        # Staff endpoints are closed to suppliers.
        for path in (f"/v1/purchase-orders/{po_a['id']}", f"/v1/purchase-orders/{po_b['id']}",
                     f"/v1/suppliers/{a.id}", "/v1/board"):
            assert client.get(path).status_code == 403, path
    # B signs a valid acknowledgement of A's PO with B's own key: 404, nothing appended.
    path = f"/v1/supplier/purchase-orders/{po_a['id']}/acknowledgement"
    request, client = b.signed(path, {"revision": 1, "content_hash": po_a["content_hash"],
                                      "lines": [{"line_no": 1, "decision": "accept"}]})
    with client:
        assert client.send(request).status_code == 404
    # B's key cannot sign for A either (A's token, B's key: unknown key for A).
    request, client = a.signed(path, {"revision": 1, "content_hash": po_a["content_hash"],
                                      "lines": [{"line_no": 1, "decision": "accept"}]},
                               key=b.key, keyid=b.keyid)
    with client:
        r = client.send(request)
    assert r.status_code == 401 and r.json()["code"] == "unknown_key"
    staff = (await api.get(f"/v1/purchase-orders/{po_a['id']}")).json()
    assert staff["state"] == "sent" and staff["version"] == po_a["version"]
    # A draft is never shown to its supplier either.
    supplier, _ = await sent_po(api)
    r = await api.post("/v1/purchase-orders", {
        "supplier_id": supplier.id, "currency": "USD", "lines": [line(new_item())],
        "waiver_reason": "trial"}, role="supervisor")
    with supplier.client() as client:
        assert client.get(f"/v1/supplier/purchase-orders/{r.json()['id']}").status_code == 404


async def test_a_stale_revision_or_hash_is_409_and_an_amendment_needs_signing_again(api):
    supplier, po = await placed_po(api)
    amended = await po_command(api, po["id"], "amendments", {
        "lines": [line(po["content"]["lines"][0]["item"], quantity="1200")],
        "reason": "customer raised the order quantity"})
    assert amended["state"] == "draft" and amended["revision"] == 2 and not amended["placed"]
    # G7 again for the new revision.
    r = await api.post(f"/v1/purchase-orders/{po['id']}/send", role="purchaser")
    assert r.status_code == 409 and r.json()["rule"] == "G7"
    # G7, four eyes: not the supervisor who drafted it and waived its quotes.
    await po_command(api, po["id"], "review", role="manager")
    sent = await po_command(api, po["id"], "send")
    assert sent["revision_sent"] == 2 and sent["content_hash"] != po["content_hash"]

    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    for revision, content_hash in ((1, po["content_hash"]), (2, po["content_hash"]),
                                   (1, sent["content_hash"])):
        request, client = supplier.signed(path, {
            "revision": revision, "content_hash": content_hash,
            "lines": [{"line_no": 1, "decision": "accept"}]})
        with client:
            r = client.send(request)
        assert r.status_code == 409, r.text
    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200 and r.json()["signed_revision"] == 2


async def test_counter_proposal_accepted_makes_a_revision_to_sign(api):
    supplier, po = await sent_po(api)
    with supplier.client() as client:
        from tests.e2e.sourcing import client_module
        r = client_module.acknowledge(client, po["id"], supplier.key, supplier.keyid, lines=[
            {"line_no": 1, "decision": "counter", "unit_price": "0.1300",
             "delivery_date": "2027-01-25"}])
    assert r.status_code == 200 and r.json()["result"] == "countered", r.text
    decided = await po_command(api, po["id"], "counter-proposal/decision",
                               {"decision": "accept"})
    assert decided["revision"] == 2 and decided["state"] == "draft"
    assert decided["lines"][0]["unit_price"] == "0.1300"
    await po_command(api, po["id"], "review", role="manager")  # G7: not its drafter
    await po_command(api, po["id"], "send")
    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200 and r.json()["signed_revision"] == 2


async def test_delivery_note_is_signed_and_kept_as_evidence(api):
    supplier, po = await placed_po(api)
    with supplier.client() as client:
        from tests.e2e.sourcing import client_module
        r = client_module.deliver(client, po["id"], supplier.key, supplier.keyid,
                                  lines=[{"line_no": 1, "quantity": "600",
                                          "shipped_on": "2027-01-10"}], reference="DN-0001")
    assert r.status_code == 201, r.text
    assert r.json()["delivery_notes"][0]["reference"] == "DN-0001"
    evidence = (await api.get(f"/v1/purchase-orders/{po['id']}/evidence")).json()["data"]
    assert [e["kind"] for e in evidence] == ["signed_back", "delivery_note"]
    assert all(verify_module.check_item(item) for item in evidence)


async def test_a_well_signed_but_invalid_body_is_422_and_changes_nothing(api):
    supplier, po = await sent_po(api)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    bodies = [
        {"revision": 1, "content_hash": po["content_hash"], "lines": [
            {"line_no": 1, "decision": "maybe"}]},
        {"revision": 1, "content_hash": po["content_hash"], "lines": [
            {"line_no": 1, "decision": "counter"}]},  # a counter proposes something
        {"revision": 1, "content_hash": po["content_hash"], "lines": [
            {"line_no": 1, "decision": "counter", "unit_price": 0.13}]},  # a JSON number
        {"revision": 1, "content_hash": po["content_hash"], "lines": [
            {"line_no": 2, "decision": "accept"}]},  # no such line
        {"revision": 1, "content_hash": po["content_hash"], "lines": [], "signed_by": "x"},
    ]
    for body in bodies:
        request, client = supplier.signed(path, body)
        with client:
            r = client.send(request)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["version"] == po["version"] and staff["acknowledgements"] == []
