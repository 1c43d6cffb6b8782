"""What a caller is told, on both stores (issue 9, items 7 and 8): a bare
/readyz, no-store on every answer a token gets, fixed 401 sentences, a
maximum token lifetime, and `bi` reading signed evidence as its digest."""

from __future__ import annotations

import json
import time
import uuid

import jwt

from app.api.auth import embedded_secret
from app.domain.canonical import content_hash
from tests.e2e.helpers import PROBLEM, create_order, headers
from tests.e2e.sourcing import line, new_item, placed_po, sent_po

EVIDENCE_EVENTS = ("PurchaseOrderSignedBack", "PurchaseOrderCountered")


async def test_readyz_is_a_bare_status(api):
    r = await api.client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}
    assert "cache-control" not in r.headers  # nothing private, no token


async def test_every_answer_to_a_token_is_not_stored(api):
    """2xx, 4xx problem+json, a bad token's 401: each carries no-store."""
    order = await create_order(api)
    created = await api.post("/v1/customers", {"name": "Kiwi Ltd", "country": "NZ"},
                             role="supervisor")
    garbage = {"Authorization": "Bearer not-a-jwt"}
    answers = {
        "201 command": created,
        "200 aggregate": await api.get(f"/v1/orders/{order['id']}"),
        "200 projection": await api.get("/v1/board", role="bi"),
        "200 feed": await api.get("/v1/events", role="bi", params={"limit": 1}),
        "200 supplier": await api.client.get("/v1/supplier/purchase-orders",
                                             headers=headers(api, "supplier")),
        "403": await api.post("/v1/customers", {"name": "X", "country": "DE"}, role="bi"),
        "404": await api.get(f"/v1/orders/{uuid.uuid4()}"),
        "422": await api.post("/v1/customers", {"name": "X", "country": "ZZZ"},
                              role="supervisor"),
        "401": await api.client.get("/v1/board", headers=garbage),
    }
    for name, r in answers.items():
        assert r.headers.get("cache-control") == "no-store", (name, r.status_code, r.headers)
    assert created.status_code == 201 and answers["403"].status_code == 403
    # No credentials, nothing private: the probes keep no header of ours.
    assert "cache-control" not in (await api.client.get("/healthz")).headers


async def _refused(api, token: str) -> dict:
    r = await api.client.get("/v1/board", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["www-authenticate"] == 'Bearer realm="gendan", error="invalid_token"'
    return r.json()


async def test_401_says_a_fixed_sentence_not_the_parsers(api):
    secret = embedded_secret(api.settings)
    now = int(time.time())
    cases = {
        "not.a.jwt": "the token is not a well-formed JWT",
        "eyJhbGciOiJIUzI1NiJ9.e30": "the token is not a well-formed JWT",  # 2 segments
        jwt.encode({"sub": "a", "role": "manager", "exp": now - 3600}, secret,
                   algorithm="HS256"): "the token has expired",
        jwt.encode({"sub": "a", "role": "manager", "exp": now + 60}, "another-" + "s" * 40,
                   algorithm="HS256"): "the token signature is not valid",
        jwt.encode({"role": "manager", "exp": now + 60}, secret,
                   algorithm="HS256"): "the token lacks the sub claim",
    }
    for token, sentence in cases.items():
        assert (await _refused(api, token))["detail"] == sentence


async def test_tokens_longer_than_a_day_are_refused(api):
    secret = embedded_secret(api.settings)
    now = int(time.time())
    for role, claims in (
        ("manager", {"iat": now, "exp": now + 30 * 86400}),  # a month
        ("bi", {"exp": now + 25 * 3600}),  # no iat: exp - now
        ("supplier", {"iat": now - 47 * 3600, "exp": now + 3600}),
    ):
        token = jwt.encode({"sub": "long", "role": role, "supplier_id": "SUP-1", **claims},
                           secret, algorithm="HS256")
        problem = await _refused(api, token)
        assert problem["detail"] == "the token lives longer than the 24 h this service accepts"
    day = jwt.encode({"sub": "a", "role": "manager", "iat": now, "exp": now + 86400}, secret,
                     algorithm="HS256")
    r = await api.client.get("/v1/board", headers={"Authorization": f"Bearer {day}"})
    assert r.status_code == 200


# ---- bi: the feed and the audit trail without signatures -----------------------------


async def _feed_after(api, after: int, role: str) -> list[dict]:
    events: list[dict] = []
    while True:
        r = await api.get("/v1/events", role=role, params={"after": after, "limit": 500})
        assert r.status_code == 200, r.text
        page = r.json()["data"]
        events += page
        if len(page) < 500:
            return events
        after = page[-1]["position"]


async def _last_position(api) -> int:
    r = await api.get("/v1/events", params={"after": 0, "limit": 1})
    events = await _feed_after(api, r.json()["data"][-1]["position"] if r.json()["data"] else 0,
                               "manager")
    return events[-1]["position"] if events else 0


def _mine(events: list[dict], po_id: str) -> list[dict]:
    return [e for e in events if e["aggregate_id"] == po_id and e["type"] in EVIDENCE_EVENTS]


async def test_bi_reads_that_evidence_exists_and_its_digest(api):
    before = await _last_position(api)
    supplier, signed = await placed_po(api)
    _, countered = await sent_po(api, supplier, lines=[line(new_item())])
    r = supplier.acknowledge(countered["id"], lines=[
        {"line_no": 1, "decision": "counter", "unit_price": "0.1300"}])
    assert r.status_code == 200 and r.json()["result"] == "countered", r.text

    staff = await _feed_after(api, before, "manager")
    bi = await _feed_after(api, before, "bi")
    for po in (signed, countered):
        (whole,) = _mine(staff, po["id"])
        (seen,) = _mine(bi, po["id"])
        evidence = whole["data"]["evidence"]
        assert {"signature_base", "body", "headers"} <= set(evidence)
        assert seen["data"]["evidence"] == {"redacted": True, "sha256": content_hash(evidence)}
        # Everything else as staff read it.
        assert {**seen, "data": {**seen["data"], "evidence": evidence}} == whole
        # No signature, signature base or signed body anywhere in what bi read.
        text = json.dumps(bi)
        for secret in (evidence["headers"]["signature"], evidence["signature_base"],
                       json.dumps(evidence["body"])[1:-1]):
            assert secret not in text

    # The audit trail: the same, from the read model, whose rows stay whole.
    position = max(e["position"] for e in staff)
    sub = f"portal-{supplier.id[:8]}"
    params = {"actor": sub, "min_position": position, "limit": 500}
    audit_staff = (await api.get("/v1/audit", role="accountant", params=params)).json()["data"]
    audit_bi = (await api.get("/v1/audit", role="bi", params=params)).json()["data"]
    assert len(audit_bi) == len(audit_staff) == 2
    for whole, seen in zip(audit_staff, audit_bi):
        evidence = whole["data"]["evidence"]
        assert {"signature_base", "body", "headers"} <= set(evidence)
        assert seen["data"]["evidence"] == {"redacted": True, "sha256": content_hash(evidence)}
        assert {**seen, "data": {**seen["data"], "evidence": evidence}} == whole
    # The same digest in the feed and the audit trail.
    assert {e["data"]["evidence"]["sha256"] for e in audit_bi} == {
        e["data"]["evidence"]["sha256"] for e in bi if e["type"] in EVIDENCE_EVENTS
        and e["aggregate_id"] in (signed["id"], countered["id"])}

    # The evidence itself is for staff; the PO as an aggregate too.
    for path in (f"/v1/purchase-orders/{signed['id']}/evidence",
                 f"/v1/purchase-orders/{signed['id']}"):
        assert (await api.get(path, role="bi")).status_code == 403
        assert (await api.get(path, role="accountant")).status_code == 200
