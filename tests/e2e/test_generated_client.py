"""The committed openapi.json is usable by a generator nobody here wrote
(issue 13, item 3): openapi-python-client (pinned in the `test` extra)
generates a client from it, and the README's walk-through runs through that
client against a live server, every answer parsed into the generated models:
the cost analysis with `fx_rates`, the body-less commands called both with
no body and with `{}`, and the event feed's typed events at the end."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from app.api.auth import issue_token

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
PACKAGE = "gendan_client"


@pytest.fixture
def store() -> str:
    """The contract is the same on both stores: the SQLite server only."""
    return "sqlite"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory) -> ModuleType:
    generator = Path(sys.executable).with_name("openapi-python-client")
    if not generator.exists():
        generator = Path(shutil.which("openapi-python-client") or "openapi-python-client")
    out = tmp_path_factory.mktemp("generated")
    config = out / "config.yaml"
    config.write_text("post_hooks: []\n")  # no ruff run over the generated code
    done = subprocess.run(
        [str(generator), "generate", "--path", str(OPENAPI), "--meta", "none",
         "--output-path", str(out / PACKAGE), "--config", str(config)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # A schema it could not read is left out of the client with a warning.
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Client:
    """The generated package, with a client per role."""

    def __init__(self, package: ModuleType, server):
        self.package, self.server = package, server

    def __call__(self, role: str, sub: str | None = None) -> Any:
        token = issue_token(self.server.settings, sub or f"{role}-gen", role)
        return self.package.AuthenticatedClient(base_url=self.server.url, token=token,
                                                raise_on_unexpected_status=True)

    def op(self, tag: str, name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def _ok(response: Any, model: str, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert type(response.parsed).__name__ == model, response.parsed
    return response.parsed


def _command(response: Any, model: str, status: int = 200) -> Any:
    parsed = _ok(response, model, status)
    assert response.headers.get("etag"), "every command answers its ETag"
    return parsed


def test_the_readme_walk_through_runs_through_the_generated_client(client_package, server):
    g = Client(client_package, server)
    manager, accountant = g("manager", "chen"), g("accountant", "wang")
    merchandiser, qc = g("merchandiser", "li.mei"), g("qc", "wu")
    body = g.model
    today = datetime.now(timezone.utc).date().isoformat()

    created = g.op("customers", "create_customer").sync_detailed(
        client=manager, body=body("CustomerCreate").from_dict(
            {"name": "Nordwind GmbH", "country": "DE"}))
    customer = _command(created, "CustomerPublic", 201)
    assert created.headers["location"] == f"/v1/customers/{customer.id}"
    assert customer.region

    answer = g.op("orders", "create_order").sync_detailed(client=manager, body=body(
        "OrderCreate").from_dict({
            "reference": "PO-2026-0117", "customer_id": str(customer.id), "currency": "USD",
            "incoterm": "FOB", "delivery_date": "2027-03-01", "samples_required": True,
            "payment_terms": {"method": "TT", "deposit_percent": "30"},
            "lines": [{"sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
                       "quantity": "10000", "unit": "m", "unit_price": "0.85"}]}))
    order = _command(answer, "OrderPublic", 201)
    assert answer.headers["location"] == f"/v1/orders/{order.id}"
    assert order.state == "inquiry" and order.total == "8500.00"
    assert order.deposit_due == "2550.00"
    first_position = order.position

    sample = _command(g.op("orders", "request_sample").sync_detailed(
        order.id, client=manager, body=body("SampleRequest").from_dict(
            {"stage": "pre_production"})), "SampleRequestedPublic", 201)
    order = _command(g.op("orders", "decide_sample").sync_detailed(
        order.id, sample.sample_id, client=manager, body=body("SampleDecision").from_dict(
            {"decision": "approved", "evidence_ref": "mail 2026-12-02"})), "OrderPublic")
    assert [s.status for s in order.samples] == ["approved"]

    # A body-less command without a body (the generated call's default).
    order = _command(g.op("orders", "issue_proforma_invoice").sync_detailed(
        order.id, client=manager), "OrderPublic")
    assert order.state == "pi_issued" and order.proforma_invoice.revision == 1
    order = _command(g.op("orders", "record_proforma_invoice_signed_back").sync_detailed(
        order.id, client=manager, body=body("PISignedBack").from_dict(
            {"signed_by": "H. Berger", "evidence_ref": "scan PI-0117-signed.pdf"})),
        "OrderPublic")
    assert order.state == "pi_signed"

    analyse = g.op("orders", "analyse_costs").sync_detailed
    rough = body("CostAnalysisIn").from_dict({
        "costs": [{"item": "fabric", "amount": "42000", "currency": "CNY"},
                  {"item": "freight to port", "amount": "300.00", "currency": "USD"}],
        "fx_rates": {"CNY": "0.14"}})
    assert rough.to_dict()["fx_rates"] == {"CNY": "0.14"}  # the map survives the model
    order = _command(analyse(order.id, client=manager, body=rough), "OrderPublic")
    # (8500 - 42000 x 0.14 - 300) / 8500: the rate was applied.
    assert order.cost_analyses == 1 and order.margin == "0.2729"

    order = _command(g.op("orders", "confirm_order").sync_detailed(
        order.id, client=manager, body=body("ConfirmationIn").from_dict({})), "OrderPublic")
    assert order.state == "confirmed" and order.confirmed

    order = _command(analyse(order.id, client=merchandiser, body=body(
        "CostAnalysisIn").from_dict({
            "costs": [{"item": "fabric", "amount": "42600", "currency": "CNY"},
                      {"item": "freight to port", "amount": "320.00", "currency": "USD"}],
            "fx_rates": {"CNY": "0.14"}})), "OrderPublic")
    assert order.cost_analyses == 2 and order.margin == "0.2607"

    pay = g.op("orders", "record_payment").sync_detailed
    order = _command(pay(order.id, client=accountant, body=body("PaymentIn").from_dict({
        "kind": "deposit", "amount": "2550.00", "currency": "USD",
        "received_on": "2026-12-10", "reference": "TT 8812"})), "OrderPublic")
    assert order.deposit_received == "2550.00"

    production = _command(g.op("production", "draft_production_notice").sync_detailed(
        order.id, client=merchandiser, body=body("ProductionNoticeIn").from_dict({
            "factory": {"name": "Own workshop", "kind": "own"},
            "requirements": {"quality": "as the approved sample",
                             "packaging": "rolls in PE film",
                             "shipping_marks": "NORDWIND / PO-2026-0117 / ROLL NO."},
            "breakdown": [{"line_no": 1, "colour": "white", "size": "160 cm",
                           "quantity": "10000"}]})), "ProductionPublic")
    assert production.notice is not None

    # A body-less command with `{}`, as the README sends it.
    order = _command(g.op("orders", "release_production").sync_detailed(
        order.id, client=manager, body=body("Empty")()), "OrderPublic")
    assert order.state == "in_production"

    production = _command(g.op("production", "plan_production").sync_detailed(
        order.id, client=merchandiser, body=body("ProductionPlanIn").from_dict({
            "template": "general", "daily_capacity": 2000, "calendar": {"country": "CN"}})),
        "ProductionPublic", 201)
    assert production.plan is not None and production.plan.milestones
    production = _command(g.op("production", "report_progress").sync_detailed(
        order.id, client=merchandiser, body=body("ProgressIn").from_dict(
            {"on": today, "made": "0"})), "ProductionPublic")
    assert len(production.progress) == 1

    order = _command(pay(order.id, client=accountant, body=body("PaymentIn").from_dict({
        "kind": "balance", "amount": "5950.00", "currency": "USD",
        "received_on": "2027-02-25", "reference": "TT 9120"})), "OrderPublic")
    assert order.balance_due == "0.00"

    inspection = _command(g.op("quality", "record_inspection").sync_detailed(
        order.id, client=qc, body=body("InspectionIn").from_dict({
            "stage": "final", "lot_size": 10000,
            "defects": {"critical": 0, "major": 3, "minor": 5},
            "report_ref": "QC-0117-F1", "inspected_on": today})), "InspectionAnswer", 201)
    assert inspection.result == "passed"

    packing = _command(g.op("quality", "issue_packing_list").sync_detailed(
        order.id, client=merchandiser, body=body("PackingListIn").from_dict({"cartons": [
            {"from_no": 1, "to_no": 100, "line_no": 1, "colour": "white", "size": "160 cm",
             "quantity_per_carton": "100", "net_kg": "22.5", "gross_kg": "23.4",
             "length_cm": "165", "width_cm": "30", "height_cm": "30"}]})),
        "PackingListPublic")
    assert packing.state == "ready_to_ship"
    read_back = _ok(g.op("quality", "get_packing_list").sync_detailed(
        order.id, client=manager), "PackingListPublic")
    assert read_back.to_dict()["cartons"] == packing.to_dict()["cartons"]

    order = _command(g.op("orders", "record_shipment").sync_detailed(
        order.id, client=manager, body=body("ShipmentIn").from_dict({
            "shipped_on": "2027-03-01", "carrier": "COSCO",
            "transport_document": "COSU6123456780"})), "OrderPublic")
    assert order.state == "shipped"
    order = _command(g.op("orders", "close_order").sync_detailed(order.id, client=manager),
                     "OrderPublic")
    assert order.state == "closed"

    # The read side, each answer parsed: the board, finance, audit trail, feed.
    board = _ok(g.op("reads", "get_board").sync_detailed(
        client=manager, state=body("OrderState")("closed"), customer_id=customer.id,
        min_position=order.position), "BoardPage")
    assert [row.order_id for row in board.data] == [order.id]
    summary = _ok(g.op("reads", "get_finance_summary").sync_detailed(
        client=manager, min_position=order.position), "FinanceSummary")
    assert any(row.currency == "USD" for row in summary.currencies)
    audit = _ok(g.op("reads", "list_audit").sync_detailed(
        client=manager, order_id=order.id, min_position=order.position, limit=100),
        "AuditPage")
    assert audit.data[-1].type_ == "OrderClosed"

    events = _ok(g.op("reads", "list_events").sync_detailed(
        client=manager, after=first_position - 1, limit=100), "EventsPage")
    mine = [e for e in events.data if e.order_id == order.id]
    kinds = [type(e).__name__ for e in mine]
    assert kinds[0] == "OrderCreatedEvent" and kinds[-1] == "OrderClosedEvent", kinds
    analysed = [e for e in mine if type(e).__name__ == "CostAnalysedEvent"]
    assert [e.data.fx_rates.to_dict() for e in analysed] == [{"CNY": "0.14"}] * 2
    assert analysed[0].class_version >= 1 and analysed[0].data.total_costs
    if events.next_cursor is not None:  # the cursor is of `after`'s type
        assert isinstance(events.next_cursor, int)
