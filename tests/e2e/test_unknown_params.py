"""Issue 13, item 4: a query parameter a route does not declare is a 422
naming it, on every route of the real app (reads, one aggregate's read,
commands, the supplier portal's signed requests), never an answer that
silently ignored it."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import PROBLEM, create_order, get_order
from tests.e2e.sourcing import sent_po


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    """The check runs before any store is read: one store is enough."""
    return request.param


def refused(r, *names: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "/problems/validation-error"
    assert [e["field"] for e in body["errors"]] == [f"query.{n}" for n in names]
    assert all(e["type"] == "unknown_query_parameter" for e in body["errors"])


READS = [
    ("/v1/board", {"customer": "x"}),  # the filter is customer_id
    ("/v1/orders", {"reference": "PO-1", "ref": "PO-1"}),
    ("/v1/customers", {"q": "acme"}),
    ("/v1/audit", {"type_": "OrderConfirmed"}),  # the parameter's name is `type`
    ("/v1/finance/orders", {"sort": "amount"}),
    ("/v1/purchase-orders", {"supplier": "x"}),
    ("/v1/inspections", {"factory": "own"}),
    ("/v1/suppliers", {"name": "x"}),
    ("/v1/production/delay-causes", {"from": "2026-01-01"}),
    ("/v1/reports/payments", {"group": "kind"}),
    ("/v1/events", {"since": "0"}),
    ("/healthz", {"verbose": "1"}),
]


@pytest.mark.parametrize(("path", "params"), READS, ids=[p for p, _ in READS])
async def test_a_read_refuses_a_parameter_it_does_not_declare(api, path, params):
    r = await api.get(path, params=params)
    unknown = sorted(set(params) - {"reference"})
    refused(r, *unknown)
    assert path in r.json()["errors"][0]["message"]


async def test_declared_parameters_and_aliases_still_pass(api):
    r = await api.get("/v1/audit", params={"type": "OrderCreated", "limit": 1})
    assert r.status_code == 200, r.text
    r = await api.get("/v1/board", params={"customer_id": "6f1c0d2e-8a4b-4c59-9d1e-2b7f3a9c0e11",
                                           "format": "json"})
    assert r.status_code == 200, r.text


async def test_one_aggregate_and_a_command_refuse_it_and_change_nothing(api):
    order = await create_order(api)
    r = await api.get(f"/v1/orders/{order['id']}", params={"expand": "lines"})
    refused(r, "expand")
    r = await api.post(f"/v1/orders/{order['id']}/cancellation?force=true",
                       {"reason": "test"}, role="supervisor")
    refused(r, "force")
    assert (await get_order(api, order["id"]))["state"] == "inquiry"


async def test_the_supplier_portal_refuses_it_on_reads_and_signed_requests(api):
    supplier, po = await sent_po(api)
    with supplier.client() as client:
        refused(client.get("/v1/supplier/purchase-orders", params={"all": "true"}), "all")
        refused(client.get(f"/v1/supplier/purchase-orders/{po['id']}",
                           params={"revision": "1"}), "revision")
        shown = client.get(f"/v1/supplier/purchase-orders/{po['id']}").json()
    payload = {"revision": shown["revision"], "content_hash": shown["content_hash"],
               "lines": [{"line_no": line["line_no"], "decision": "accept"}
                         for line in shown["content"]["lines"]]}
    # Signed as sent, query included: the signature holds, the parameter does not.
    request, client = supplier.signed(
        f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement?dry_run=1", payload)
    with client:
        refused(client.send(request), "dry_run")
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="purchaser")).json()
    assert staff["state"] == "sent" and not staff["placed"]
    # Without it, the same acknowledgement is taken.
    request, client = supplier.signed(
        f"/v1/supplier/purchase-orders/{po['id']}/acknowledgement", payload)
    with client:
        assert client.send(request).status_code == 200
