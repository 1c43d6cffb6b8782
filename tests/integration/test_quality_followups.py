"""Quality on both stores, the cases between the parts (issue 12): goods
packed before their final inspection go straight to `ready_to_ship` when it
passes; a failed incoming lot takes its accepted quantity back on the PO
board; a supplier's corrective action on a PO is closed with evidence."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from app.projections.runner import ProjectionRunner
from tests.commands import packing_for
from tests.integration.test_production_projections import BOSS, MERCH, TODAY, reads, released
from tests.integration.test_quality_projections import QC, inspect, inspect_po
from tests.integration.test_sourcing_projections import Sourcing, line


def test_goods_packed_before_the_final_are_ready_to_ship_once_it_passes(fresh_settings,
                                                                         gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store, batch_size=5)
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    oid = released(gendan, customer)
    gendan.quality.issue_packing_list(oid, packing_for(gendan.orders.get_order(oid)), MERCH)
    assert gendan.orders.get_order(oid)["state"] == "in_production"
    inspect(gendan, oid, "final", 0)
    assert gendan.orders.get_order(oid)["state"] == "ready_to_ship"
    runner.run_until_caught_up()
    row = reads(fresh_settings, "board", customer_id=str(customer))["data"][0]
    assert row["state"] == "ready_to_ship"


def test_a_rejected_lot_leaves_the_po_board_and_its_action_closes(fresh_settings, gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store, batch_size=5)
    s = Sourcing(gendan)
    supplier = s.supplier("Alpha Zips", "CN")
    po = s.draft(supplier, [line(1, "1000", "0.10", TODAY + timedelta(days=20))],
                 waiver="sole source")
    s.review_and_send(po)
    s.sign(po)
    s.receive(po, TODAY, (1, "1000", "1000", "0.10", False))
    receipt = gendan.purchase_orders.get_purchase_order(UUID(po))["receipts"][0]["receipt_id"]
    runner.run_until_caught_up()
    board_line = reads(fresh_settings, "purchase_orders")["data"][0]["lines"][0]
    assert (board_line["accepted"], board_line["complete"]) == ("1000", True)
    failed = inspect_po(gendan, po, receipt, 30)
    runner.run_until_caught_up()
    board_line = reads(fresh_settings, "purchase_orders")["data"][0]["lines"][0]
    assert (board_line["accepted"], board_line["complete"]) == ("0", False)
    action = failed["corrective_actions"][0]["action_id"]
    gendan.quality.close_po_corrective_action(UUID(po), failed["inspection_id"], action,
                                              "supplier's 8D report", QC)
    inspections = gendan.purchase_orders.get_purchase_order(UUID(po))["inspections"]
    assert inspections[0]["open_corrective_actions"] == 0
