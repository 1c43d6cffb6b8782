"""Inspections, concessions and the packing list on the in-memory store
(issue 12): G11 and G12 as the aggregates apply them, the states
`inspected` and `ready_to_ship`, a PO's incoming lot rejected, and the
factory's switching state carried across orders. Over HTTP on both
stores: tests/e2e/test_quality.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.application import Gendan
from app.config import Settings
from app.domain.errors import GateViolation, InvalidState, InvalidValue, NotFound, RoleRefused
from app.domain.values import Actor
from tests.commands import draft_notice, on_order, packing_for, passed_final_inspection
from tests.unit import sourcing_builders as sourcing

MANAGER = Actor("chen", "manager")
SUPERVISOR = Actor("zhou", "supervisor")
QC = Actor("wu", "qc")
TODAY = datetime.now(timezone.utc).date()


@pytest.fixture
def app() -> Gendan:
    return Gendan(Settings(database_url="memory:", snapshot_interval=5))


def released(app: Gendan, sku="TEE", quantity="1000") -> str:
    customer = app.customers.register_customer("Customer", "DE", MANAGER).view
    oid = app.orders.create_order(
        reference=f"PO-{customer['id'].hex[:6]}", customer_id=customer["id"], currency="USD",
        incoterm="FOB", delivery_date=TODAY + timedelta(days=60), samples_required=False,
        payment_terms={"method": "TT", "deposit_percent": "30"},
        lines=[{"sku": sku, "quantity": quantity, "unit": "pcs", "unit_price": "5"}],
        actor=MANAGER).view["id"]
    on_order(app, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "3000", "currency": "USD"}], {}, MANAGER))
    on_order(app, oid, lambda o: o.confirm("by phone", app.policy, MANAGER))
    on_order(app, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "3000", "currency": "USD"}], {}, MANAGER))
    draft_notice(app, oid, MANAGER)
    on_order(app, oid, lambda o: o.release_production(app.policy, MANAGER))
    on_order(app, oid, lambda o: o.record_payment("balance", o.balance_due, "USD", TODAY, "TT",
                                                  MANAGER))
    return oid


def inspect(app, oid, major=0, **kw):
    body = {**passed_final_inspection(app.orders.get_order(oid)),
            "defects": {"critical": 0, "major": major, "minor": 0}, **kw}
    return app.quality.record_order_inspection(oid, **body, actor=QC)


def ship(app, oid):
    return on_order(app, oid, lambda o: o.ship(TODAY, "COSCO", "BL-1", MANAGER, app.policy))


def rule(excinfo) -> str:
    return excinfo.value.rule


def test_no_shipment_before_a_passed_final_inspection(app):
    oid = released(app)
    with pytest.raises(GateViolation) as refused:
        ship(app, oid)
    assert rule(refused) == "G11" and "No final inspection" in str(refused.value)
    failed = inspect(app, oid, major=9)
    assert failed.extra["result"] == "failed"
    assert failed.extra["plans"]["major"]["sample_size"] == 80
    assert app.orders.get_order(oid)["state"] == "in_production"
    with pytest.raises(GateViolation) as refused:
        ship(app, oid)
    assert rule(refused) == "G11"
    assert inspect(app, oid).view["state"] == "inspected"
    with pytest.raises(GateViolation) as refused:
        ship(app, oid)
    assert rule(refused) == "G12"  # next: the packing list


def test_a_managers_concession_with_the_customers_acceptance(app):
    oid = released(app)
    failed = inspect(app, oid, major=9).extra["inspection_id"]
    with pytest.raises(RoleRefused) as refused:
        app.quality.grant_concession(oid, failed, "minor shade", "mail", SUPERVISOR)
    assert refused.value.rule == "G11"
    with pytest.raises(InvalidValue):
        app.quality.grant_concession(oid, failed, "minor shade", " ", MANAGER)
    granted = app.quality.grant_concession(oid, failed, "shade within the buyer's band",
                                           "mail 2027-01-12", MANAGER)
    assert granted.view["state"] == "inspected"
    app.quality.issue_packing_list(oid, packing_for(app.orders.get_order(oid)), SUPERVISOR)
    assert ship(app, oid).view["state"] == "shipped"


def test_corrective_actions_open_and_close_with_evidence(app):
    oid = released(app)
    failed = inspect(app, oid, major=9, corrective_actions=[
        {"what": "re-iron and re-pack", "owner": "factory", "due_on": TODAY}]).extra
    action = failed["corrective_actions"][0]["action_id"]
    with pytest.raises(NotFound):
        app.quality.close_corrective_action(oid, failed["inspection_id"], "nope", "x", QC)
    app.quality.close_corrective_action(oid, failed["inspection_id"], action,
                                        "factory report signed", QC)
    with pytest.raises(InvalidState):
        app.quality.close_corrective_action(oid, failed["inspection_id"], action, "again", QC)
    with pytest.raises(InvalidValue):  # a passed inspection opens none
        inspect(app, oid, corrective_actions=[{"what": "x", "owner": "factory",
                                               "due_on": TODAY}])
    summary = app.orders.get_order(oid)["inspections"][0]
    assert summary["open_corrective_actions"] == 0


def test_the_packing_list_is_checked_colour_by_colour_and_size_by_size(app):
    oid = released(app)
    inspect(app, oid)
    cartons = packing_for(app.orders.get_order(oid))
    short = [{**cartons[0], "quantity_per_carton": "990"}]
    view = app.quality.issue_packing_list(oid, short, SUPERVISOR).view
    assert view["state"] == "ready_to_ship" and view["within_tolerance"] is False
    assert view["differences"][0]["difference"] == "-10"
    with pytest.raises(GateViolation) as refused:
        ship(app, oid)
    assert rule(refused) == "G12"
    with pytest.raises(RoleRefused):
        app.quality.accept_packing_difference(oid, "ok", "mail", QC)
    app.quality.accept_packing_difference(oid, "10 pcs short, agreed", "mail 3", SUPERVISOR)
    shipped = ship(app, oid)
    assert shipped.view["state"] == "shipped"


def test_a_tolerance_lets_a_small_difference_through(app):
    oid = released(app)
    app.quality.set_quantity_tolerance(oid, "2", SUPERVISOR)
    inspect(app, oid)
    cartons = packing_for(app.orders.get_order(oid))
    view = app.quality.issue_packing_list(
        oid, [{**cartons[0], "quantity_per_carton": "990"}], SUPERVISOR).view
    assert view["within_tolerance"] is True and view["tolerance_percent"] == "2"
    with pytest.raises(InvalidState):  # nothing to accept
        app.quality.accept_packing_difference(oid, "x", "y", SUPERVISOR)
    assert ship(app, oid).view["state"] == "shipped"


@pytest.mark.parametrize("change, field", [
    ({"to_no": 0}, "cartons.0.to_no"),
    ({"gross_kg": "5"}, "cartons.0.gross_kg"),
    ({"line_no": 9}, "cartons.0.line_no"),
    ({"net_kg": "-1"}, "cartons.0.net_kg"),
])
def test_bad_cartons_are_refused(app, change, field):
    oid = released(app)
    cartons = [{**packing_for(app.orders.get_order(oid))[0], **change}]
    with pytest.raises(InvalidValue) as refused:
        app.quality.issue_packing_list(oid, cartons, SUPERVISOR)
    assert refused.value.field == field


def test_overlapping_cartons_are_refused(app):
    oid = released(app)
    first = {**packing_for(app.orders.get_order(oid))[0], "from_no": 1, "to_no": 10,
             "quantity_per_carton": "50"}
    with pytest.raises(InvalidValue, match="overlap"):
        app.quality.issue_packing_list(oid, [first, {**first, "from_no": 10, "to_no": 20}],
                                       SUPERVISOR)


def test_the_factorys_severity_carries_across_orders(app):
    first, second, third = (released(app) for _ in range(3))
    assert inspect(app, first, major=9).extra["severity"] == "normal"
    answer = inspect(app, second, major=9).extra
    assert (answer["severity"], answer["severity_after"]) == ("normal", "tightened")
    answer = inspect(app, third).extra
    assert answer["severity"] == "tightened"
    assert answer["plans"]["major"]["accept"] == 3  # 2-B, J at 2.5
    # A re-inspection of an order's final lot does not count again.
    again = inspect(app, first).extra
    assert again["severity"] == "tightened" and again["severity_after"] == "tightened"
    switching = app.quality.get_switching("own:own workshop", "TEE")
    assert switching["tightened_accepted_in_a_row"] == 1


def accepted(app: Gendan, po_id) -> Decimal:
    from app.domain.purchase_order import PurchaseOrder  # noqa: PLC0415

    return app.store.load(po_id, PurchaseOrder, "Purchase order").received["1"]["accepted"]


def test_a_failed_incoming_lot_is_rejected_on_its_receipt(app):
    po = sourcing.placed()
    receipt_id = sourcing.receive(po, sourcing.got(1, "500"))
    app.store.save(po)
    po_id = po.id
    assert accepted(app, po_id) == Decimal("500")
    answer = app.quality.record_po_inspection(
        po_id, lot_size=500, level=None, aql=None,
        defects={"critical": 0, "major": 30, "minor": 0}, findings=None,
        report_ref="IQC-7", inspected_on=TODAY, corrective_actions=None,
        receipt_id=receipt_id, actor=QC).extra
    assert answer["result"] == "failed" and answer["rejected"]
    assert answer["corrective_actions"][0]["owner"] == "supplier"
    assert answer["rejected"] == [{"line_no": 1, "quantity": "500"}]
    assert accepted(app, po_id) == 0
    again = app.quality.record_po_inspection(  # a re-inspection rejects nothing twice
        po_id, lot_size=500, level=None, aql=None,
        defects={"critical": 0, "major": 30, "minor": 0}, findings=None,
        report_ref="IQC-8", inspected_on=TODAY, corrective_actions=None,
        receipt_id=receipt_id, actor=QC).extra
    assert again["rejected"] == [] and again["severity"] == "normal"
