"""Fixtures shared by every tier.

``store`` parametrises a test over SQLite and PostgreSQL, so both stores run
the same cases. Each PostgreSQL test database is created here and dropped
afterwards. When PostgreSQL does not answer, its cases are skipped on a
developer's machine but fail when GENDAN_REQUIRE_POSTGRES=1 (CI, `make test`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from app.config import Settings
from tests.live import Api, LiveServer

PG_ADMIN_URL = os.environ.get("GENDAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("GENDAN_REQUIRE_POSTGRES") == "1"
STORES = ("sqlite", "postgres")


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc)


def _create_pg_database() -> str:
    problem = _pg_available()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (GENDAN_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    name = f"gendan_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Databases:
    """Makes empty databases of either kind and drops them at teardown."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.pg_urls: list[str] = []

    def settings(self, kind: str, **overrides) -> Settings:
        var = self.tmp / uuid.uuid4().hex[:8]
        var.mkdir(parents=True)
        if kind == "postgres":
            url = _create_pg_database()
            self.pg_urls.append(url)
        else:
            url = f"sqlite:///{var / 'gendan.db'}"
        values = dict(
            database_url=url, var_dir=var, jwt_secret="test-secret-" + "x" * 40,
            projection_poll_seconds=0.05, read_wait_seconds=5.0,
        )
        values.update(overrides)
        return Settings(**values)

    def close(self) -> None:
        for url in self.pg_urls:
            _drop_pg_database(url)


@pytest.fixture(params=STORES)
def store(request) -> str:
    """The store kind a test runs on: "sqlite" and "postgres"."""
    return request.param


@pytest.fixture
def databases(tmp_path) -> Iterator[Databases]:
    dbs = Databases(tmp_path)
    yield dbs
    dbs.close()


@pytest.fixture
def fresh_settings(databases, store) -> Settings:
    """Settings for a new, migrated, empty database of the ``store`` kind."""
    from app.store import migrate

    settings = databases.settings(store)
    migrate(settings)
    return settings


@pytest.fixture(scope="session")
def _session_databases(tmp_path_factory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("servers"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def _servers(_session_databases) -> Iterator[dict[str, LiveServer]]:
    """One live server per store kind, started on first use and shared by
    the e2e tests (they use random references, so they never collide)."""
    servers: dict[str, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def server(store, _servers, _session_databases) -> LiveServer:
    if store not in _servers:
        settings = _session_databases.settings(store)
        _servers[store] = LiveServer(settings, migrate=True).start()
    return _servers[store]


@pytest.fixture
async def api(server) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield Api(server, client)
