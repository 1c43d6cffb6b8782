"""Building blocks of the sourcing e2e tests: suppliers with real Ed25519
keys, RFQs, purchase orders brought to any step, and the reference client
of ``examples/`` as a supplier portal would use it."""

from __future__ import annotations

import importlib.util
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


client_module = _load("supplier_client")
verify_module = _load("verify_evidence")


def pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class Supplier:
    """A supplier as its portal knows itself: its id, its key, its token."""

    def __init__(self, api: Any, supplier_id: str, key: Ed25519PrivateKey, keyid: str):
        self.api, self.id, self.key, self.keyid = api, supplier_id, key, keyid

    def client(self) -> httpx.Client:
        headers = self.api.headers("supplier", sub=f"portal-{self.id[:8]}", supplier_id=self.id)
        return httpx.Client(base_url=self.api.server.url, headers=headers, timeout=30)

    def acknowledge(self, po_id: str, **kwargs: Any) -> httpx.Response:
        with self.client() as client:
            return client_module.acknowledge(client, po_id, self.key, self.keyid, **kwargs)

    def signed(self, path: str, payload: Any, *, key: Ed25519PrivateKey | None = None,
               keyid: str | None = None, **sign_args: Any) -> tuple[httpx.Request, httpx.Client]:
        """A signed request, built but not sent (tests tamper with it)."""
        client = self.client()
        body = json.dumps(payload).encode()
        request = client.build_request("POST", path, content=body)
        request.headers.update(client_module.sign(
            "POST", str(request.url), body, key or self.key, keyid or self.keyid, **sign_args))
        return request, client


async def new_supplier(api: Any, name: str | None = None) -> Supplier:
    key = Ed25519PrivateKey.generate()
    keyid = f"key-{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/suppliers", {
        "name": name or f"Supplier {uuid.uuid4().hex[:6]}", "country": "CN",
        "contact": "sales@example.cn", "keys": [{"keyid": keyid, "public_key": pem(key)}],
    }, role="purchaser")
    assert r.status_code == 201, r.text
    return Supplier(api, r.json()["id"], key, keyid)


def new_item() -> str:
    return f"Zip YKK #5 {uuid.uuid4().hex[:8]}"


def line(item: str, **overrides: Any) -> dict[str, Any]:
    body = {"line_no": 1, "item": item, "quantity": "1000", "unit": "pcs",
            "unit_price": "0.1250", "delivery_date": "2027-01-15"}
    body.update(overrides)
    return body


async def awarded_rfq(api: Any, item: str, winner: Supplier, others: int = 2,
                      award: bool = True) -> str:
    r = await api.post("/v1/rfqs", {"item": item, "quantity": "1000", "unit": "pcs",
                                    "required_by": "2027-01-15"}, role="purchaser")
    assert r.status_code == 201, r.text
    rfq_id = r.json()["id"]
    quotes = [winner] + [await new_supplier(api) for _ in range(others)]
    winning = None
    for n, supplier in enumerate(quotes):
        r = await api.post(f"/v1/rfqs/{rfq_id}/quotes", {
            "supplier_id": supplier.id, "unit_price": f"0.12{n}", "currency": "USD",
            "lead_time_days": 20 - n}, role="purchaser")
        assert r.status_code == 201, r.text
        winning = winning or r.json()["quote_id"]
    if award:
        r = await api.post(f"/v1/rfqs/{rfq_id}/award", {"quote_id": winning}, role="supervisor")
        assert r.status_code == 200, r.text
    return rfq_id


async def draft(api: Any, supplier: Supplier, lines: list[dict[str, Any]], *,
                status: int = 201, role: str = "purchaser", **fields: Any) -> dict[str, Any]:
    r = await api.post("/v1/purchase-orders", {"supplier_id": supplier.id, "currency": "USD",
                                               "lines": lines, **fields}, role=role)
    assert r.status_code == status, r.text
    return r.json()


async def po_command(api: Any, po_id: str, path: str, body: dict | None = None, *,
                     role: str = "purchaser", status: int = 200) -> dict[str, Any]:
    r = await api.post(f"/v1/purchase-orders/{po_id}/{path}", body, role=role)
    assert r.status_code == status, r.text
    return r.json()


async def sent_po(api: Any, supplier: Supplier | None = None, *, order_id: str | None = None,
                  lines: list[dict[str, Any]] | None = None) -> tuple[Supplier, dict[str, Any]]:
    """A PO for a new item, sourced by a waiver, reviewed and sent."""
    supplier = supplier or await new_supplier(api)
    po = await draft(api, supplier, lines or [line(new_item())], role="supervisor",
                     waiver_reason="sole supplier of the customer's branded trim",
                     **({"order_id": order_id} if order_id else {}))
    # G7, four eyes: not the supervisor who drafted it and waived its quotes.
    await po_command(api, po["id"], "review", role="manager")
    return supplier, await po_command(api, po["id"], "send")


async def placed_po(api: Any, **kwargs: Any) -> tuple[Supplier, dict[str, Any]]:
    supplier, po = await sent_po(api, **kwargs)
    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200, r.text
    return supplier, r.json()
