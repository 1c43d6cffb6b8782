"""One meaning per JSON body over real HTTP, on both stores (issue 9,
item 2): a key given twice is a 422 naming it, on an ordinary route and on
the signed acknowledgement that was reproduced (correctly signed, `lines`
first "reject" then "accept", answered 200 and signed back)."""

from __future__ import annotations

import uuid

from tests.e2e.helpers import PROBLEM, raw
from tests.e2e.hostile import events_after, last_position
from tests.e2e.sourcing import client_module, sent_po

JSON = {"Content-Type": "application/json"}


def _duplicate_key_problem(r, field: str, key: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["type"] == "/problems/validation-error"
    assert {"field": field, "message": f"duplicate key {key!r}", "type": "duplicate_key"} in problem["errors"]


async def test_a_customer_named_twice_is_422_and_nothing_is_created(api):
    first, second = f"Reject Co {uuid.uuid4().hex[:8]}", f"Accept Co {uuid.uuid4().hex[:8]}"
    before = await last_position(api)
    body = f'{{"name": "{first}", "country": "DE", "name": "{second}"}}'
    r = await raw(api, "POST", "/v1/customers", role="supervisor", content=body, extra_headers=JSON)
    _duplicate_key_problem(r, "body.name", "name")
    # Nested, and a key spelt with an escape is the same key.
    body = f'{{"name": "{first}", "country": "DE", "\\u006eame": "{second}"}}'
    r = await raw(api, "POST", "/v1/customers", role="supervisor", content=body, extra_headers=JSON)
    _duplicate_key_problem(r, "body.name", "name")
    mine = [e for e in await events_after(api, before) if first in str(e["data"]) or second in str(e["data"])]
    assert mine == []
    # The same body with one name is accepted.
    r = await raw(api, "POST", "/v1/customers", role="supervisor", extra_headers=JSON,
                  content=f'{{"name": "{first}", "country": "DE"}}')
    assert r.status_code == 201, r.text


def _two_meanings(po: dict) -> bytes:
    return (f'{{"revision": {po["revision_sent"]}, "content_hash": "{po["content_hash"]}", '
            '"lines": [{"line_no": 1, "decision": "reject"}], '
            '"lines": [{"line_no": 1, "decision": "accept"}]}').encode()


async def test_a_signed_acknowledgement_with_lines_twice_is_422_and_not_signed_back(api):
    supplier, po = await sent_po(api)
    path = f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement"
    before = await last_position(api)
    body = _two_meanings(po)
    # Signed correctly, once as JSON (the middleware refuses it) and once with
    # a signed text/plain Content-Type (the portal parses the raw body anyway).
    for content_type in ("application/json", "text/plain"):
        with supplier.client() as client:
            request = client.build_request("POST", path, content=body)
            request.headers.update(client_module.sign(
                "POST", str(request.url), body, supplier.key, supplier.keyid, content_type=content_type))
            r = client.send(request)
        _duplicate_key_problem(r, "body.lines", "lines")

    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["state"] == "sent" and not staff["placed"] and staff["acknowledgements"] == []
    assert staff["version"] == po["version"]
    signed_back = [e for e in await events_after(api, before)
                   if e["aggregate_id"] == po["id"] and e["type"] != "SignedRequestRefused"]
    assert signed_back == []
    # One meaning, signed the same way: signed back.
    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200 and r.json()["result"] == "signed_back", r.text
