"""Issue 9, item 9, over HTTP on both stores: a replayed customer says so,
a PO line priced 0 is refused as an order line is, keyids come from a token
charset, and decimal strings take ASCII digits only."""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.e2e.helpers import PROBLEM, new_customer, order_body
from tests.e2e.sourcing import draft, line, new_item, new_supplier, pem

NON_ASCII_DIGITS = ["١٢", "１２", "۱۲", "१२", "１２.５"]


def _fields(r) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    return [error["field"] for error in r.json()["errors"]]


async def _feed_end(api) -> int:
    after = 0
    while True:
        page = (await api.get("/v1/events", params={"after": after, "limit": 500})).json()["data"]
        if not page:
            return after
        after = page[-1]["position"]


async def test_a_replayed_customer_says_it_was_replayed(api):
    body, key = {"name": f"Kiwi {uuid.uuid4().hex[:6]}", "country": "NZ"}, str(uuid.uuid4())
    keyed = {**api.headers("supervisor"), "Idempotency-Key": key}
    first = await api.client.post("/v1/customers", json=body, headers=keyed)
    assert first.status_code == 201, first.text
    assert "idempotency-replayed" not in first.headers
    end = await _feed_end(api)
    again = await api.client.post("/v1/customers", json=body, headers=keyed)
    assert again.status_code == 201
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert await _feed_end(api) == end  # nothing appended


@pytest.mark.parametrize("price", ["0", "0.00", "0.000000"])
async def test_a_po_line_priced_zero_is_refused_as_an_order_line(api, price):
    supplier, customer = await new_supplier(api), await new_customer(api)
    item = new_item()
    end = await _feed_end(api)
    r = await api.post("/v1/purchase-orders", {
        "supplier_id": supplier.id, "currency": "USD", "waiver_reason": "sole supplier",
        "lines": [line(item), line(new_item(), line_no=2, unit_price=price)]}, role="supervisor")
    problem = r.json()
    assert _fields(r) == ["lines.1.unit_price"]
    assert "greater than zero" in problem["errors"][0]["message"]
    # An order line priced zero: refused too (422 naming its price).
    body = order_body(customer)
    body["lines"][0]["unit_price"] = price
    assert _fields(await api.post("/v1/orders", body, role="merchandiser")) == [
        "body.lines.0.unit_price"]
    assert await _feed_end(api) == end

    # An amendment to zero is refused the same way.
    po = await draft(api, supplier, [line(item)], role="supervisor", waiver_reason="sole")
    r = await api.post(f"/v1/purchase-orders/{po['id']}/amendments",
                       {"lines": [line(item, unit_price=price)], "reason": "free"},
                       role="purchaser")
    assert _fields(r) == ["lines.0.unit_price"]


@pytest.mark.parametrize("keyid", ['acme"2026', "acme 2026", "acme/2026", "acme:2026",
                                   "acme%222026", "ключ", "k" * 101, "acme\\2026"])
async def test_keyids_outside_the_token_charset_are_refused(api, keyid):
    key = pem(Ed25519PrivateKey.generate())
    r = await api.post("/v1/suppliers", {
        "name": f"Supplier {uuid.uuid4().hex[:6]}", "country": "CN",
        "keys": [{"keyid": keyid, "public_key": key}]}, role="purchaser")
    assert _fields(r) == ["body.keys.0.keyid"]
    supplier = await new_supplier(api)
    r = await api.post(f"/v1/suppliers/{supplier.id}/keys",
                       {"keyid": keyid, "public_key": key}, role="supervisor")
    assert _fields(r) == ["body.keyid"]
    got = (await api.get(f"/v1/suppliers/{supplier.id}", role="purchaser")).json()
    assert [k["keyid"] for k in got["keys"]] == [supplier.keyid]


async def test_keyids_in_the_token_charset_are_accepted(api):
    keyid = f"Acme_2026.v2~{uuid.uuid4().hex[:6]}-b"
    r = await api.post("/v1/suppliers", {
        "name": f"Supplier {uuid.uuid4().hex[:6]}", "country": "CN",
        "keys": [{"keyid": keyid, "public_key": pem(Ed25519PrivateKey.generate())}]},
        role="purchaser")
    assert r.status_code == 201, r.text
    assert [k["keyid"] for k in r.json()["keys"]] == [keyid]


@pytest.mark.parametrize("digits", NON_ASCII_DIGITS)
async def test_decimals_in_other_scripts_are_refused(api, digits):
    customer = await new_customer(api)
    end = await _feed_end(api)
    for field, mutate in (
        ("body.lines.0.quantity", lambda b: b["lines"][0].update(quantity=digits)),
        ("body.lines.0.unit_price", lambda b: b["lines"][0].update(unit_price=digits)),
        ("body.payment_terms.deposit_percent",
         lambda b: b["payment_terms"].update(deposit_percent=digits)),
    ):
        body = order_body(customer)
        mutate(body)
        assert _fields(await api.post("/v1/orders", body, role="merchandiser")) == [field]
    supplier = await new_supplier(api)
    r = await api.post("/v1/purchase-orders", {
        "supplier_id": supplier.id, "currency": "USD", "waiver_reason": "sole supplier",
        "lines": [line(new_item(), unit_price=digits)]}, role="supervisor")
    assert _fields(r) == ["body.lines.0.unit_price"]
    assert await _feed_end(api) == end + 1  # the supplier only
