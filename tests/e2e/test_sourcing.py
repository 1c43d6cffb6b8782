"""Sourcing over real HTTP, on both stores: G8 (three quotes before the
first PO of an item), G7 (reviewed before sent; placed once signed back),
the RFQ comparison, receipts checked against the PO, three-way invoice
matching and supplier payments with adjustments."""

from __future__ import annotations

from tests.e2e.helpers import PROBLEM
from tests.e2e.sourcing import (
    awarded_rfq,
    draft,
    line,
    new_item,
    new_supplier,
    placed_po,
    po_command,
    sent_po,
)


async def test_g8_refuses_the_first_po_of_a_new_item_until_three_quotes_are_awarded(api):
    supplier = await new_supplier(api)
    item = new_item()

    refused = await draft(api, supplier, [line(item)], status=409)
    assert refused["rule"] == "G8" and "no RFQ" in refused["detail"]

    two_quotes = await awarded_rfq(api, item, supplier, others=1)
    refused = await draft(api, supplier, [line(item)], rfq_id=two_quotes, status=409)
    assert refused["rule"] == "G8" and "2 supplier" in refused["detail"]

    not_awarded = await awarded_rfq(api, item, supplier, award=False)
    refused = await draft(api, supplier, [line(item)], rfq_id=not_awarded, status=409)
    assert refused["rule"] == "G8" and "not awarded" in refused["detail"]

    other = await new_supplier(api)
    awarded_to_other = await awarded_rfq(api, item, other)
    refused = await draft(api, supplier, [line(item)], rfq_id=awarded_to_other, status=409)
    assert refused["rule"] == "G8" and "awarded to supplier" in refused["detail"]

    # A purchaser cannot waive G8; a supervisor can, with a reason.
    refused = await draft(api, supplier, [line(item)], waiver_reason="urgent", status=409)
    assert refused["rule"] == "G8" and "supervisor" in refused["detail"]

    rfq = await awarded_rfq(api, f"  {item.upper()} ", supplier)  # case and spacing: one item
    po = await draft(api, supplier, [line(item)], rfq_id=rfq)
    assert po["state"] == "draft" and po["rfq_id"] == rfq

    # Once bought (sent), the item needs no RFQ again, from any supplier.
    await po_command(api, po["id"], "review", role="supervisor")
    await po_command(api, po["id"], "send")
    again = await draft(api, other, [line(item, unit_price="0.1250")])
    assert again["state"] == "draft"


async def test_rfq_comparison_ranks_by_landed_price_in_one_currency_and_by_lead_time(api):
    r = await api.post("/v1/rfqs", {"item": new_item(), "quantity": "5000", "unit": "m",
                                    "spec": "nylon 210T", "required_by": "2027-02-01"},
                       role="purchaser")
    rfq = r.json()["id"]
    quotes = [("0.90", "CNY", "0.05", 30), ("0.13", "USD", None, 12), ("0.12", "EUR", "0.01", 20)]
    for price, currency, landed, lead in quotes:
        supplier = await new_supplier(api)
        body = {"supplier_id": supplier.id, "unit_price": price, "currency": currency,
                "lead_time_days": lead, "valid_until": "2027-06-30"}
        if landed:
            body["landed_cost_per_unit"] = landed
        r = await api.post(f"/v1/rfqs/{rfq}/quotes", body, role="purchaser")
        assert r.status_code == 201, r.text
    r = await api.get(f"/v1/rfqs/{rfq}?currency=USD&rate=CNY:0.14&rate=EUR:1.08",
                      role="accountant")
    assert r.status_code == 200, r.text
    ranked = r.json()["quotes"]
    # CNY (0.90+0.05) x 0.14 = 0.133; USD 0.13; EUR (0.12+0.01) x 1.08 = 0.1404
    assert [q["currency"] for q in ranked] == ["USD", "CNY", "EUR"]
    assert [q["landed_unit_price"] for q in ranked] == ["0.13", "0.133000", "0.140400"]
    assert {q["currency"]: q["lead_time_rank"] for q in ranked} == {"USD": 1, "EUR": 2, "CNY": 3}
    # Without a rate a quote is listed, unranked by price.
    r = await api.get(f"/v1/rfqs/{rfq}?currency=USD", role="purchaser")
    assert [q["price_rank"] for q in r.json()["quotes"]] == [1, None, None]
    r = await api.get(f"/v1/rfqs/{rfq}?currency=USD&rate=CNY", role="purchaser")
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    # Awarding is a supervisor's decision.
    quote = ranked[0]["quote_id"]
    r = await api.post(f"/v1/rfqs/{rfq}/award", {"quote_id": quote}, role="purchaser")
    assert r.status_code == 403
    r = await api.post(f"/v1/rfqs/{rfq}/award", {"quote_id": quote, "reason": "cheapest landed"},
                       role="supervisor")
    assert r.status_code == 200 and r.json()["awarded"]["quote_id"] == quote


async def test_g7_refuses_to_send_an_unreviewed_po_and_placed_means_signed(api):
    supplier = await new_supplier(api)
    po = await draft(api, supplier, [line(new_item())], role="supervisor",
                     waiver_reason="customer-nominated supplier")
    r = await api.post(f"/v1/purchase-orders/{po['id']}/send", role="purchaser")
    assert r.status_code == 409 and r.json()["rule"] == "G7"
    assert r.headers["content-type"].startswith(PROBLEM)
    # Only a supervisor or manager reviews.
    r = await api.post(f"/v1/purchase-orders/{po['id']}/review", role="purchaser")
    assert r.status_code == 403
    # Four eyes (Plan 5, cross-checking): not the supervisor who drafted it and
    # waived its quotes, whatever role that person holds.
    for sub, role in (("supervisor-1", "supervisor"), ("supervisor-1", "manager")):
        r = await api.client.post(f"/v1/purchase-orders/{po['id']}/review", json=None,
                                  headers=api.headers(role, sub=sub))
        assert r.status_code == 409 and r.json()["rule"] == "G7", r.text
        assert "supervisor-1 drafted it" in r.json()["detail"]
    r = await api.client.post(f"/v1/purchase-orders/{po['id']}/review", json=None,
                              headers=api.headers("supervisor", sub="supervisor-2"))
    assert r.status_code == 200, r.text
    sent = await po_command(api, po["id"], "send")
    assert sent["state"] == "sent" and not sent["placed"]
    assert len(sent["content_hash"]) == 64 and sent["content"]["revision"] == 1
    r = supplier.acknowledge(po["id"], accept_all=True)
    assert r.status_code == 200
    staff = (await api.get(f"/v1/purchase-orders/{po['id']}", role="qc")).json()
    assert staff["placed"]


async def test_receipts_off_the_po_raise_alerts(api):
    _, po = await placed_po(api, lines=[
        line(new_item(), line_no=1, quantity="1000", unit_price="0.1250",
             delivery_date="2027-01-15"),
        line(new_item(), line_no=2, quantity="500", unit_price="2.00",
             delivery_date="2027-01-15"),
        line(new_item(), line_no=3, quantity="200", unit_price="1.00",
             delivery_date="2027-01-15"),
    ])
    r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", {
        "received_on": "2027-01-20", "delivery_note": "DN-1", "lines": [
            # within ±3 %, right price, but late
            {"line_no": 1, "received": "980", "accepted": "975", "unit_price_invoiced": "0.1250"},
            # short beyond the tolerance, and priced above the PO
            {"line_no": 2, "received": "450", "accepted": "440", "unit_price_invoiced": "2.10"},
            # partial: shortness not judged yet
            {"line_no": 3, "received": "100", "accepted": "100", "unit_price_invoiced": "1.00",
             "partial": True},
        ]}, role="qc")
    assert r.status_code == 201, r.text
    codes = {a["code"] for a in r.json()["alerts"]}
    assert codes == {"delivery_late:1", "delivery_late:2", "delivery_late:3",
                     "quantity_off_po:2", "price_above_po:2"}
    assert all(a["for_role"] == "accountant" for a in r.json()["alerts"])
    [receipt] = r.json()["receipts"]
    assert receipt["lines"][1]["issues"] == ["short", "price_above_po", "late"]
    assert receipt["lines"][1]["rejected"] == "10"

    # The rest of line 3 arrives, 10 % over: over-delivery.
    r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", {
        "received_on": "2027-01-14", "lines": [
            {"line_no": 3, "received": "120", "accepted": "120", "unit_price_invoiced": "1.00"}]},
        role="purchaser")
    assert r.status_code == 201, r.text
    assert "quantity_off_po:3" in {a["code"] for a in r.json()["alerts"]}
    # Bad input: accepted more than received, an unknown line, a merchandiser.
    for body, status in (
        ({"lines": [{"line_no": 1, "received": "5", "accepted": "6",
                     "unit_price_invoiced": "1"}]}, 422),
        ({"lines": [{"line_no": 9, "received": "5", "accepted": "5",
                     "unit_price_invoiced": "1"}]}, 422),
        ({"lines": [{"line_no": 1, "received": 5, "accepted": "5",
                     "unit_price_invoiced": "1"}]}, 422),
    ):
        r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", body, role="qc")
        assert r.status_code == status, r.text
    r = await api.post(f"/v1/purchase-orders/{po['id']}/receipts", {"lines": []},
                       role="merchandiser")
    assert r.status_code == 403


async def test_same_item_at_another_price_alerts_the_accountant(api):
    item = new_item()
    _, first = await sent_po(api, lines=[line(item, unit_price="0.1250")])
    assert first["alerts"] == []
    _, second = await sent_po(api, lines=[line(item, unit_price="0.1400")])
    [alert] = second["alerts"]
    assert alert["code"] == "item_price_differs:1" and alert["for_role"] == "accountant"
    assert first["id"] in alert["message"]


async def test_three_way_match_payments_and_adjustments(api):
    _, po = await placed_po(api, lines=[line(new_item(), quantity="1000", unit_price="0.50",
                                             delivery_date="2027-01-15")])
    await po_command(api, po["id"], "receipts", {"received_on": "2027-01-25", "lines": [
        {"line_no": 1, "received": "1000", "accepted": "960", "unit_price_invoiced": "0.50"}]},
        role="purchaser", status=201)
    # Invoiced for 1000 although 960 were accepted: a mismatch.
    over = await po_command(api, po["id"], "invoices", {
        "invoice_no": "INV-77", "invoice_date": "2027-01-26", "due_date": "2027-02-25",
        "currency": "USD", "lines": [{"line_no": 1, "quantity": "1000", "unit_price": "0.50"}]},
        role="accountant", status=201)
    assert over["result"] == "mismatch"
    assert "invoice_mismatch:INV-77" in {a["code"] for a in over["alerts"]}
    assert over["invoiced"] == "500.00" and over["outstanding"] == "500.00"
    # Paid 470.00, 20.00 withheld for 40 rejected pieces, 10.00 for lateness.
    paid = await po_command(api, po["id"], "payments", {
        "amount": "470.00", "currency": "USD", "paid_on": "2027-02-20", "reference": "TT-9",
        "invoice_no": "INV-77", "adjustments": [
            {"reason": "short_delivery", "amount": "20.00", "note": "40 pcs rejected"},
            {"reason": "late_delivery", "amount": "10.00"}]},
        role="accountant", status=201)
    assert (paid["paid"], paid["adjusted"], paid["outstanding"]) == ("470.00", "30.00", "0.00")
    # Nothing more is owed; another currency is refused; only an accountant pays.
    for body, role, status in (
        ({"amount": "1.00", "currency": "USD", "paid_on": "2027-02-21", "reference": "x"},
         "accountant", 422),
        ({"amount": "1.00", "currency": "EUR", "paid_on": "2027-02-21", "reference": "x"},
         "accountant", 422),
        ({"amount": "1.00", "currency": "USD", "paid_on": "2027-02-21", "reference": "x"},
         "purchaser", 403),
    ):
        r = await api.post(f"/v1/purchase-orders/{po['id']}/payments", body, role=role)
        assert r.status_code == status, r.text
    r = await api.post(f"/v1/purchase-orders/{po['id']}/invoices", {
        "invoice_no": "INV-77", "invoice_date": "2027-01-26", "currency": "USD",
        "lines": [{"line_no": 1, "quantity": "1", "unit_price": "0.50"}]}, role="accountant")
    assert r.status_code == 409  # the same invoice twice


async def test_supplier_keys_are_checked_and_keyids_never_reused(api):
    for key, status in (("not a key", 422), ("QUJD" * 5, 422),
                        ("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
                         "\n-----END PUBLIC KEY-----", 422)):
        r = await api.post("/v1/suppliers", {"name": "X", "country": "CN",
                                             "keys": [{"keyid": "k1", "public_key": key}]},
                           role="purchaser")
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
    supplier = await new_supplier(api)
    from tests.e2e.sourcing import pem
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    body = {"keyid": supplier.keyid, "public_key": pem(Ed25519PrivateKey.generate())}
    r = await api.post(f"/v1/suppliers/{supplier.id}/keys", body, role="manager")
    assert r.status_code == 409
    r = await api.post(f"/v1/suppliers/{supplier.id}/keys", body, role="purchaser")
    assert r.status_code == 403


async def test_po_commands_honour_if_match_and_idempotency_keys(api):
    supplier = await new_supplier(api)
    body = {"supplier_id": supplier.id, "currency": "USD", "lines": [line(new_item())],
            "waiver_reason": "customer-nominated"}
    key = {"Idempotency-Key": f"draft-{supplier.id}"}
    first = await api.client.post("/v1/purchase-orders", json=body,
                                  headers={**api.headers("supervisor"), **key})
    again = await api.client.post("/v1/purchase-orders", json=body,
                                  headers={**api.headers("supervisor"), **key})
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotency-Replayed"] == "true"
    po = first.json()["id"]
    reviewed = await po_command(api, po, "review", role="manager")  # G7: not the drafter
    stale = await api.client.post(f"/v1/purchase-orders/{po}/send", json={}, headers={
        **api.headers("purchaser"), "If-Match": f'"{reviewed["version"] - 1}"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == f'"{reviewed["version"]}"'
    sent = await api.client.post(f"/v1/purchase-orders/{po}/send", json={}, headers={
        **api.headers("purchaser"), "If-Match": stale.headers["ETag"]})
    assert sent.status_code == 200 and sent.headers["ETag"] == f'"{reviewed["version"] + 1}"'
