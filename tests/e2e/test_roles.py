"""Role boundaries of the HTTP contract table: every command refuses (403)
each role not in its row, without touching the order; every request without
a valid bearer token is answered 401 with WWW-Authenticate."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import jwt
import pytest

from app.api.auth import ROLES, STAFF_ROLES, embedded_secret
from tests.commands import notice_for, packing_for
from tests.e2e.helpers import (
    PROBLEM, SHIPMENT, command, create_order, get_order, headers, inspection_body, order_body,
)

# Reads of one aggregate from the event store: staff only (SPEC.md §2: bi
# reads projections and the feed, nothing else).
READERS = set(STAFF_ROLES)


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    """A role is refused at the door, before any store is reached: the
    behaviour cannot depend on the store, so one is enough (issue 8's test
    pyramid; the domain's half of the role rules is unit-tested)."""
    return request.param
SUPERVISOR_MANAGER = {"supervisor", "manager"}
SALES = {"merchandiser", "supervisor", "manager"}
INSPECTORS = {"qc", "merchandiser", "supervisor", "manager"}

# (operation, method, path, body, roles allowed): the table, row by row.
COMMANDS = [
    ("createCustomer", "POST", "/v1/customers", {"name": "Acme", "country": "DE"},
     SUPERVISOR_MANAGER),
    ("getCustomer", "GET", "/v1/customers/{cid}", None, READERS),
    ("createOrder", "POST", "/v1/orders", "ORDER", {"supervisor", "manager", "merchandiser"}),
    ("getOrder", "GET", "/v1/orders/{oid}", None, READERS),
    ("requestSample", "POST", "/v1/orders/{oid}/samples", {"stage": "style"},
     {"merchandiser", "supervisor", "manager"}),  # SPEC §2: manager ⊇ supervisor
    ("decideSample", "POST", "/v1/orders/{oid}/samples/{sid}/decision",
     {"decision": "approved"}, SUPERVISOR_MANAGER),
    ("issueProformaInvoice", "POST", "/v1/orders/{oid}/proforma-invoice", {},
     SUPERVISOR_MANAGER),
    ("recordProformaInvoiceSignedBack", "POST", "/v1/orders/{oid}/proforma-invoice/signed-back",
     {"signed_by": "Hans", "evidence_ref": "scan-1"}, SUPERVISOR_MANAGER),
    ("analyseCosts", "POST", "/v1/orders/{oid}/cost-analysis",
     {"costs": [{"item": "fabric", "amount": "7000", "currency": "USD"}]},
     {"merchandiser", "supervisor", "manager", "accountant"}),  # Plan 5 form 4
    ("approveMargin", "POST", "/v1/orders/{oid}/margin-approval", {"reason": "ok"}, {"manager"}),
    ("amendPaymentTerms", "PUT", "/v1/orders/{oid}/payment-terms", {"method": "TT"},
     SUPERVISOR_MANAGER),
    ("confirmOrder", "POST", "/v1/orders/{oid}/confirmation", {"waiver_reason": "agreed"},
     {"manager"}),
    ("recordPayment", "POST", "/v1/orders/{oid}/payments",
     {"kind": "deposit", "amount": "100.00", "currency": "USD", "received_on": "2027-01-01",
      "reference": "TT-1"}, {"accountant"}),
    ("releaseProduction", "POST", "/v1/orders/{oid}/production-release", {},
     SUPERVISOR_MANAGER),
    ("approveShipmentWithoutBalance", "POST", "/v1/orders/{oid}/shipment-without-balance",
     {"reason": "trusted"}, {"manager"}),
    ("recordShipment", "POST", "/v1/orders/{oid}/shipments", SHIPMENT,
     {"purchaser", "supervisor", "manager"}),
    ("closeOrder", "POST", "/v1/orders/{oid}/closure", {},
     {"purchaser", "supervisor", "manager"}),  # Plan 5 purchaser #17: files the order
    ("changeOrderOwner", "PUT", "/v1/orders/{oid}/owner", {"owner": "merchandiser-2"},
     SUPERVISOR_MANAGER),
    ("cancelOrder", "POST", "/v1/orders/{oid}/cancellation", {"reason": "withdrawn"},
     SUPERVISOR_MANAGER),
    # production follow-up (issue 11)
    ("draftProductionNotice", "PUT", "/v1/orders/{oid}/production-notice", "NOTICE",
     {"merchandiser", "supervisor", "manager"}),
    ("planProduction", "POST", "/v1/orders/{oid}/production-plan", {"template": "garment"},
     {"merchandiser", "supervisor", "manager"}),
    ("completeMilestone", "POST", "/v1/orders/{oid}/milestones/pp_meeting/completion",
     {"on": "2026-11-02"}, {"merchandiser", "qc", "supervisor", "manager"}),
    ("reportProgress", "POST", "/v1/orders/{oid}/progress", {"on": "2026-11-02", "cut": "10"},
     {"merchandiser", "qc"}),
    ("reportDelay", "POST", "/v1/orders/{oid}/delays",
     {"cause": "workforce", "responsible": "factory", "days": 2,
      "forecast_ex_factory": "2027-03-03", "action": "overtime"},
     {"merchandiser", "supervisor", "manager"}),
    ("recordDelayConsent", "POST", "/v1/orders/{oid}/delay-consent",
     {"consented_date": "2027-03-05", "evidence_ref": "mail-1"},
     {"merchandiser", "supervisor", "manager"}),
    ("requestChange", "POST", "/v1/orders/{oid}/changes",
     {"kind": "packaging", "packaging": "20 a carton", "requested_by": "customer",
      "reason": "smaller cartons", "evidence_ref": "mail-2"},
     {"merchandiser", "supervisor", "manager"}),
    ("decideChange", "POST", "/v1/orders/{oid}/changes/{sid}/decision",
     {"decision": "rejected", "evidence_ref": "mail-3"}, SUPERVISOR_MANAGER),
    ("getProduction", "GET", "/v1/orders/{oid}/production", None, READERS | {"bi"}),
    ("listProductionTemplates", "GET", "/v1/production-templates", None, READERS),
    # quality and packing (issue 12)
    ("getSamplingPlan", "GET", "/v1/sampling-plan?lot=500&aql=2.5", None, READERS),
    ("recordInspection", "POST", "/v1/orders/{oid}/inspections", "INSPECTION", INSPECTORS),
    ("recordIncomingInspection", "POST", "/v1/purchase-orders/{oid}/inspections",
     {"lot_size": 500, "defects": {"critical": 0, "major": 0, "minor": 0},
      "report_ref": "IQC-1", "inspected_on": "2026-11-02"},
     {"qc", "purchaser", "supervisor", "manager"}),
    ("getInspection", "GET", "/v1/orders/{oid}/inspections/{sid}", None, READERS),
    ("closeCorrectiveAction", "POST",
     "/v1/orders/{oid}/inspections/{sid}/corrective-actions/{sid}/closure",
     {"evidence_ref": "factory-report-1"}, INSPECTORS),
    ("closeSupplierCorrectiveAction", "POST",
     "/v1/purchase-orders/{oid}/inspections/{sid}/corrective-actions/{sid}/closure",
     {"evidence_ref": "supplier-report-1"}, {"qc", "purchaser", "supervisor", "manager"}),
    ("grantQualityConcession", "POST", "/v1/orders/{oid}/inspections/{sid}/concession",
     {"reason": "minor shade", "evidence_ref": "mail-4"}, {"manager"}),  # G11
    ("getSwitchingState", "GET", "/v1/quality/switching?factory=own:own%20workshop&product=X",
     None, READERS),
    ("decideSwitching", "POST", "/v1/quality/switching/decision",
     {"factory": "own:own workshop", "product": "X", "decision": "resume"},
     SUPERVISOR_MANAGER),
    ("setQuantityTolerance", "PUT", "/v1/orders/{oid}/quantity-tolerance",
     {"quantity_tolerance_percent": "3"}, SALES),
    ("issuePackingList", "PUT", "/v1/orders/{oid}/packing-list", "PACKING", SALES),
    ("getPackingList", "GET", "/v1/orders/{oid}/packing-list", None, READERS),
    ("acceptPackingDifference", "POST", "/v1/orders/{oid}/packing-list/difference-acceptance",
     {"reason": "short 10", "evidence_ref": "mail-5"}, SUPERVISOR_MANAGER),  # G12
]


@pytest.mark.parametrize(("operation", "method", "path", "body", "allowed"), COMMANDS,
                         ids=[c[0] for c in COMMANDS])
async def test_roles_outside_the_row_are_refused(api, operation, method, path, body, allowed):
    order = await create_order(api)
    sample = await command(api, order["id"], "/samples", {"stage": "pre_production"},
                           role="merchandiser", status=201)
    url = path.format(oid=order["id"], cid=order["customer_id"], sid=sample["sample_id"])
    if body == "ORDER":
        body = order_body(order["customer_id"])
    if body == "NOTICE":
        body = notice_for(order)
    if body == "INSPECTION":
        body = inspection_body(order)
    if body == "PACKING":
        body = {"cartons": packing_for(order)}
    version = sample["version"]

    for role in sorted(set(ROLES) - allowed):
        r = await api.client.request(method, url, json=body, headers=headers(api, role))
        assert r.status_code == 403, (role, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["type"] == "/problems/forbidden"
        assert (await get_order(api, order["id"]))["version"] == version

    # The roles of the row get past the role check (the order's state may
    # still refuse them: 409 is fine here, 401/403 are not).
    for role in sorted(allowed):
        r = await api.client.request(method, url, json=body, headers=headers(api, role))
        assert r.status_code not in (401, 403), (role, r.text)
        assert r.status_code < 500, (role, r.text)


async def test_supplier_and_bi_cannot_create_anything(api):
    for role in ("supplier", "bi"):
        r = await api.client.post("/v1/customers", json={"name": "X", "country": "DE"},
                                  headers=headers(api, role))
        assert r.status_code == 403


async def _token_401(api, auth_header: str | None):
    hdrs = {} if auth_header is None else {"Authorization": auth_header}
    order = await create_order(api)
    for method, url, body in (
        ("GET", f"/v1/orders/{order['id']}", None),
        ("POST", f"/v1/orders/{order['id']}/confirmation", {"waiver_reason": "x"}),
        ("POST", "/v1/customers", {"name": "Acme", "country": "DE"}),
        ("GET", f"/v1/customers/{order['customer_id']}", None),
    ):
        r = await api.client.request(method, url, json=body, headers=hdrs)
        assert r.status_code == 401, (url, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert (await get_order(api, order["id"]))["version"] == order["version"]
    return r


async def test_missing_token_is_401(api):
    r = await _token_401(api, None)
    assert "invalid_token" not in r.headers["www-authenticate"]


@pytest.mark.parametrize("kind", ["garbage", "expired", "wrong-signature", "unknown-role",
                                  "basic-scheme"])
async def test_bad_tokens_are_401(api, kind):
    now = int(time.time())
    secret = embedded_secret(api.settings)
    claims = {"sub": "mallory", "role": "manager", "iat": now, "exp": now + 600}
    auth = {
        "garbage": "Bearer not.a.jwt",
        "expired": "Bearer " + jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600},
                                          secret, algorithm="HS256"),
        "wrong-signature": "Bearer " + jwt.encode(claims, "another-secret-" + "y" * 40,
                                                  algorithm="HS256"),
        "unknown-role": "Bearer " + jwt.encode({**claims, "role": "admin"}, secret,
                                               algorithm="HS256"),
        "basic-scheme": "Basic bWFuYWdlcjpzZWNyZXQ=",
    }[kind]
    await _token_401(api, auth)


# ---- README's "Who reads what" is the code's table -----------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_reads() -> dict[tuple[str, str], set[str]]:
    """(method, path[?query]) -> the roles that may, from the README's table
    (a row with a query is a read that the query opens to more roles)."""
    section = README.read_text(encoding="utf-8").split("### Who reads what", 1)[1]
    section = section.split("\n#", 1)[0]
    table: dict[tuple[str, str], set[str]] = {}
    for row in section.splitlines():
        if not row.startswith("| `GET "):
            continue
        reads, _, who = (cell.strip() for cell in row.strip().strip("|").split("|"))
        roles: set[str] = set()
        for name in who.split(","):
            name = name.strip().strip("`")
            roles |= set(STAFF_ROLES) if name == "staff" else {name}
        assert roles <= set(ROLES), row
        for operation in re.findall(r"`(GET [^`]+)`", reads):
            method, path = operation.split(" ", 1)
            table[(method, path)] = roles
    assert table, "the README has no table of reads"
    return table


def _operations(api) -> list[tuple[str, str]]:
    """Every operation that needs a token, from the app's own OpenAPI."""
    spec = api.server.app.openapi()
    return [(method.upper(), path) for path, operations in spec["paths"].items()
            for method, operation in operations.items() if operation.get("security")]


def _url(path: str) -> str:  # ids (and the query's) are new UUIDs
    return re.sub(r"\{(\w+)\}",
                  lambda m: "k1" if m.group(1) == "keyid" else str(uuid.uuid4()), path)


async def _past_the_door(api, role: str, operations: list[tuple[str, str]]) -> set:
    """The operations the role's token gets past (anything but 403: an
    unknown id is a 404, an empty body a 422)."""
    passed = set()
    for method, path in operations:
        r = await api.client.request(method, _url(path), headers=headers(api, role),
                                     json=None if method == "GET" else {})
        assert r.status_code != 401, (role, method, path, r.text)
        assert r.status_code < 500, (role, method, path, r.text)
        if r.status_code != 403:
            passed.add((method, path))
    return passed


async def test_bi_reads_the_projections_and_the_feed_nothing_else(api):
    """Every operation of the API with a bi token: what gets past the door
    is exactly the README's rows naming bi, all of them reads of
    projections or of the event feed."""
    table = readme_reads()
    passed = await _past_the_door(api, "bi", _operations(api))
    assert passed == {(method, path) for (method, path), roles in table.items()
                      if "bi" in roles and "?" not in path}
    assert all(method == "GET" for method, _ in passed)


async def test_the_readme_table_of_reads_is_the_code(api):
    """Every read that needs a token is in the table, and each role gets
    past the door of exactly the reads the table gives it."""
    table = readme_reads()
    reads = [op for op in _operations(api) if op[0] == "GET"]
    assert set(reads) == {op for op in table if "?" not in op[1]}
    reads += [op for op in table if "?" in op[1]]
    for role in ROLES:
        passed = await _past_the_door(api, role, reads)
        assert passed == {op for op in reads if role in table[op]}, role
