"""The BI surface in SQL (issue 13, item 5): the views answer an analyst's
first three questions with exact figures on both stores, on PostgreSQL as
the role `gendan bi grant` makes, which reads the bi views and nothing
else; the README's data dictionary is what the catalog's comments print."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from iso4217 import Currency
from psycopg import errors

from app.application import Gendan
from app.cli import main
from app.domain.reference import currency_minor_units
from app.domain.values import Actor
from app.projections.bi import BiAccessError, dictionary, grant
from app.projections.runner import ProjectionRunner

BOSS = Actor("boss", "manager")
MERCH = Actor("mia", "merchandiser")
ACCOUNTANT = Actor("acc", "accountant")
README = Path(__file__).resolve().parents[2] / "README.md"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def bi_role(store, fresh_settings):
    """A role name of this test's own (roles belong to the whole cluster),
    dropped with whatever it was granted before its database goes."""
    role = f"bi_t_{uuid.uuid4().hex[:10]}"
    yield role
    if store != "postgres":
        return
    with psycopg.connect(fresh_settings.database_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def _as_role(settings, role: str) -> psycopg.Connection:
    """A connection to the service's database as ``role``."""
    parts = urlsplit(settings.database_url)
    return psycopg.connect(host=parts.hostname, port=parts.port, dbname=parts.path[1:],
                           user=role, password=PASSWORD, autocommit=True)


def _order(app: Gendan, customer_id, currency: str, price: str, delivery: date) -> tuple:
    reference = f"BI-{uuid.uuid4().hex[:8]}"
    result = app.orders.create_order(
        reference=reference, customer_id=customer_id, currency=currency, incoterm="FOB",
        delivery_date=delivery, samples_required=False,
        payment_terms={"method": "TT", "deposit_percent": "30"},
        lines=[{"sku": "NW-45G", "description": "nonwoven", "quantity": "10000",
                "unit": "m", "unit_price": price}], actor=MERCH)
    return result.view["id"], reference


def _confirm(app: Gendan, oid) -> None:
    app.orders.issue_proforma_invoice(oid, BOSS)
    app.orders.record_proforma_invoice_signed_back(oid, "Hans", "scan-1", BOSS)
    app.orders.analyse_costs(oid, [{"item": "fabric", "amount": "7000", "currency": "USD"}],
                             {}, BOSS)
    app.orders.confirm_order(oid, None, BOSS)


def _drive(app: Gendan, today: date) -> dict[str, str]:
    """Four orders in two currencies: deposits this month and last, a balance
    and a fee (neither a deposit), two late orders and a cancelled one past
    its date (not late)."""
    month_start = today.replace(day=1)
    acme = app.customers.register_customer("ACME GmbH", "DE", BOSS).view["id"]
    nippon = app.customers.register_customer("Nippon KK", "JP", BOSS).view["id"]
    pay = app.orders.record_payment

    confirmed, _ = _order(app, acme, "USD", "0.85", today + timedelta(days=60))  # 8500.00
    _confirm(app, confirmed)
    pay(confirmed, "deposit", Decimal("2550.00"), "USD", month_start, "TT-1", ACCOUNTANT)
    pay(confirmed, "balance", Decimal("1000.00"), "USD", today, "TT-2", ACCOUNTANT)
    pay(confirmed, "mould_fee", Decimal("300.00"), "USD", today, "FEE-1", ACCOUNTANT)

    late_usd, late_usd_ref = _order(app, acme, "USD", "0.85", today - timedelta(days=10))
    pay(late_usd, "deposit", Decimal("1000.00"), "USD", month_start - timedelta(days=1),
        "TT-3", ACCOUNTANT)  # last month
    pay(late_usd, "deposit", Decimal("1400.25"), "USD", today, "TT-4", ACCOUNTANT)

    late_yen, late_yen_ref = _order(app, nippon, "JPY", "95", today - timedelta(days=3))
    pay(late_yen, "deposit", Decimal("285000"), "JPY", today, "TT-5", ACCOUNTANT)

    cancelled, _ = _order(app, nippon, "JPY", "90", today - timedelta(days=30))
    app.orders.cancel_order(cancelled, "customer withdrew", BOSS)
    return {"confirmed": str(confirmed), "late_usd": late_usd_ref, "late_yen": late_yen_ref}


# The analyst's three questions, as one would type them (bi. is bi_ on SQLite).
ORDERS_BY_STATE = "SELECT state, count(*) FROM bi.orders GROUP BY state ORDER BY state"
DEPOSITS_THIS_MONTH = (
    "SELECT currency, sum(amount) FROM bi.payments "
    "WHERE kind = 'deposit' AND received_on >= {since} GROUP BY currency ORDER BY currency")
LATE_ORDERS = ("SELECT reference, days_late FROM bi.orders WHERE overdue "
               "ORDER BY delivery_date, reference")


def test_the_three_questions_from_the_views(fresh_settings, gendan, store, bi_role):
    today = datetime.now(timezone.utc).date()
    ids = _drive(gendan, today)
    runner = ProjectionRunner(fresh_settings, gendan.store)
    runner.run_until_caught_up()
    runner.stop()
    month_start = today.replace(day=1)

    if store == "postgres":
        grant(fresh_settings, bi_role, PASSWORD)
        with _as_role(fresh_settings, bi_role) as conn:
            by_state = conn.execute(ORDERS_BY_STATE).fetchall()
            deposits = conn.execute(DEPOSITS_THIS_MONTH.format(since="%s"),
                                    (month_start,)).fetchall()
            late = conn.execute(LATE_ORDERS).fetchall()
            order = conn.execute(
                "SELECT order_id, total, deposit_due, deposit_received, paid, balance_due, "
                "fees_received, delivery_date, created_at FROM bi.orders WHERE order_id = %s",
                (ids["confirmed"],)).fetchone()
            types = dict(conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'bi' AND table_name = 'orders'").fetchall())
        # Exact decimals in major units, as many places as the currency has.
        assert deposits == [("JPY", Decimal("285000")), ("USD", Decimal("3950.25"))]
        assert order[0] == uuid.UUID(ids["confirmed"])
        assert order[1:7] == (Decimal("8500.00"), Decimal("2550.00"), Decimal("2550.00"),
                              Decimal("3550.00"), Decimal("4950.00"), Decimal("300.00"))
        assert order[7] == today + timedelta(days=60)
        assert order[8].tzinfo is not None and order[8] <= datetime.now(timezone.utc)
        assert {k: types[k] for k in ("order_id", "total", "delivery_date", "created_at")} == {
            "order_id": "uuid", "total": "numeric", "delivery_date": "date",
            "created_at": "timestamp with time zone"}
    else:
        with sqlite3.connect(fresh_settings.sqlite_path) as conn:
            def ask(query: str, *params):
                return conn.execute(query.replace("bi.", "bi_"), params).fetchall()
            by_state = ask(ORDERS_BY_STATE)
            deposits = ask(DEPOSITS_THIS_MONTH.format(since="?"), month_start.isoformat())
            late = ask(LATE_ORDERS)
        # SQLite has no decimal type: the sums are REAL, exact for these amounts.
        assert deposits == [("JPY", 285000.0), ("USD", 3950.25)]

    assert by_state == [("cancelled", 1), ("confirmed", 1), ("inquiry", 2)]
    assert late == [(ids["late_usd"], 10), (ids["late_yen"], 3)]


def test_currency_minor_units_are_the_services(fresh_settings, store):
    """The table the views divide by is ISO 4217 as the service reads it:
    a new currency in the library needs a migration."""
    expected = {c.code: currency_minor_units(c.code) for c in Currency
                if currency_minor_units(c.code) is not None}
    if store == "postgres":
        with psycopg.connect(fresh_settings.database_url) as conn:
            rows = conn.execute("SELECT currency, minor_units, scale_factor "
                                "FROM bi.currency_minor_units").fetchall()
    else:
        with sqlite3.connect(fresh_settings.sqlite_path) as conn:
            rows = conn.execute("SELECT currency, minor_units, scale_factor "
                                "FROM bi_currency_minor_units").fetchall()
    assert {code: units for code, units, _ in rows} == expected
    assert all(factor == 10 ** units for _, units, factor in rows)


# Views over one table, and a column of each that reads a column as is:
# PostgreSQL would write through them but for the privilege check.
SINGLE_TABLE_VIEWS = {"customers": "name", "suppliers": "name", "delays": "cause",
                      "inspections": "factory", "factory_quality": "factory",
                      "read_model_positions": "read_model"}


@pytest.mark.parametrize("store", ["postgres"])
def test_the_bi_role_reads_the_views_and_nothing_else(fresh_settings, bi_role):
    grant(fresh_settings, bi_role, PASSWORD)
    grant(fresh_settings, bi_role)  # again: an update, the password kept
    with psycopg.connect(fresh_settings.database_url) as admin:
        tables = admin.execute(
            "SELECT c.relname, (SELECT attname FROM pg_attribute WHERE attrelid = c.oid "
            "AND attnum = 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1").fetchall()
        views = [r[0] for r in admin.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'bi' AND c.relkind = 'v' ORDER BY 1")]
    names = {name for name, _ in tables}
    assert {"gendan_events", "gendan_snapshots", "idempotency_keys", "signature_nonces",
            "rm_board", "rm_audit", "rm_finance"} <= names
    assert {"orders", "payments", "purchase_orders", "supplier_performance", "delays",
            "inspections"} <= set(views)

    with _as_role(fresh_settings, bi_role) as conn:
        def refused(statement: str, *allowed: type[Exception]) -> None:
            with pytest.raises((errors.InsufficientPrivilege, *allowed)):
                conn.execute(statement)

        for view in views:
            conn.execute(f"SELECT * FROM bi.{view}").fetchall()
        # The event store, and every table of the service, read or written.
        for table, column in tables:
            refused(f"SELECT * FROM public.{table}")
            refused(f"INSERT INTO public.{table} DEFAULT VALUES")
            refused(f"UPDATE public.{table} SET {column} = {column}")
            refused(f"DELETE FROM public.{table}")
            refused(f"TRUNCATE public.{table}")
        refused("INSERT INTO bi.currency_minor_units VALUES ('XXX', 2, 100)")
        refused("UPDATE bi.currency_minor_units SET minor_units = 0")
        refused("DELETE FROM bi.currency_minor_units")
        # A view over one table would write through to it: the privilege
        # check refuses. A view over joins cannot be written at all: either
        # way nothing is written.
        for view, column in SINGLE_TABLE_VIEWS.items():
            refused(f"DELETE FROM bi.{view}")
            refused(f"UPDATE bi.{view} SET {column} = {column}")
            refused(f"INSERT INTO bi.{view} DEFAULT VALUES")
        for view in views:
            for statement in (f"DELETE FROM bi.{view}", f"INSERT INTO bi.{view} DEFAULT VALUES"):
                refused(statement, errors.FeatureNotSupported,
                        errors.ObjectNotInPrerequisiteState)
        refused("CREATE TABLE public.mine (a int)")
        refused("CREATE TABLE bi.mine (a int)")
        refused("CREATE SCHEMA mine")
        writable = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'bi') AND c.relkind IN ('r', 'v') "
            "AND has_table_privilege(current_user, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')"
        ).fetchall()
        assert writable == []


@pytest.mark.parametrize("store", ["postgres"])
def test_grant_refuses_a_role_that_would_read_more(fresh_settings, bi_role):
    with pytest.raises(BiAccessError, match="service connects as"):
        grant(fresh_settings, "postgres")
    with pytest.raises(BiAccessError, match="not a role name"):
        grant(fresh_settings, "Robert'); DROP TABLE rm_board; --")
    # PUBLIC may read the events on a database set up by hand: granting is
    # refused, and nothing is left behind.
    with psycopg.connect(fresh_settings.database_url, autocommit=True) as admin:
        admin.execute("GRANT SELECT ON gendan_events TO PUBLIC")
        with pytest.raises(BiAccessError, match="can read or write public.gendan_events"):
            grant(fresh_settings, bi_role, PASSWORD)
        assert admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                             (bi_role,)).fetchone() is None
        admin.execute("REVOKE SELECT ON gendan_events FROM PUBLIC")


def _readme_dictionary() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- bi-dictionary:start[^>]*-->\n\n(.*?)<!-- bi-dictionary:end -->",
                      text, re.S)
    assert found, "README.md has no generated bi data dictionary"
    return found.group(1)


@pytest.mark.parametrize("store", ["postgres"])
def test_the_readme_dictionary_is_the_catalogs(fresh_settings):
    """Regenerate it with `gendan bi dictionary` against a migrated
    PostgreSQL database when a view or a comment changes."""
    printed = dictionary(fresh_settings)
    assert "(no comment)" not in printed
    assert _readme_dictionary() == printed


def test_bi_commands_need_postgresql(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENDAN_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    monkeypatch.setenv("GENDAN_JWT_SECRET", "x" * 40)
    for argv in (["bi", "grant", "--role", "analyst"], ["bi", "dictionary"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert "SQLite has no roles" in str(exit_.value.code)
