"""Purchase orders and items replay the same from a snapshot as from their
events (snapshots are JSON: every key of the state must survive that)."""

from __future__ import annotations

from datetime import date

from app.application import Gendan
from app.domain.values import Actor
from tests.commands import on_purchase_order

PURCHASER, SUPERVISOR = Actor("zhao", "purchaser"), Actor("liu", "supervisor")
# G7's four eyes: another supervisor reviews what liu drafted and waived.
REVIEWER = Actor("kim", "supervisor")
SUPPLIER, ACCOUNTANT = Actor("portal", "supplier"), Actor("wang", "accountant")


def _busy_purchase_order(gendan: Gendan) -> str:
    supplier = gendan.suppliers.register_supplier("Zip Co", "CN", None, [], SUPERVISOR).view
    lines = [{"line_no": n, "item": f"zip {n}", "quantity": "100", "unit": "pcs",
              "unit_price": "0.50", "delivery_date": date(2027, 1, 15)} for n in (1, 2)]
    po = gendan.purchase_orders.draft_purchase_order(
        supplier_id=supplier["id"], order_id=None, rfq_id=None, currency="USD", terms=None,
        lines=lines, waiver_reason="sole source", actor=SUPERVISOR).view["id"]
    def update(po_id, command):
        return on_purchase_order(gendan, po_id, command)

    for revision in (1, 2):  # each reviewed, sent and signed back
        if revision == 2:
            update(po, lambda p: p.amend(lines, "30 days", "more", PURCHASER))
        update(po, lambda p: p.review(REVIEWER))
        gendan.purchase_orders.send_purchase_order(po, PURCHASER)
        update(po, lambda p: p.acknowledge(p.revision, p.current["content_hash"], [
            {"line_no": 1, "decision": "accept"}, {"line_no": 2, "decision": "accept"}],
            "k1", {"body": "{}"}, SUPPLIER))
    for n in (1, 2):
        update(po, lambda p, n=n: p.receive(date(2027, 1, 10), None, [
            {"line_no": n, "received": "60", "accepted": "60", "unit_price_invoiced": "0.50",
             "partial": True}], gendan.policy, PURCHASER))
    update(po, lambda p: p.record_invoice("INV-1", date(2027, 1, 11), None, "USD", [
        {"line_no": 1, "quantity": "60", "unit_price": "0.50"}], ACCOUNTANT))
    update(po, lambda p: p.pay("30.00", "USD", date(2027, 1, 20), "TT", "INV-1", [], ACCOUNTANT))
    return po


def test_a_purchase_order_replays_the_same_from_snapshots(fresh_settings):
    snapshotting = Gendan(fresh_settings.model_copy(update={"snapshot_interval": 2}))
    plain = Gendan(fresh_settings.model_copy(update={"snapshot_interval": 0}))
    try:
        po = _busy_purchase_order(snapshotting)
        assert snapshotting.store.snapshots is not None
        assert list(snapshotting.store.snapshots.get(po)), "no snapshot was taken"
        from_snapshot = snapshotting.purchase_orders.get_purchase_order(po)
        assert from_snapshot == plain.purchase_orders.get_purchase_order(po)
        assert from_snapshot["content"]["revision"] == 2 and from_snapshot["placed"]
        # Commands still work on the state a snapshot restored.
        result = on_purchase_order(snapshotting, po, lambda p: p.receive(
            date(2027, 1, 12), None, [{"line_no": 1, "received": "40", "accepted": "40",
                                      "unit_price_invoiced": "0.50"}],
            snapshotting.policy, PURCHASER))
        assert result.view["receipts"][-1]["lines"][0]["total_received"] == 100
    finally:
        snapshotting.close()
        plain.close()
