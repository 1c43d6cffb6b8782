"""A browser page on another origin drives the whole order lifecycle with
``fetch`` (issue 13, item 2: "Done when ... completes the lifecycle").

The page is served by a small static server of its own, on another port than
the API: another origin, so every call is a CORS request, and those with a
token or JSON body are preflighted. Its inline script runs the README's
walk-through with the tokens written into the page, reads ``ETag`` and
``Request-Id`` (exposed headers), sends ``If-Match`` and ``Idempotency-Key``,
and writes a JSON summary into ``<pre id="result">``; headless Chromium
loads it with ``--dump-dom``. The same page from an origin the API does not
list is blocked by the browser at its first fetch.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.commands import notice_for, packing_for
from tests.conftest import Databases
from tests.e2e.browser import dump_dom
from tests.e2e.helpers import (
    BALANCE,
    DEPOSIT,
    SHIPMENT,
    headers,
    inspection_body,
    order_body,
)
from tests.live import Api, LiveServer

ROLES = ("manager", "supervisor", "merchandiser", "accountant", "qc", "purchaser")
# The README's cost analysis: CNY costs converted at the given rate.
COSTS = {"costs": [{"item": "fabric", "amount": "42000", "currency": "CNY"},
                   {"item": "freight to port", "amount": "300.00", "currency": "USD"}],
         "fx_rates": {"CNY": "0.14"}}

# The page's script. CONFIG (the API's URL, the tokens, the bodies) is
# written in before it. Each step is one fetch; the first refusal stops it.
SCRIPT = r"""
const out = {steps: [], state: null, etag: null, etag_version: null, request_id: null,
             replayed: null, error: null};
async function call(name, method, path, role, body, extra) {
  const init = {method, headers: {"Authorization": "Bearer " + CONFIG.tokens[role],
                                  ...(extra || {})}};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(CONFIG.api + path, init);
  const text = await r.text();
  out.steps.push({name, status: r.status});
  if (!r.ok) throw new Error(name + " answered " + r.status + ": " + text.slice(0, 500));
  return {r, json: JSON.parse(text)};
}
async function walk() {
  const B = CONFIG.bodies;
  const customer = (await call("customer", "POST", "/v1/customers", "supervisor",
                               B.customer)).json;
  const key = "browser-" + crypto.randomUUID();
  const created = await call("order", "POST", "/v1/orders", "merchandiser",
                             {...B.order, customer_id: customer.id}, {"Idempotency-Key": key});
  out.etag = created.r.headers.get("ETag");
  out.etag_version = created.json.version;
  out.request_id = created.r.headers.get("Request-Id");
  const again = await call("order_retried", "POST", "/v1/orders", "merchandiser",
                           {...B.order, customer_id: customer.id}, {"Idempotency-Key": key});
  out.replayed = again.r.headers.get("Idempotency-Replayed");
  const o = "/v1/orders/" + created.json.id;
  // The next command is based on the version the ETag named.
  const sample = (await call("sample", "POST", o + "/samples", "merchandiser",
                             {stage: "pre_production"}, {"If-Match": out.etag})).json;
  await call("sample_approved", "POST", o + "/samples/" + sample.sample_id + "/decision",
             "supervisor", {decision: "approved", evidence_ref: "mail 2026-12-02"});
  await call("pi_issued", "POST", o + "/proforma-invoice", "supervisor", {});
  await call("pi_signed", "POST", o + "/proforma-invoice/signed-back", "supervisor",
             {signed_by: "H. Berger", evidence_ref: "scan PI-signed.pdf"});
  await call("costed", "POST", o + "/cost-analysis", "accountant", B.costs);
  await call("confirmed", "POST", o + "/confirmation", "manager", {});
  await call("detailed", "POST", o + "/cost-analysis", "merchandiser", B.costs);
  await call("deposit", "POST", o + "/payments", "accountant", B.deposit);
  await call("notice", "PUT", o + "/production-notice", "merchandiser", B.notice);
  await call("released", "POST", o + "/production-release", "supervisor", {});
  await call("balance", "POST", o + "/payments", "accountant", B.balance);
  await call("inspected", "POST", o + "/inspections", "qc", B.inspection);
  await call("packed", "PUT", o + "/packing-list", "merchandiser", B.packing);
  await call("shipped", "POST", o + "/shipments", "purchaser", B.shipment);
  await call("closed", "POST", o + "/closure", "supervisor", {});
  out.state = (await call("read", "GET", o, "manager")).json.state;
}
walk().catch(e => { out.error = e.name + ": " + e.message; }).finally(() => {
  document.getElementById("result").textContent = JSON.stringify(out);
});
"""


def _page(api_url: str, tokens: dict[str, str]) -> bytes:
    line = {"line_no": 1, **order_body("")["lines"][0]}  # the order's one line
    order = order_body("")
    del order["customer_id"]
    config = {"api": api_url, "tokens": tokens, "bodies": {
        "customer": {"name": f"Browser {uuid.uuid4().hex[:6]}", "country": "DE"},
        "order": order, "costs": COSTS,
        "deposit": {"kind": "deposit", "amount": DEPOSIT, "currency": "USD",
                    "received_on": "2026-12-10", "reference": "TT 8812"},
        "notice": notice_for({"lines": [line]}),
        "balance": {"kind": "balance", "amount": BALANCE, "currency": "USD",
                    "received_on": "2027-02-25", "reference": "TT 9120"},
        "inspection": inspection_body({"lines": [line]}),
        "packing": {"cartons": packing_for({"lines": [line]})},
        "shipment": SHIPMENT,
    }}
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>gendan</title></head>'
            f'<body><pre id="result"></pre>'
            f"<script>const CONFIG = {json.dumps(config)};\n{SCRIPT}</script>"
            f"</body></html>").encode()


class _Static:
    """One HTML page at ``/`` on its own port: its own origin."""

    def __init__(self) -> None:
        self.page = b""
        static = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == "/"
                body = static.page if found else b""
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def pages() -> Iterator[tuple[_Static, _Static]]:
    """The API lists the first page's origin, not the second's."""
    listed, other = _Static(), _Static()
    yield listed, other
    listed.stop()
    other.stop()


@pytest.fixture
def cors_api(store, tmp_path, pages) -> Iterator[Api]:
    dbs = Databases(tmp_path / "dbs")
    server = LiveServer(dbs.settings(store, cors_origins=[pages[0].url])).start()
    yield Api(server, client=None)  # for its tokens; the browser is the client
    server.stop()
    dbs.close()


class _Result(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: str | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "pre" and ("id", "result") in attrs
        if self._inside:
            self.text = ""

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.text = (self.text or "") + data


def _run(page: _Static, api: Api, tmp_path) -> dict[str, Any]:
    tokens = {role: headers(api, role)["Authorization"].removeprefix("Bearer ")
              for role in ROLES}
    page.page = _page(api.server.url, tokens)
    dom = dump_dom(f"{page.url}/", tmp_path / "profile", budget_ms=60000, timeout=90)
    parser = _Result()
    parser.feed(dom)
    assert parser.text, ("the script wrote no result", dom[:3000])
    return json.loads(parser.text)


def test_a_page_on_a_listed_origin_runs_the_lifecycle_with_fetch(cors_api, pages, tmp_path):
    result = _run(pages[0], cors_api, tmp_path)
    assert result["error"] is None, result
    names = [step["name"] for step in result["steps"]]
    assert names == ["customer", "order", "order_retried", "sample", "sample_approved",
                     "pi_issued", "pi_signed", "costed", "confirmed", "detailed", "deposit",
                     "notice", "released", "balance", "inspected", "packed", "shipped",
                     "closed", "read"]
    assert all(200 <= step["status"] < 300 for step in result["steps"]), result["steps"]
    assert result["state"] == "closed"
    # Read from JS: exposed by Access-Control-Expose-Headers.
    assert result["etag"] == f'"{result["etag_version"]}"', result
    assert result["request_id"], result
    assert result["replayed"] == "true", result


def test_a_page_on_another_origin_is_blocked_at_its_first_fetch(cors_api, pages, tmp_path):
    result = _run(pages[1], cors_api, tmp_path)
    # fetch rejects with a TypeError: the browser saw no CORS header.
    assert result["error"] is not None and result["error"].startswith("TypeError"), result
    assert result["steps"] == [] and result["state"] is None, result
