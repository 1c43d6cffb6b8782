"""The projections on both stores: live rows equal a rebuild, a crash mid-
batch leaves nothing half applied, runners resume and never double-apply."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select

from app.application import Gendan
from app.domain.values import Actor
from app.projections import board
from app.projections.runner import NAMES, ProjectionRunner, SimulatedCrash, rebuild_all
from app.projections.tables import metadata
from tests.commands import draft_notice, make_ready_to_ship, on_order

BOSS = Actor("boss", "manager")
MERCH = Actor("mia", "merchandiser")
ACCOUNTANT = Actor("acc", "accountant")


def dump(settings) -> dict[str, list[dict]]:
    """Every row of every read-model table, in primary-key order."""
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            return {
                table.name: [dict(r) for r in conn.execute(
                    select(table).order_by(*table.primary_key.columns)).mappings()]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def new_order(app: Gendan, customer_id, *, currency="USD", price="0.85", samples=True,
              deposit="30", delivery=date(2027, 3, 1), actor=MERCH) -> uuid.UUID:
    result = app.orders.create_order(
        reference=f"PO-{uuid.uuid4().hex[:8]}", customer_id=customer_id, currency=currency,
        incoterm="FOB", delivery_date=delivery, samples_required=samples,
        payment_terms={"method": "TT", "deposit_percent": deposit},
        lines=[{"sku": "NW-45G", "description": "nonwoven", "quantity": "10000",
                "unit": "m", "unit_price": price}],
        actor=actor,
    )
    return result.view["id"]


def run(app: Gendan, order_id, command) -> None:
    on_order(app, order_id, command)


def request_sample(app: Gendan, oid) -> str:
    result = on_order(app, oid, lambda o: {"sample_id": o.request_sample("pre_production", MERCH)})
    return result.extra["sample_id"]


def to_confirmed(app: Gendan, oid, costs="8100") -> None:
    sid = request_sample(app, oid)
    run(app, oid, lambda o: o.decide_sample(sid, "approved", None, "mail-1", BOSS))
    run(app, oid, lambda o: o.issue_proforma_invoice(BOSS))
    run(app, oid, lambda o: o.sign_back_proforma_invoice("Hans", "scan-1", BOSS))
    run(app, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": costs, "currency": "USD"}], {}, BOSS))
    if app.orders.get_order(oid)["needs_margin_approval"]:
        run(app, oid, lambda o: o.approve_margin("strategic customer", BOSS))
    run(app, oid, lambda o: o.confirm(None, app.policy, BOSS))
    # G2: the detailed analysis after confirmation, which production release needs.
    run(app, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": costs, "currency": "USD"}], {}, BOSS))
    if app.orders.get_order(oid)["needs_margin_approval"]:
        run(app, oid, lambda o: o.approve_margin("still strategic", BOSS))


def lifecycle(app: Gendan) -> dict[str, str]:
    """Several orders through every kind of event the read models handle."""
    acme = app.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    nippon = app.customers.register_customer("Nippon KK", "JP", BOSS).view["id"]
    full = new_order(app, acme)
    to_confirmed(app, full)
    draft_notice(app, full, BOSS)
    run(app, full, lambda o: o.release_production(app.policy, BOSS))  # alert: no deposit
    run(app, full, lambda o: o.record_payment(
        "deposit", Decimal("2550.00"), "USD", date(2027, 1, 5), "TT-1", ACCOUNTANT))
    make_ready_to_ship(app, full, BOSS)  # G11, G12: inspected and packed
    run(app, full, lambda o: o.record_payment(
        "balance", Decimal("5950.00"), "USD", date(2027, 2, 20), "TT-2", ACCOUNTANT))
    run(app, full, lambda o: o.ship(date(2027, 3, 1), "COSCO", "BL-1", BOSS, app.policy))
    run(app, full, lambda o: o.close(BOSS))

    unpaid = new_order(app, acme, deposit="20")
    run(app, unpaid, lambda o: o.amend_payment_terms(
        {"method": "TT", "deposit_percent": "40"}, app.policy, BOSS))
    to_confirmed(app, unpaid, costs="7000")
    run(app, unpaid, lambda o: o.record_payment(
        "mould_fee", Decimal("300.00"), "USD", date(2027, 1, 2), "FEE-1", ACCOUNTANT))
    run(app, unpaid, lambda o: o.record_payment(
        "deposit", Decimal("3400.00"), "USD", date(2027, 1, 5), "TT-3", ACCOUNTANT))
    draft_notice(app, unpaid, BOSS)
    run(app, unpaid, lambda o: o.release_production(app.policy, BOSS))
    run(app, unpaid, lambda o: o.approve_shipment_without_balance("long-standing customer", BOSS))
    app.orders.change_owner(unpaid, "li", BOSS)  # OrderOwnerChanged

    yen = new_order(app, nippon, currency="JPY", price="95", samples=False,
                    delivery=date(2020, 1, 1))
    cancelled = new_order(app, nippon, currency="JPY", price="90", samples=False)
    run(app, cancelled, lambda o: o.cancel("customer withdrew", BOSS))
    return {"full": str(full), "unpaid": str(unpaid), "yen": str(yen),
            "cancelled": str(cancelled), "acme": str(acme), "nippon": str(nippon)}


def test_live_rows_equal_a_rebuild(fresh_settings, gendan):
    ids = lifecycle(gendan)
    runner = ProjectionRunner(fresh_settings, gendan.store, batch_size=4)
    assert runner.run_until_caught_up() == gendan.last_position()
    assert set(runner.positions().values()) == {gendan.last_position()}
    runner.stop()
    live = dump(fresh_settings)

    assert rebuild_all(fresh_settings) == gendan.last_position()
    assert dump(fresh_settings) == live

    boards = {r["order_id"]: r for r in live["rm_board"]}
    assert boards[ids["full"]]["state"] == "closed"
    assert boards[ids["full"]]["customer_name"] == "ACME GmbH"
    assert boards[ids["full"]]["owner"] == "mia"
    assert boards[ids["unpaid"]]["blockers"] == []  # shipment without balance approved
    assert boards[ids["unpaid"]]["owner"] == "li"  # reassigned
    assert boards[ids["cancelled"]]["next_milestone"] is None
    money = {r["order_id"]: r for r in live["rm_finance"]}
    unpaid = money[ids["unpaid"]]
    assert (unpaid["contract_minor"], unpaid["deposit_due_minor"], unpaid["paid_minor"],
            unpaid["balance_due_minor"], unpaid["fees_received_minor"]) == (
        850000, 340000, 340000, 510000, 30000)
    assert unpaid["shipment_without_balance"] is True
    assert [a["code"] for a in unpaid["alerts"]] == ["shipment_without_balance"]
    assert money[ids["full"]]["alerts"] == []  # raised, then cleared by the deposit
    assert money[ids["yen"]]["contract_minor"] == 950000  # JPY has no minor units
    assert len(live["rm_audit"]) == gendan.last_position()


def test_board_blockers_follow_the_order(fresh_settings, gendan):
    runner = ProjectionRunner(fresh_settings, gendan.store)
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    oid = new_order(gendan, customer)

    def row():
        runner.run_until_caught_up()
        (found,) = [r for r in dump(fresh_settings)["rm_board"] if r["order_id"] == str(oid)]
        return found["next_milestone"], found["blockers"]

    assert row() == ("pre-production sample approval", [board.WAITING_SAMPLE])
    sid = request_sample(gendan, oid)
    run(gendan, oid, lambda o: o.decide_sample(sid, "approved", None, "m", BOSS))
    run(gendan, oid, lambda o: o.issue_proforma_invoice(BOSS))
    assert row() == ("signed-back PI", [board.WAITING_PI])
    run(gendan, oid, lambda o: o.sign_back_proforma_invoice("Hans", "scan", BOSS))
    run(gendan, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "8100", "currency": "USD"}], {}, BOSS))  # 4.7 %
    assert row() == ("confirmation", [board.WAITING_CONFIRMATION, board.MARGIN_APPROVAL])
    run(gendan, oid, lambda o: o.approve_margin("strategic", BOSS))
    run(gendan, oid, lambda o: o.confirm(None, gendan.policy, BOSS))
    assert row() == ("production release", [board.WAITING_DEPOSIT])
    run(gendan, oid, lambda o: o.analyse_costs(
        [{"item": "fabric", "amount": "8000", "currency": "USD"}], {}, BOSS))  # detailed
    run(gendan, oid, lambda o: o.record_payment(
        "deposit", Decimal("2550.00"), "USD", date(2027, 1, 5), "TT-1", ACCOUNTANT))
    draft_notice(gendan, oid, BOSS)
    run(gendan, oid, lambda o: o.release_production(gendan.policy, BOSS))
    assert row() == ("shipment", [board.WAITING_BALANCE])
    make_ready_to_ship(gendan, oid, BOSS)  # G11, G12
    run(gendan, oid, lambda o: o.record_payment(
        "balance", Decimal("5950.00"), "USD", date(2027, 2, 5), "TT-2", ACCOUNTANT))
    run(gendan, oid, lambda o: o.ship(date(2027, 3, 1), "COSCO", "BL-1", BOSS, gendan.policy))
    assert row() == ("closure", [])
    runner.stop()


def test_a_crash_mid_batch_applies_nothing_and_a_new_runner_resumes(fresh_settings, gendan):
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    first = new_order(gendan, customer)
    ProjectionRunner(fresh_settings, gendan.store).run_until_caught_up()
    before = dump(fresh_settings)
    to_confirmed(gendan, first)

    crashing = ProjectionRunner(fresh_settings, gendan.store, batch_size=10, fail_after=3)
    with pytest.raises(SimulatedCrash):
        crashing.run_until_caught_up()
    crashing.stop()
    assert dump(fresh_settings) == before  # rows and tracking untouched

    resumed = ProjectionRunner(fresh_settings, gendan.store, batch_size=10)
    assert resumed.run_until_caught_up() == gendan.last_position() - 2
    resumed.stop()
    live = dump(fresh_settings)
    rebuild_all(fresh_settings)
    assert dump(fresh_settings) == live


def test_a_new_runner_continues_from_the_tracking_position(fresh_settings, gendan):
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    new_order(gendan, customer)
    first = ProjectionRunner(fresh_settings, gendan.store)
    assert first.run_until_caught_up() == 2
    first.stop()
    new_order(gendan, customer)
    new_order(gendan, customer)
    again = ProjectionRunner(fresh_settings, gendan.store)
    assert again.run_until_caught_up() == 2
    assert again.run_until_caught_up() == 0
    assert again.positions() == dict.fromkeys(NAMES, 4)
    again.stop()


def test_concurrent_runners_never_apply_an_event_twice(fresh_settings, gendan):
    lifecycle(gendan)
    runners = [ProjectionRunner(fresh_settings, gendan.store, batch_size=2) for _ in range(3)]
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(runners))

    def work(runner):
        barrier.wait()
        try:
            counts.append(runner.run_until_caught_up())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for runner in runners:
        runner.stop()
    assert errors == []
    assert sum(counts) == gendan.last_position()  # each event applied by exactly one
    live = dump(fresh_settings)
    rebuild_all(fresh_settings)
    assert dump(fresh_settings) == live


def test_the_background_runner_follows_new_events(databases, store):
    # A poll interval far longer than the test: on PostgreSQL the runner must
    # be woken by LISTEN/NOTIFY, on SQLite by wake() (as the read routes do).
    from app.application.migrate import migrate

    settings = databases.settings(store, projection_poll_seconds=60)
    migrate(settings)
    app = Gendan(settings)
    runner = ProjectionRunner(settings, app.store)
    runner.start()
    try:
        time.sleep(0.3)  # let it go idle
        assert runner.is_running()
        app.customers.register_customer("ACME GmbH", "DE", BOSS).view
        if store == "sqlite":
            runner.wake()
        deadline = time.monotonic() + 10
        while runner.positions()["audit"] < app.last_position():
            assert time.monotonic() < deadline, "the runner did not wake up"
            time.sleep(0.02)
    finally:
        runner.stop()
        app.close()
    assert not runner.is_running()


def test_overdue_is_not_stored(fresh_settings, gendan):
    """days_late depends on the day the board is read: the row itself holds
    only the delivery date, so a rebuild on another day gives the same row."""
    customer = gendan.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    new_order(gendan, customer, delivery=date.today() - timedelta(days=3))
    ProjectionRunner(fresh_settings, gendan.store).run_until_caught_up()
    (row,) = dump(fresh_settings)["rm_board"]
    assert "days_late" not in row and "overdue" not in row
