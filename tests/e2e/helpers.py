"""Building blocks of the e2e tests: customers, order bodies, and an order
brought to any step of its lifecycle over the real HTTP API.

References are random, so tests sharing a live server never collide."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.commands import notice_for, packing_for, passed_final_inspection

PROBLEM = "application/problem+json"

# The default order: 10000 m x USD 0.85 = USD 8500.00, 30 % deposit (2550.00).
TOTAL, DEPOSIT, BALANCE = "8500.00", "2550.00", "5950.00"
# USD 8000.00 of costs: margin (8500 - 8000) / 8500 = 0.0588, above 5 %.
GOOD_COSTS = [{"item": "fabric", "amount": "8000.00", "currency": "USD"}]
SHIPMENT = {"shipped_on": "2027-03-01", "carrier": "COSCO", "transport_document": "COSU6123456780"}

# The lifecycle's steps, in order; ``lifecycle(api, until=...)`` stops after one.
STEPS = (
    "created", "sample_approved", "pi_issued", "pi_signed", "costed", "confirmed",
    "detailed", "deposit_paid", "in_production", "inspected", "ready_to_ship", "balance_paid",
    "shipped", "closed",
)


def new_reference() -> str:
    return f"PO-{uuid.uuid4().hex[:10].upper()}"


def headers(api: Any, role: str, sub: str | None = None) -> dict[str, str]:
    supplier_id = "SUP-1" if role == "supplier" else None  # supplier tokens need one
    return api.headers(role, sub=sub, supplier_id=supplier_id)


async def new_customer(api: Any, country: str = "DE", name: str | None = None) -> str:
    r = await api.post("/v1/customers", {"name": name or f"Customer {uuid.uuid4().hex[:6]}",
                                         "country": country}, role="supervisor")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def order_body(customer_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": new_reference(), "customer_id": customer_id, "currency": "USD",
        "incoterm": "FOB", "delivery_date": "2027-03-01", "samples_required": True,
        "payment_terms": {"method": "TT", "deposit_percent": "30"},
        "lines": [{"sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
                   "quantity": "10000", "unit": "m", "unit_price": "0.85"}],
    }
    body.update(overrides)
    return body


async def create_order(api: Any, customer_id: str | None = None, *, country: str = "DE",
                       role: str = "merchandiser", **overrides: Any) -> dict[str, Any]:
    customer_id = customer_id or await new_customer(api, country)
    r = await api.post("/v1/orders", order_body(customer_id, **overrides), role=role)
    assert r.status_code == 201, r.text
    return r.json()


async def command(api: Any, order_id: str, path: str, body: dict | None = None, *,
                  role: str = "manager", status: int = 200, method: str = "POST") -> dict:
    """Run one command on the order and check its status; the JSON answer."""
    url = f"/v1/orders/{order_id}{path}"
    if method == "PUT":
        r = await api.put(url, body or {}, role=role)
    else:
        r = await api.post(url, body, role=role)
    assert r.status_code == status, r.text
    return r.json()


async def get_order(api: Any, order_id: str, role: str = "manager") -> dict[str, Any]:
    r = await api.get(f"/v1/orders/{order_id}", role=role)
    assert r.status_code == 200, r.text
    return r.json()


async def refused(api: Any, order_id: str, path: str, body: dict | None = None, *,
                  status: int = 409, rule: str | None = None, role: str = "manager",
                  method: str = "POST") -> dict[str, Any]:
    """Run a command that must be refused: problem+json, its rule, and the
    order's version unchanged (no partial write)."""
    before = await get_order(api, order_id)
    url = f"/v1/orders/{order_id}{path}"
    if method == "PUT":
        r = await api.put(url, body or {}, role=role)
    else:
        r = await api.post(url, body, role=role)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    if rule is not None:
        assert problem["rule"] == rule, problem
    after = await get_order(api, order_id)
    assert after["version"] == before["version"]
    return problem


async def approve_pre_production_sample(api: Any, order_id: str) -> dict[str, Any]:
    sample = await command(api, order_id, "/samples", {"stage": "pre_production"},
                           role="merchandiser", status=201)
    return await command(api, order_id, f"/samples/{sample['sample_id']}/decision",
                         {"decision": "approved", "evidence_ref": "mail-2026-11-01"},
                         role="supervisor")


async def lifecycle(api: Any, until: str, *, costs: list[dict] | None = None,
                    customer_id: str | None = None, country: str = "DE",
                    **overrides: Any) -> dict[str, Any]:
    """Create an order and run the steps of ``STEPS`` up to ``until``
    (inclusive); the last answer. Skips the sample when the order has none.
    ``costs`` go into the rough ("costed") and the detailed analysis alike."""
    last = STEPS.index(until)
    order = await create_order(api, customer_id, country=country, **overrides)
    oid = order["id"]
    steps = {
        "sample_approved": lambda: (approve_pre_production_sample(api, oid)
                                    if order["samples_required"] else get_order(api, oid)),
        "pi_issued": lambda: command(api, oid, "/proforma-invoice", {}, role="supervisor"),
        "pi_signed": lambda: command(api, oid, "/proforma-invoice/signed-back",
                                     {"signed_by": "Hans Meyer", "evidence_ref": "scan-17"},
                                     role="supervisor"),
        "costed": lambda: command(api, oid, "/cost-analysis",
                                  {"costs": costs or GOOD_COSTS, "fx_rates": {}},
                                  role="accountant"),
        "confirmed": lambda: command(api, oid, "/confirmation", {}),
        # G2: production release needs a detailed analysis, after confirmation.
        "detailed": lambda: command(api, oid, "/cost-analysis",
                                    {"costs": costs or GOOD_COSTS, "fx_rates": {}},
                                    role="merchandiser"),
        "deposit_paid": lambda: pay(api, oid, "deposit", order["deposit_due"]),
        "in_production": lambda: release(api, oid),
        # G11 and G12 (issue 12): a passed final inspection, a packing list as ordered.
        "inspected": lambda: inspect(api, oid),
        "ready_to_ship": lambda: pack(api, oid),
        "balance_paid": lambda: pay(api, oid, "balance", None),
        "shipped": lambda: command(api, oid, "/shipments", SHIPMENT, role="purchaser"),
        "closed": lambda: command(api, oid, "/closure", {}, role="supervisor"),
    }
    for step in STEPS[1:last + 1]:
        order = await steps[step]()
    return order


async def draft_notice(api: Any, order_id: str, role: str = "merchandiser") -> dict[str, Any]:
    """Draft the production notice a release approves (issue 11), one colour
    and size per line; the production view."""
    order = await get_order(api, order_id)
    return await command(api, order_id, "/production-notice", notice_for(order), role=role,
                         method="PUT")


async def release(api: Any, order_id: str, role: str = "supervisor") -> dict[str, Any]:
    """The merchandiser's production notice, then the release that approves it."""
    await draft_notice(api, order_id)
    return await command(api, order_id, "/production-release", {}, role=role)


def inspection_body(order: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The body of ``POST /v1/orders/{id}/inspections``: a final inspection
    that passes (``passed_final_inspection``), with ``overrides``."""
    body = {k: v for k, v in passed_final_inspection(order).items() if v is not None}
    body["inspected_on"] = body["inspected_on"].isoformat()
    return {**body, **overrides}


async def inspect(api: Any, order_id: str, role: str = "qc",
                  **overrides: Any) -> dict[str, Any]:
    """A final inspection that passes (G11): the order afterwards."""
    order = await get_order(api, order_id)
    await command(api, order_id, "/inspections", inspection_body(order, **overrides),
                  role=role, status=201)
    return await get_order(api, order_id)


async def pack(api: Any, order_id: str, role: str = "merchandiser",
               cartons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A packing list, by default as ordered (G12): the order afterwards."""
    order = await get_order(api, order_id)
    await command(api, order_id, "/packing-list", {"cartons": cartons or packing_for(order)},
                  role=role, method="PUT")
    return await get_order(api, order_id)


async def make_ready_to_ship(api: Any, order_id: str) -> dict[str, Any]:
    """G11 and G12 passed on a released order: the order, ``ready_to_ship``."""
    await inspect(api, order_id)
    return await pack(api, order_id)


async def pay(api: Any, order_id: str, kind: str, amount: str | None,
              currency: str = "USD") -> dict[str, Any]:
    """Record a payment as the accountant; ``amount=None`` pays the balance due."""
    if amount is None:
        current = await get_order(api, order_id)
        amount, currency = current["balance_due"], current["currency"]
    return await command(api, order_id, "/payments", {
        "kind": kind, "amount": amount, "currency": currency, "received_on": "2027-01-15",
        "reference": f"TT-{uuid.uuid4().hex[:8]}",
    }, role="accountant")


def alert_codes(order: dict[str, Any]) -> set[str]:
    return {alert["code"] for alert in order["alerts"]}


async def raw(api: Any, method: str, path: str, role: str = "manager",
              **kwargs: Any) -> httpx.Response:
    """A request with any body (content=, json=) and a token for ``role``."""
    return await api.client.request(method, path, headers={
        **headers(api, role), **kwargs.pop("extra_headers", {})}, **kwargs)
