"""Bringing a database up to date: the event store's tables (made by the
eventsourcing library) and the read-model tables (Alembic).

Only `gendan migrate` / `gendan serve` run this, once, before the API and
the projection workers start with CREATE_TABLE off: FACTS.md records that
concurrent DDL from several processes crashes on PostgreSQL. A PostgreSQL
advisory lock makes two deployments migrating at once take turns.
"""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.application.service import Gendan
from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
_MIGRATION_LOCK = 0x67656E64616E  # "gendan"


def alembic_config(settings: Settings) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["sqlalchemy_url"] = settings.sqlalchemy_url()
    return config


@contextmanager
def _migration_lock(settings: Settings) -> Iterator[None]:
    if not settings.is_postgres:
        yield
        return
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
    finally:
        engine.dispose()


def migrate(settings: Settings) -> None:
    if not settings.is_postgres and not settings.is_memory:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with _migration_lock(settings):
        Gendan(settings, create_table=True).close()  # the library makes its tables
        command.upgrade(alembic_config(settings), "head")

