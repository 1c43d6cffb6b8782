"""The sourcing read models on both stores: the PO board, supplier
performance and supplier names after a sourcing scenario driven through the
application; a rebuild gives the same rows; the order's board row shows its
unsigned POs and their alerts; the queries page, filter, and never show a
supplier another supplier's PO."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from app.domain.errors import InvalidValue, NotFound
from app.domain.values import Actor
from app.projections import board
from app.projections.reads import ReadModels
from app.projections.runner import ProjectionRunner, rebuild_all
from tests.integration.test_projections import BOSS, dump, new_order
from tests.commands import on_order, on_purchase_order

SUPERVISOR = Actor("sue", "supervisor")
# G7's four eyes: a PO is reviewed by someone other than who drafted or waived it.
REVIEWER = Actor("kim", "supervisor")
PURCHASER = Actor("pat", "purchaser")
ACCOUNTANT = Actor("acc", "accountant")
ZIP = "YKK zip #5"
TODAY = datetime.now(timezone.utc).date()


def supplier_actor(supplier_id: Any) -> Actor:
    return Actor(f"portal-{supplier_id}", "supplier")


def line(no: int, quantity: str, price: str, due: date, item: str = ZIP) -> dict[str, Any]:
    return {"line_no": no, "item": item, "quantity": quantity, "unit": "pcs",
            "unit_price": price, "delivery_date": due}


class Sourcing:
    """The application's sourcing commands, as the API calls them."""

    def __init__(self, gendan):
        self.app = gendan

    def supplier(self, name: str, country: str) -> str:
        """Ids are text in the tests (as the read models hold them), UUIDs
        for the commands."""
        result = self.app.suppliers.register_supplier(
            name, country, None, [{"keyid": f"key-{name.replace(' ', '-')}", "public_key": "AAAA"}], SUPERVISOR)
        return str(result.view["id"])

    def awarded_rfq(self, order_id: Any, suppliers: list[str]) -> str:
        rfq = str(self.app.rfqs.request_quotes(
            item=ZIP, quantity="1500", unit="pcs", spec=None, required_by=date(2027, 1, 10),
            order_id=UUID(order_id), actor=PURCHASER).view["id"])
        for n, supplier in enumerate(suppliers):
            self.app.rfqs.record_quote(
                UUID(rfq), supplier_id=UUID(supplier), unit_price=f"0.1{n}", currency="USD",
                landed_cost_per_unit=None, lead_time_days=10, moq=None, valid_until=None,
                actor=PURCHASER)
        quote = next(q for q in self.app.rfqs.get_rfq(UUID(rfq))["quotes"]
                     if str(q["supplier_id"]) == suppliers[0])
        self.app.rfqs.award_rfq(UUID(rfq), quote["quote_id"], None, SUPERVISOR)
        return rfq

    def draft(self, supplier: str, lines: list[dict[str, Any]], *, order_id: str | None = None,
              rfq: str | None = None, currency: str = "USD", waiver: str | None = None) -> str:
        """A new item needs an awarded RFQ, or a supervisor's waiver (G8)."""
        return str(self.app.purchase_orders.draft_purchase_order(
            supplier_id=UUID(supplier), order_id=order_id and UUID(order_id),
            rfq_id=rfq and UUID(rfq), currency=currency, terms="FOB Shanghai", lines=lines,
            waiver_reason=waiver, actor=SUPERVISOR if waiver else PURCHASER).view["id"])

    def po(self, po_id: str, command) -> None:
        on_purchase_order(self.app, UUID(po_id), lambda p: {"result": command(p)})

    def review_and_send(self, po_id: str) -> None:
        self.po(po_id, lambda p: p.review(REVIEWER))
        self.app.purchase_orders.send_purchase_order(UUID(po_id), PURCHASER)

    def answer(self, po_id: str, decisions: list[dict[str, Any]]) -> None:
        view = self.app.purchase_orders.get_purchase_order(UUID(po_id))
        actor = supplier_actor(view["supplier_id"])
        self.po(po_id, lambda p: p.acknowledge(
            view["revision"], view["content_hash"], decisions, "key", {"sig": "x"}, actor))

    def sign(self, po_id: str) -> None:
        lines = self.app.purchase_orders.get_purchase_order(UUID(po_id))["lines"]
        self.answer(po_id, [{"line_no": ln["line_no"], "decision": "accept"} for ln in lines])

    def receive(self, po_id: str, on: date, *lines: tuple[int, str, str, str, bool]) -> None:
        self.po(po_id, lambda p: p.receive(on, None, [
            {"line_no": no, "received": got, "accepted": ok, "unit_price_invoiced": price,
             "partial": partial} for no, got, ok, price, partial in lines],
            self.app.policy, PURCHASER))

    def cancel(self, po_id: str) -> None:
        self.po(po_id, lambda p: p.cancel("not needed any more", PURCHASER))


def scenario(gendan) -> dict[str, str]:
    """Suppliers, an RFQ with three quotes, and POs through every event the
    sourcing read models handle."""
    s = Sourcing(gendan)
    ids: dict[str, str] = {}
    ids["a"] = s.supplier("Alpha Zips", "CN")
    ids["b"] = s.supplier("Bravo Trims", "VN")
    ids["c"] = s.supplier("Charlie Tapes", "IN")
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    ids["order"] = order = str(new_order(gendan, customer))
    rfq = s.awarded_rfq(order, [ids["a"], ids["b"], ids["c"]])

    # PO1: countered, the counter accepted (revision 2), signed back, then
    # received (a short line, a price above the PO, a late line), invoiced, paid.
    ids["po1"] = po1 = s.draft(ids["a"], [line(1, "1000", "0.10", date(2027, 1, 5)),
                                          line(2, "500", "0.10", date(2027, 2, 5))],
                               order_id=order, rfq=rfq)
    s.review_and_send(po1)
    s.answer(po1, [{"line_no": 1, "decision": "accept"},
                   {"line_no": 2, "decision": "counter", "delivery_date": date(2027, 2, 20)}])
    s.po(po1, lambda p: p.answer_counter(True, None, PURCHASER))
    s.review_and_send(po1)
    s.sign(po1)
    s.receive(po1, date(2027, 1, 4), (1, "900", "900", "0.10", False))  # short, on time
    s.receive(po1, date(2027, 2, 10), (2, "200", "200", "0.11", True))  # price above PO
    s.receive(po1, date(2027, 2, 25), (2, "300", "290", "0.10", False))  # late, 10 rejected
    s.po(po1, lambda p: p.record_invoice(
        "INV-1", date(2027, 2, 26), date(2027, 3, 28), "USD",
        [{"line_no": 1, "quantity": "900", "unit_price": "0.10"},
         {"line_no": 2, "quantity": "490", "unit_price": "0.11"}], ACCOUNTANT))
    s.po(po1, lambda p: p.pay("130.00", "USD", date(2027, 3, 20), "TT-9", "INV-1",
                              [{"reason": "short_delivery", "amount": "4.90"}], ACCOUNTANT))

    # PO2 (cancelled after sending) and PO4 (sent, overdue, unsigned) for the
    # same order, both at another price than PO1: the same alert code twice.
    ids["po2"] = po2 = s.draft(ids["b"], [line(1, "100", "0.12", date(2027, 1, 20))],
                               order_id=order)
    s.review_and_send(po2)
    s.cancel(po2)
    ids["po4"] = po4 = s.draft(ids["b"], [line(1, "100", "0.13", TODAY - timedelta(days=30))],
                               order_id=order)
    s.review_and_send(po4)

    # PO3: invoiced, then cancelled (its invoice still counts as payable).
    ids["po3"] = po3 = s.draft(ids["c"], [line(1, "100", "0.10", date(2027, 1, 20))],
                               currency="EUR")
    s.review_and_send(po3)
    s.po(po3, lambda p: p.record_invoice("C-1", date(2027, 1, 2), None, "EUR",
                                         [{"line_no": 1, "quantity": "100",
                                           "unit_price": "0.10"}], ACCOUNTANT))
    s.cancel(po3)

    # PO5: signed back, then amended (revision 2 in preparation); PO6: a draft.
    # (In EUR, at PO3's price: no alert of a price unlike another PO's.)
    ids["po5"] = po5 = s.draft(ids["a"], [line(1, "50", "0.10", date(2031, 4, 1))],
                               currency="EUR")
    s.review_and_send(po5)
    s.sign(po5)
    s.po(po5, lambda p: p.amend([line(1, "80", "0.10", date(2031, 3, 1))], None, "more",
                                PURCHASER))
    ids["po6"] = s.draft(ids["a"], [line(1, "10", "0.10", date(2031, 5, 1))])
    return ids


def caught_up(settings, gendan, batch_size: int = 7) -> None:
    runner = ProjectionRunner(settings, gendan.store, batch_size=batch_size)
    try:
        assert runner.run_until_caught_up() > 0
        assert set(runner.positions().values()) == {gendan.last_position()}
    finally:
        runner.stop()


def by_id(rows: list[dict], key: str = "id") -> dict[str, dict]:
    return {r[key]: r for r in rows}


def test_sourcing_rows_and_a_rebuild_gives_the_same(fresh_settings, gendan):
    ids = scenario(gendan)
    caught_up(fresh_settings, gendan)
    live = dump(fresh_settings)
    assert rebuild_all(fresh_settings) == gendan.last_position()
    assert dump(fresh_settings) == live

    names = {r["id"]: (r["name"], r["country"]) for r in live["rm_suppliers"]}
    assert names == {ids["a"]: ("Alpha Zips", "CN"), ids["b"]: ("Bravo Trims", "VN"),
                     ids["c"]: ("Charlie Tapes", "IN")}

    pos = by_id(live["rm_purchase_orders"])
    assert len(pos) == 6
    po1 = pos[ids["po1"]]
    assert (po1["supplier_name"], po1["order_id"], po1["state"], po1["revision"],
            po1["signed"], po1["signed_revision"], po1["sent_revision"]) == (
        "Alpha Zips", ids["order"], "signed", 2, True, 2, 2)
    assert po1["content_hash"] == gendan.purchase_orders.get_purchase_order(UUID(ids["po1"]))["content_hash"]
    assert po1["due_date"] == date(2027, 1, 5)
    assert po1["total_minor"] == 15000
    assert [(ln["line_no"], ln["quantity"], ln["unit_price"], ln["delivery_date"],
             ln["received"], ln["accepted"], ln["complete"]) for ln in po1["lines"]] == [
        (1, "1000", "0.10", "2027-01-05", "900", "900", True),
        (2, "500", "0.10", "2027-02-20", "500", "490", True),  # the counter's date
    ]
    assert po1["fully_received"] is True
    assert (po1["receipts"], po1["last_received_on"]) == (3, date(2027, 2, 25))
    assert (po1["invoiced_minor"], po1["paid_minor"], po1["adjusted_minor"]) == (
        14390, 13000, 490)
    assert {a["code"] for a in po1["alerts"]} == {
        "quantity_off_po:1", "price_above_po:2", "delivery_late:2", "invoice_mismatch:INV-1"}
    assert po1["open_alerts"] == 4
    assert po1["sent_at"] is not None and po1["sent_at"] == po1["last_sent_at"]

    assert (pos[ids["po2"]]["state"], pos[ids["po2"]]["signed"]) == ("cancelled", False)
    assert [a["code"] for a in pos[ids["po2"]]["alerts"]] == ["item_price_differs:1"]
    assert pos[ids["po3"]]["invoiced_minor"] == 1000 and pos[ids["po3"]]["currency"] == "EUR"
    po5 = pos[ids["po5"]]
    assert (po5["state"], po5["revision"], po5["signed"], po5["signed_revision"],
            po5["sent_revision"], po5["sent_at"]) == ("draft", 2, False, 1, 1, None)
    assert (po5["total_minor"], po5["sent_total_minor"]) == (800, 500)
    assert (po5["due_date"], po5["sent_due_date"]) == (date(2031, 3, 1), date(2031, 4, 1))
    po6 = pos[ids["po6"]]
    assert (po6["state"], po6["sent_revision"], po6["content_hash"]) == ("draft", None, None)

    perf = by_id(live["rm_supplier_performance"], "supplier_id")
    alpha = perf[ids["a"]]
    assert {k: alpha[k] for k in (
        "receipts", "lines_due_received", "lines_on_time", "ordered_quantity",
        "accepted_quantity", "rejected_quantity", "short_deliveries", "over_deliveries",
        "price_deviations", "invoice_price_deviations", "counter_proposals",
        "alerts_raised")} == {
        "receipts": 3, "lines_due_received": 2, "lines_on_time": 1,
        "ordered_quantity": "1500", "accepted_quantity": "1390", "rejected_quantity": "10",
        "short_deliveries": 1, "over_deliveries": 0, "price_deviations": 1,
        "invoice_price_deviations": 1, "counter_proposals": 1, "alerts_raised": 4}
    assert perf[ids["b"]]["alerts_raised"] == 2  # a price unlike PO1's, on PO2 and PO4
    assert perf[ids["c"]]["receipts"] == 0

    (order_row,) = live["rm_board"]
    assert order_row["blockers"] == [board.WAITING_SAMPLE, board.waiting_pos(1)]
    assert order_row["facts"]["open_pos"] == [ids["po4"]]
    po_alerts = [(a["purchase_order_id"], a["code"]) for a in order_row["alerts"]]
    assert sorted(po_alerts) == sorted([
        (ids["po1"], "quantity_off_po:1"), (ids["po1"], "price_above_po:2"),
        (ids["po1"], "delivery_late:2"), (ids["po1"], "invoice_mismatch:INV-1"),
        (ids["po2"], "item_price_differs:1"), (ids["po4"], "item_price_differs:1")])

    audit_orders = {r["order_id"] for r in live["rm_audit"] if r["aggregate_id"] == ids["po1"]}
    assert audit_orders == {ids["order"]}


def test_the_board_shows_unsigned_pos_until_they_are_signed(fresh_settings, gendan):
    s = Sourcing(gendan)
    supplier = s.supplier("Alpha Zips", "CN")
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    order = str(new_order(gendan, customer, samples=False))
    runner = ProjectionRunner(fresh_settings, gendan.store)

    def row() -> dict[str, Any]:
        runner.run_until_caught_up()
        (found,) = dump(fresh_settings)["rm_board"]
        return found

    first = s.draft(supplier, [line(1, "100", "0.10", date(2027, 1, 5))], order_id=order,
                    waiver="sole source")
    assert row()["blockers"] == [board.waiting_pos(1)]
    second = s.draft(supplier, [line(1, "100", "0.10", date(2027, 1, 5))], order_id=order,
                     waiver="sole source")
    assert row()["blockers"] == [board.waiting_pos(2)]
    s.review_and_send(first)
    s.sign(first)
    assert row()["blockers"] == [board.waiting_pos(1)]
    s.cancel(second)
    assert row()["blockers"] == []
    s.po(first, lambda p: p.amend([line(1, "120", "0.10", date(2027, 1, 5))], None,
                                  "more", PURCHASER))
    assert row()["blockers"] == [board.waiting_pos(1)]  # the new revision is unsigned
    s.review_and_send(first)
    s.sign(first)
    assert row()["blockers"] == []
    s.po(first, lambda p: p.amend([line(1, "130", "0.10", date(2027, 1, 5))], None,
                                  "more", PURCHASER))
    on_order(gendan, UUID(order), lambda o: o.cancel("customer withdrew", BOSS))
    final = row()
    assert (final["state"], final["blockers"]) == ("cancelled", [])  # final: no blockers
    runner.stop()
    live = dump(fresh_settings)
    rebuild_all(fresh_settings)
    assert dump(fresh_settings) == live


@pytest.fixture
async def reads(fresh_settings):
    models = ReadModels(fresh_settings)
    yield models
    await models.close()


async def test_reads_page_filter_and_scope(fresh_settings, gendan, reads):
    ids = scenario(gendan)
    caught_up(fresh_settings, gendan)

    everything = await reads.purchase_orders(limit=500)
    assert [r["id"] for r in everything["data"]] == [
        ids[k] for k in ("po1", "po2", "po4", "po3", "po5", "po6")]
    assert everything["next_cursor"] is None
    seen, cursor = [], None
    while True:
        page = await reads.purchase_orders(limit=4, cursor=cursor)
        seen += [r["id"] for r in page["data"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [r["id"] for r in everything["data"]]

    async def ids_of(**filters) -> list[str]:
        return [r["id"] for r in (await reads.purchase_orders(**filters))["data"]]

    assert await ids_of(supplier_id=ids["b"]) == [ids["po2"], ids["po4"]]
    assert await ids_of(order_id=ids["order"]) == [ids["po1"], ids["po2"], ids["po4"]]
    assert await ids_of(state="cancelled") == [ids["po2"], ids["po3"]]
    assert await ids_of(signed=True) == [ids["po1"]]
    assert ids["po1"] not in await ids_of(signed=False)
    assert await ids_of(overdue=True) == [ids["po4"]]
    assert ids["po4"] not in await ids_of(overdue=False)

    po1 = everything["data"][0]
    assert (po1["total"], po1["invoiced"], po1["paid"], po1["adjusted"],
            po1["outstanding"], po1["overdue"]) == (
        "150.00", "143.90", "130.00", "4.90", "9.00", False)
    assert "received" not in po1 and "total_minor" not in po1

    alpha = await reads.supplier_purchase_orders(ids["a"])
    assert [(r["id"], r["revision"], r["status"], r["total"], r["due_date"])
            for r in alpha["data"]] == [
        (ids["po1"], 2, "signed", "150.00", date(2027, 1, 5)),
        # Amended after signing: the supplier still sees revision 1, not the draft.
        (ids["po5"], 1, "revision_in_preparation", "5.00", date(2031, 4, 1)),
    ]
    bravo = await reads.supplier_purchase_orders(ids["b"].upper())  # ids are case-blind
    assert [(r["id"], r["status"]) for r in bravo["data"]] == [
        (ids["po2"], "cancelled"), (ids["po4"], "awaiting_signature")]
    first = await reads.supplier_purchase_orders(ids["b"], limit=1)
    rest = await reads.supplier_purchase_orders(ids["b"], cursor=first["next_cursor"])
    assert [r["id"] for r in first["data"] + rest["data"]] == [ids["po2"], ids["po4"]]
    assert (await reads.supplier_purchase_orders("not-a-supplier"))["data"] == []
    everyone = {ids["a"]: alpha, ids["b"]: bravo,
                ids["c"]: await reads.supplier_purchase_orders(ids["c"])}
    rows = by_id(dump(fresh_settings)["rm_purchase_orders"])
    for supplier, page in everyone.items():
        for item in page["data"]:
            assert rows[item["id"]]["supplier_id"] == supplier  # never another's
    assert ids["po6"] not in {r["id"] for p in everyone.values() for r in p["data"]}

    perf = await reads.supplier_performance(ids["a"])
    assert (perf["on_time_rate"], perf["fill_rate"]) == ("0.5000", "0.9267")
    assert (perf["purchase_orders_sent"], perf["purchase_orders_signed"],  # PO1, PO5
            perf["purchase_orders_placed"], perf["open_alerts"]) == (2, 2, 1, 4)
    assert perf["unsigned_purchase_orders"] == []
    bravo_perf = await reads.supplier_performance(ids["b"])
    (unsigned,) = bravo_perf["unsigned_purchase_orders"]
    assert (unsigned["id"], unsigned["revision"], unsigned["state"], unsigned["age_days"]) == (
        ids["po4"], 1, "sent", 0)
    assert (bravo_perf["on_time_rate"], bravo_perf["fill_rate"]) == (None, None)
    with pytest.raises(NotFound):
        await reads.supplier_performance(ids["order"])

    payables = await reads.payables()
    assert [(p["supplier_name"], p["currency"], p["purchase_orders"], p["invoiced"], p["paid"],
             p["adjusted"], p["outstanding"]) for p in payables["suppliers"]] == [
        ("Alpha Zips", "EUR", 1, "0.00", "0.00", "0.00", "0.00"),  # PO5; PO6 never sent
        ("Alpha Zips", "USD", 1, "143.90", "130.00", "4.90", "9.00"),
        ("Bravo Trims", "USD", 1, "0.00", "0.00", "0.00", "0.00"),  # PO4 (PO2: cancelled)
        ("Charlie Tapes", "EUR", 1, "10.00", "0.00", "0.00", "10.00"),  # cancelled, invoiced
    ]
    assert [(c["currency"], c["purchase_orders"], c["invoiced"], c["outstanding"])
            for c in payables["currencies"]] == [
        ("EUR", 2, "10.00", "10.00"), ("USD", 2, "143.90", "9.00")]
    assert payables["position"] == gendan.last_position()

    first = await reads.suppliers(limit=2)
    rest = await reads.suppliers(limit=2, cursor=first["next_cursor"])
    assert [r["name"] for r in first["data"] + rest["data"]] == [
        "Alpha Zips", "Bravo Trims", "Charlie Tapes"]
    assert rest["next_cursor"] is None
    with pytest.raises(InvalidValue):
        await reads.purchase_orders(cursor="bm90IGEgY3Vyc29y")


def test_amounts_are_exact(fresh_settings, gendan):
    """Quantities are summed as decimals, money as minor units: no float."""
    s = Sourcing(gendan)
    supplier = s.supplier("Alpha Zips", "CN")
    po = s.draft(supplier, [line(1, "0.1", "0.333333", date(2027, 1, 5)),
                            line(2, "0.2", "0.333333", date(2027, 1, 6))], waiver="sample run")
    s.review_and_send(po)
    s.sign(po)
    s.receive(po, date(2027, 1, 5), (1, "0.1", "0.1", "0.333333", False),
              (2, "0.2", "0.2", "0.333333", False))
    caught_up(fresh_settings, gendan)
    tables = dump(fresh_settings)
    (perf,) = tables["rm_supplier_performance"]
    assert (perf["ordered_quantity"], perf["accepted_quantity"]) == ("0.3", "0.3")
    assert Decimal(perf["ordered_quantity"]) == Decimal("0.1") + Decimal("0.2")
    (row,) = tables["rm_purchase_orders"]
    assert row["total_minor"] == 3 + 7  # 0.0333333 -> 0.03, 0.0666666 -> 0.07
