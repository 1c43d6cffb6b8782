"""Alembic environment for our tables (app/schema.py): the read models' and
the command side's idempotency keys and nonces.

The URL comes from ``config.attributes["sqlalchemy_url"]`` when the app
migrates (app/application/migrate.py), else from Settings
(GENDAN_DATABASE_URL) when ``alembic`` is run by hand. The event store's
tables belong to the eventsourcing library and are ignored.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from app.schema import METADATA, OUR_TABLES

config = context.config
url = config.attributes.get("sqlalchemy_url")
if url is None:
    from app.config import Settings

    url = Settings().sqlalchemy_url()
    # Only the alembic command line configures logging: inside the app it
    # would reset the app's loggers.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table":
        return name in OUR_TABLES
    return True


def _options() -> dict[str, Any]:
    return dict(
        target_metadata=list(METADATA),
        compare_type=True,
        include_name=include_name,
        # SQLite cannot ALTER most things: batch mode copies the table.
        render_as_batch=url.startswith("sqlite"),
    )


def run_migrations_offline() -> None:
    context.configure(url=url, literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
