"""Bad input over HTTP: always RFC 9457 problem+json, 422 naming the fields
(404 for unknown ids), never a 500, never a partial write."""

from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from tests.e2e.helpers import (
    PROBLEM,
    command,
    create_order,
    get_order,
    new_customer,
    order_body,
    raw,
    refused,
)


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation setting ``a.b.0.c`` in an order body."""
    def mutate(body: dict) -> None:
        *parents, last = path.split(".")
        target: Any = body
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return mutate


# (case, mutation, the field the problem names)
BAD_ORDERS = [
    ("state", _set("state", "confirmed"), "body.state"),
    ("total", _set("total", "1.00"), "body.total"),
    ("actor", _set("actor", {"sub": "boss", "role": "manager"}), "body.actor"),
    ("line amount", _set("lines.0.amount", "1.00"), "body.lines.0.amount"),
    ("terms extra", _set("payment_terms.approved", True), "body.payment_terms.approved"),
    ("quantity number", _set("lines.0.quantity", 10000), "body.lines.0.quantity"),
    ("price float", _set("lines.0.unit_price", 0.85), "body.lines.0.unit_price"),
    ("percent number", _set("payment_terms.deposit_percent", 30),
     "body.payment_terms.deposit_percent"),
    ("price exponent", _set("lines.0.unit_price", "85e-2"), "body.lines.0.unit_price"),
    ("negative quantity", _set("lines.0.quantity", "-1"), "body.lines.0.quantity"),
    ("zero quantity", _set("lines.0.quantity", "0"), "body.lines.0.quantity"),
    ("zero price", _set("lines.0.unit_price", "0.00"), "body.lines.0.unit_price"),
    ("16 digits", _set("lines.0.quantity", "1" * 16), "body.lines.0.quantity"),
    # Each fits 15 digits, their product does not: refused, not a 500.
    ("line amount too large", _set("lines.0", {
        "sku": "S", "unit": "m", "quantity": "9" * 15, "unit_price": "9" * 15 + ".99"}),
     "body.lines.0"),
    ("NUL in sku", _set("lines.0.sku", "NW\u000045"), "body.lines.0.sku"),
    ("currency XXX", _set("currency", "XXX"), "currency"),
    ("currency ABC", _set("currency", "ABC"), "currency"),
    ("currency lower", _set("currency", "usd"), "body.currency"),
    ("incoterm", _set("incoterm", "FOBB"), "body.incoterm"),
    ("incoterm lower", _set("incoterm", "fob"), "body.incoterm"),
    ("incoterms 2010", _set("incoterm", "DAT"), "body.incoterm"),
    ("date format", _set("delivery_date", "01/03/2027"), "body.delivery_date"),
    ("date number", _set("delivery_date", 20270301), "body.delivery_date"),
    ("date time", _set("delivery_date", "2027-03-01T00:00:00"), "body.delivery_date"),
    ("customer not uuid", _set("customer_id", "acme"), "body.customer_id"),
    ("no lines", _set("lines", []), "body.lines"),
    ("blank reference", _set("reference", "   "), "body.reference"),
    ("long reference", _set("reference", "R" * 101), "body.reference"),
    ("samples flag", _set("samples_required", "yes"), "body.samples_required"),
    ("samples number", _set("samples_required", 1), "body.samples_required"),
    ("method", _set("payment_terms.method", "BITCOIN"), "body.payment_terms.method"),
    ("percent over 100", _set("payment_terms.deposit_percent", "101"),
     "payment_terms.deposit_percent"),
    ("LC without bank", _set("payment_terms", {"method": "LC"}),
     "payment_terms.issuing_bank_country"),
    ("bank on TT", _set("payment_terms.issuing_bank_country", "GB"), "payment_terms.method"),
    ("bank country", _set("payment_terms", {"method": "LC", "issuing_bank_country": "ZZ"}),
     "payment_terms.issuing_bank_country"),
    ("missing sku", lambda body: body["lines"][0].pop("sku"), "body.lines.0.sku"),
    ("lines not a list", _set("lines", {"sku": "A"}), "body.lines"),
]


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["status"] == status
    return problem


@pytest.mark.parametrize(("case", "mutate", "field"), BAD_ORDERS, ids=[c[0] for c in BAD_ORDERS])
async def test_bad_order_bodies_are_422(api, case, mutate, field):
    customer_id = await new_customer(api)
    body = order_body(customer_id)
    bad = order_body(customer_id, reference=body["reference"])
    mutate(bad)
    problem = assert_problem(await api.post("/v1/orders", bad), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    # Nothing was written: the reference is still free.
    assert (await api.post("/v1/orders", body)).status_code == 201


async def test_too_many_lines_are_422(api):
    customer_id = await new_customer(api)
    line = {"sku": "S", "quantity": "1", "unit": "pcs", "unit_price": "1"}
    r = await api.post("/v1/orders", order_body(customer_id, lines=[line] * 501))
    assert_problem(r, 422)


async def test_unit_prices_may_carry_more_decimals(api):
    customer_id = await new_customer(api)
    r = await api.post("/v1/orders", order_body(customer_id, lines=[
        {"sku": "NW", "quantity": "10000", "unit": "m", "unit_price": "0.8512"},
        {"sku": "NW2", "quantity": "3", "unit": "m", "unit_price": "0.3333"}]))
    assert r.status_code == 201, r.text
    order = r.json()
    assert [line["amount"] for line in order["lines"]] == ["8512.00", "1.00"]
    assert order["total"] == "8513.00"
    assert order["lines"][0]["unit_price"] == "0.8512"


async def test_unknown_customer_is_404(api):
    r = await api.post("/v1/orders", order_body(str(uuid.uuid4())))
    assert assert_problem(r, 404)["type"] == "/problems/not-found"


@pytest.mark.parametrize("content", [b'{"reference": ', b"not json", b"[1, 2]", b'"text"'])
async def test_malformed_json_is_422(api, content):
    r = await raw(api, "POST", "/v1/orders", content=content,
                  extra_headers={"Content-Type": "application/json"})
    assert_problem(r, 422)


# (case, path under the order, body, method, status, field)
PAYMENT = {"kind": "deposit", "amount": "2550.00", "currency": "USD",
           "received_on": "2027-01-10", "reference": "TT-1"}
BAD_COMMANDS = [
    ("payment number", "/payments", {**PAYMENT, "amount": 2550}, "body.amount"),
    ("payment float", "/payments", {**PAYMENT, "amount": 2550.0}, "body.amount"),
    ("payment 3 decimals", "/payments", {**PAYMENT, "amount": "2550.001"}, "amount"),
    ("payment zero", "/payments", {**PAYMENT, "amount": "0.00"}, "body.amount"),
    ("payment negative", "/payments", {**PAYMENT, "amount": "-5.00"}, "body.amount"),
    ("payment kind", "/payments", {**PAYMENT, "kind": "tip"}, "body.kind"),
    ("payment currency", "/payments", {**PAYMENT, "currency": "usd"}, "body.currency"),
    ("payment date", "/payments", {**PAYMENT, "received_on": "yesterday"}, "body.received_on"),
    ("payment actor", "/payments", {**PAYMENT, "actor": "boss"}, "body.actor"),
    ("payment missing", "/payments", {"kind": "deposit"}, "body.amount"),
    ("cost decimals", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "100.001", "currency": "USD"}]}, "costs.0.amount"),
    ("cost number", "/cost-analysis",
     {"costs": [{"item": "f", "amount": 100, "currency": "USD"}]}, "body.costs.0.amount"),
    ("rate number", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "100", "currency": "EUR"}], "fx_rates": {"EUR": 1.08}},
     "body.fx_rates.EUR"),
    ("rate zero", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "100", "currency": "EUR"}], "fx_rates": {"EUR": "0"}},
     "body.fx_rates.EUR"),
    ("rate missing", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "100", "currency": "EUR"}]}, "fx_rates.EUR"),
    ("cost currency", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "100", "currency": "XXX"}]}, "costs.0.currency"),
    ("cost x rate too large", "/cost-analysis",
     {"costs": [{"item": "f", "amount": "9" * 15, "currency": "EUR"}],
      "fx_rates": {"EUR": "9" * 15}}, "body"),
    ("margin set", "/cost-analysis", {"costs": [], "margin": "0.5"}, "body.margin"),
    ("confirm state", "/confirmation", {"state": "confirmed"}, "body.state"),
    ("PI total", "/proforma-invoice", {"total": "1.00"}, "body.total"),
    ("release actor", "/production-release", {"actor": {"sub": "x"}}, "body.actor"),
    ("sample stage", "/samples", {"stage": "final"}, "body.stage"),
    ("signed blank", "/proforma-invoice/signed-back", {"signed_by": " ", "evidence_ref": "x"},
     "body.signed_by"),
    ("ship date", "/shipments", {"shipped_on": "2027-13-01", "carrier": "C",
                                 "transport_document": "B"}, "body.shipped_on"),
    ("margin reason", "/margin-approval", {"reason": ""}, "body.reason"),
    ("cancel reason", "/cancellation", {}, "body.reason"),
]


@pytest.mark.parametrize(("case", "path", "body", "field"), BAD_COMMANDS,
                         ids=[c[0] for c in BAD_COMMANDS])
async def test_bad_command_bodies_are_422_and_write_nothing(api, case, path, body, field):
    order = await create_order(api)
    problem = await refused(api, order["id"], path, body, status=422, role=_role_for(path))
    assert field in [e["field"] for e in problem["errors"]], problem


def _role_for(path: str) -> str:
    return {"/payments": "accountant", "/samples": "merchandiser"}.get(path, "manager")


@pytest.mark.parametrize("body", [
    {"method": "TT", "state": "confirmed"}, {"method": "TT", "deposit_percent": 30},
    {"method": "WIRE"}, {"method": "LC"},
])
async def test_bad_payment_terms_are_422(api, body):
    order = await create_order(api)
    await refused(api, order["id"], "/payment-terms", body, status=422, method="PUT")


async def test_jpy_payments_have_no_decimals(api):
    customer_id = await new_customer(api, "JP")
    order = await create_order(api, customer_id, currency="JPY", samples_required=False)
    assert order["total"] == "8500"
    await refused(api, order["id"], "/payments", {
        **PAYMENT, "amount": "100.5", "currency": "JPY"}, status=422, role="accountant")
    await refused(api, order["id"], "/cost-analysis", {
        "costs": [{"item": "f", "amount": "10.5", "currency": "JPY"}]}, status=422)
    paid = await command(api, order["id"], "/payments", {
        **PAYMENT, "amount": "100", "currency": "JPY"}, role="accountant")
    assert paid["paid"] == "100"


async def test_bad_ids(api):
    order = await create_order(api)
    cases = [
        ("GET", "/v1/orders/123", None, 422),
        ("POST", "/v1/orders/not-a-uuid/confirmation", {}, 422),
        ("GET", f"/v1/orders/{uuid.uuid4()}", None, 404),
        ("POST", f"/v1/orders/{uuid.uuid4()}/proforma-invoice", {}, 404),
        ("PUT", f"/v1/orders/{uuid.uuid4()}/payment-terms", {"method": "TT"}, 404),
        ("GET", "/v1/customers/acme", None, 422),
        ("GET", f"/v1/customers/{uuid.uuid4()}", None, 404),
        # An order id is not a customer id, nor the other way round.
        ("GET", f"/v1/customers/{order['id']}", None, 404),
        ("GET", f"/v1/orders/{order['customer_id']}", None, 404),
        ("POST", f"/v1/orders/{order['id']}/samples/xyz/decision", {"decision": "approved"}, 422),
        ("POST", f"/v1/orders/{order['id']}/samples/{uuid.uuid4()}/decision",
         {"decision": "approved"}, 404),
        ("GET", f"/v1/orders/{order['id']}?min_position=-1", None, 422),
    ]
    for method, url, body, status in cases:
        r = await raw(api, method, url, json=body)
        assert_problem(r, status)
    assert (await get_order(api, order["id"]))["version"] == order["version"]


async def test_min_position_is_satisfied_at_once(api):
    order = await create_order(api)
    r = await api.get(f"/v1/orders/{order['id']}", params={"min_position": order["position"]})
    assert r.status_code == 200
    assert r.json()["version"] == order["version"]


async def test_bad_customers_are_422(api):
    for body, field in (
        ({"name": "Acme", "country": "ZZ"}, "country"),
        ({"name": "Acme", "country": "de"}, "body.country"),
        ({"name": "Acme", "country": "DEU"}, "body.country"),
        ({"name": "  ", "country": "DE"}, "body.name"),
        ({"name": "Acme", "country": "DE", "region": "Asia"}, "body.region"),
        ({"name": 42, "country": "DE"}, "body.name"),
        ({"name": "Acme\u0000", "country": "DE"}, "body.name"),
        ({"name": "A" * 201, "country": "DE"}, "body.name"),
    ):
        problem = assert_problem(await api.post("/v1/customers", body), 422)
        assert field in [e["field"] for e in problem["errors"]], problem


async def test_customer_answers_its_region(api):
    r = await api.post("/v1/customers", {"name": "Lagos Textiles", "country": "NG"})
    assert r.status_code == 201
    customer = r.json()
    assert customer["region"] == "Africa"
    assert r.headers["location"] == f"/v1/customers/{customer['id']}"
    got = await api.get(f"/v1/customers/{customer['id']}", role="qc")
    assert got.json() == customer
