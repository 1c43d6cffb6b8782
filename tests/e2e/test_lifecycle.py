"""The whole lifecycle of issue 2 over HTTP, as the mobile apps drive it:
create -> samples -> PI -> signed back -> rough cost analysis -> confirm ->
detailed cost analysis -> deposit -> production notice -> production release
-> final inspection -> packing list -> balance -> ship -> close."""

from __future__ import annotations

from tests.commands import notice_for, packing_for
from tests.e2e.helpers import (
    SHIPMENT, command, inspection_body, lifecycle, new_customer, order_body, pay,
)


async def test_an_order_from_creation_to_closure(api):
    customer_id = await new_customer(api, "DE")
    body = order_body(customer_id)
    r = await api.post("/v1/orders", body, role="merchandiser")
    assert r.status_code == 201, r.text
    order = r.json()
    oid = order["id"]
    assert r.headers["location"] == f"/v1/orders/{oid}"
    assert r.headers["etag"] == '"1"'
    assert order["reference"] == body["reference"]
    assert order["customer_id"] == customer_id
    assert order["state"] == "inquiry"
    assert order["owner"] == "merchandiser-1"
    assert order["total"] == "8500.00"
    assert order["deposit_due"] == "2550.00"
    assert (order["paid"], order["balance_due"]) == ("0.00", "8500.00")
    assert order["margin"] is None
    assert order["lines"] == [{
        "line_no": 1, "sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
        "quantity": "10000", "unit": "m", "unit_price": "0.85", "amount": "8500.00",
    }]
    assert order["payment_terms"] == {"method": "TT", "deposit_percent": "30",
                                      "issuing_bank_country": None,
                                      "confirming_bank_country": None}
    assert (order["version"], order["alerts"]) == (1, [])
    assert isinstance(order["position"], int)

    history = [order]

    async def step(path, json, role, *, status=200, events=1):
        """One command: the version rises by the events it appended, the
        position moves forward and the ETag names the new version."""
        r = await api.post(f"/v1/orders/{oid}{path}", json, role=role)
        assert r.status_code == status, r.text
        answer, before = r.json(), history[-1]
        assert answer["version"] == before["version"] + events
        assert answer["position"] >= before["position"] + events
        assert r.headers["etag"] == f'"{answer["version"]}"'
        history.append(answer)
        return answer

    sample = await step("/samples", {"stage": "pre_production"}, "merchandiser", status=201)
    assert sample["state"] == "sampling"
    [requested] = sample["samples"]
    assert requested["sample_id"] == sample["sample_id"]
    assert (requested["stage"], requested["status"]) == ("pre_production", "requested")

    decided = await step(f"/samples/{sample['sample_id']}/decision",
                         {"decision": "approved", "comments": "hand feel OK",
                          "evidence_ref": "mail-2026-11-20"}, "supervisor")
    assert decided["samples"][0]["status"] == "approved"
    assert decided["samples"][0]["evidence_ref"] == "mail-2026-11-20"

    issued = await step("/proforma-invoice", {}, "supervisor")
    assert issued["state"] == "pi_issued"
    assert issued["proforma_invoice"] == {"revision": 1, "signed_back": False}

    signed = await step("/proforma-invoice/signed-back",
                        {"signed_by": "Hans Meyer", "evidence_ref": "scan-PI-1"}, "manager")
    assert signed["state"] == "pi_signed"
    assert signed["proforma_invoice"] == {"revision": 1, "signed_back": True}

    # USD 6000 + EUR 1000 at 1.08 = USD 7080: (8500 - 7080) / 8500 = 0.16705...
    costed = await step("/cost-analysis", {
        "costs": [{"item": "fabric", "amount": "6000.00", "currency": "USD"},
                  {"item": "freight", "amount": "1000.00", "currency": "EUR"}],
        "fx_rates": {"EUR": "1.08"},
    }, "accountant")
    assert (costed["margin"], costed["cost_analyses"]) == ("0.1670", 1)
    assert costed["needs_margin_approval"] is False

    confirmed = await step("/confirmation", {}, "manager")
    assert (confirmed["state"], confirmed["confirmed"]) == ("confirmed", True)

    # G2: the detailed analysis after confirmation, by the merchandiser (Plan 5
    # form 4). USD 6100 + EUR 1000 at 1.08 = USD 7180: 0.15529... -> 0.1552.
    detailed = await step("/cost-analysis", {
        "costs": [{"item": "fabric", "amount": "6100.00", "currency": "USD"},
                  {"item": "freight", "amount": "1000.00", "currency": "EUR"}],
        "fx_rates": {"EUR": "1.08"},
    }, "merchandiser")
    assert (detailed["margin"], detailed["cost_analyses"]) == ("0.1552", 2)

    deposit = await step("/payments", {"kind": "deposit", "amount": "2550.00", "currency": "USD",
                                       "received_on": "2027-01-10", "reference": "TT-001"},
                         "accountant")
    assert (deposit["deposit_received"], deposit["paid"]) == ("2550.00", "2550.00")
    assert deposit["balance_due"] == "5950.00"

    # The merchandiser's production notice (issue 11), which the release approves.
    r = await api.put(f"/v1/orders/{oid}/production-notice", notice_for(deposit),
                      role="merchandiser")
    assert r.status_code == 200, r.text
    notice = r.json()
    assert (notice["version"], notice["notice"]["frozen"]) == (deposit["version"] + 1, False)
    history.append(notice)

    released = await step("/production-release", {}, "supervisor")
    assert released["state"] == "in_production"
    assert released["alerts"] == []  # the deposit was in: no alert

    # G11 and G12 (issue 12): the final inspection passes, the packing list is as ordered.
    inspected = await step("/inspections", inspection_body(released), "qc", status=201)
    assert (inspected["state"], inspected["result"]) == ("inspected", "passed")
    r = await api.put(f"/v1/orders/{oid}/packing-list", {"cartons": packing_for(released)},
                      role="merchandiser")
    assert r.status_code == 200, r.text
    packed = r.json()
    assert (packed["version"], packed["state"]) == (inspected["version"] + 1, "ready_to_ship")
    assert (packed["differences"], packed["shippable"]) == ([], True)
    history.append(packed)

    balance = await step("/payments", {"kind": "balance", "amount": "5950.00",
                                       "currency": "USD", "received_on": "2027-02-20",
                                       "reference": "TT-002"}, "accountant")
    assert (balance["balance_received"], balance["paid"]) == ("5950.00", "8500.00")
    assert balance["balance_due"] == "0.00"

    shipped = await step("/shipments", SHIPMENT, "purchaser")
    assert shipped["state"] == "shipped"

    closed = await step("/closure", {}, "supervisor")
    assert closed["state"] == "closed"
    assert closed["version"] == 16

    # GET answers the same representation, without a command position.
    r = await api.get(f"/v1/orders/{oid}", role="qc")  # any staff role (bi: issue 9, no)
    assert r.status_code == 200
    assert r.headers["etag"] == '"16"'
    read = r.json()
    assert read["position"] is None
    assert {**read, "position": closed["position"]} == closed


async def test_low_margin_approved_then_confirmed(api):
    """(8500 - 8100) / 8500 = 0.04705...: floored to 0.0470, it needs the
    manager's approval before confirmation."""
    order = await pi_signed_order(api)
    oid = order["id"]
    costed = await command(api, oid, "/cost-analysis", {
        "costs": [{"item": "fabric", "amount": "8100", "currency": "USD"}]}, role="supervisor")
    assert (costed["margin"], costed["needs_margin_approval"]) == ("0.0470", True)
    approved = await command(api, oid, "/margin-approval", {"reason": "strategic customer"})
    assert (approved["margin_approved"], approved["needs_margin_approval"]) == (True, False)
    confirmed = await command(api, oid, "/confirmation", {})
    assert confirmed["state"] == "confirmed"


async def test_fees_do_not_count_towards_the_order(api):
    order = await pi_signed_order(api)
    paid = await pay(api, order["id"], "sample_fee", "50")
    assert paid["fees_received"] == "50.00"
    assert (paid["paid"], paid["balance_due"]) == ("0.00", "8500.00")


async def test_jpy_amounts_have_no_decimals(api):
    customer_id = await new_customer(api, "JP")
    # 333 x 12.345 = 4110.885 -> JPY 4111, halves rounded up as invoices are.
    r = await api.post("/v1/orders", order_body(
        customer_id, currency="JPY", samples_required=False,
        lines=[{"sku": "CUP", "quantity": "333", "unit": "pcs", "unit_price": "12.345"}],
    ), role="supervisor")
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["total"], order["deposit_due"], order["paid"]) == ("4111", "1233", "0")
    assert order["lines"][0]["unit_price"] == "12.345"


async def test_cancelled_order_refuses_further_commands(api):
    order = await pi_signed_order(api)
    cancelled = await command(api, order["id"], "/cancellation", {"reason": "customer withdrew"},
                              role="supervisor")
    assert cancelled["state"] == "cancelled"
    r = await api.post(f"/v1/orders/{order['id']}/confirmation", {})
    assert r.status_code == 409
    assert r.json()["type"] == "/problems/invalid-state"


async def pi_signed_order(api):
    return await lifecycle(api, "pi_signed")
