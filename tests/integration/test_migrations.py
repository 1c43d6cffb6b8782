"""The read-model migrations go up, down and up again on both stores, and
the migrated schema is exactly the one app/schema.py declares (the read
models' tables and the command side's)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.application.migrate import alembic_config
from app.schema import METADATA, OUR_TABLES

RM_TABLES = {"rm_tracking", "rm_customers", "rm_board", "rm_finance", "rm_audit",
             "idempotency_keys", "signature_nonces", "rm_suppliers", "rm_purchase_orders",
             "rm_supplier_performance", "rm_delays", "rm_inspections", "rm_factory_quality"}
assert RM_TABLES == OUR_TABLES
# The BI surface (0009): schema bi on PostgreSQL, bi_* on SQLite.
BI_VIEWS = {"customers", "suppliers", "orders", "payments", "purchase_orders",
            "supplier_performance", "delays", "inspections", "factory_quality",
            "read_model_positions"}


def _rm_tables(settings) -> set[str]:
    engine = create_engine(settings.sqlalchemy_url())
    try:
        return {t for t in inspect(engine).get_table_names() if t in OUR_TABLES}
    finally:
        engine.dispose()


def _bi_views(settings) -> set[str]:
    engine = create_engine(settings.sqlalchemy_url())
    try:
        found = inspect(engine)
        if settings.is_postgres:
            schemas = found.get_schema_names()
            return set(found.get_view_names(schema="bi")) if "bi" in schemas else set()
        return {v.removeprefix("bi_") for v in found.get_view_names() if v.startswith("bi_")}
    finally:
        engine.dispose()


def _schema_diff(settings) -> list:
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "include_name": lambda name, type_, parent: type_ != "table"
                or name in OUR_TABLES,
            })
            return compare_metadata(context, list(METADATA))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(databases, store):
    settings = databases.settings(store)
    config = alembic_config(settings)

    command.upgrade(config, "head")
    assert _rm_tables(settings) == RM_TABLES
    assert _schema_diff(settings) == []
    assert _bi_views(settings) == BI_VIEWS

    command.downgrade(config, "base")
    assert _rm_tables(settings) == set()
    assert _bi_views(settings) == set()

    command.upgrade(config, "head")
    assert _rm_tables(settings) == RM_TABLES
    assert _schema_diff(settings) == []
    assert _bi_views(settings) == BI_VIEWS
