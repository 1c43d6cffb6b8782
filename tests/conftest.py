"""Fixtures shared by every tier.

``store`` parametrises a test over SQLite and PostgreSQL, so both stores run
the same cases. Each PostgreSQL test database is created here and dropped
afterwards.

PostgreSQL is the tests' own: a private throwaway cluster (tests/pgcluster.py)
started by the first test that needs it (so `pytest tests/unit` starts none)
and removed at the end of the session, so no test touches anyone's database.
GENDAN_TEST_PG (an admin URL) points the tests at another server instead.
When PostgreSQL cannot be had, its cases are skipped on a developer's machine
but fail when GENDAN_REQUIRE_POSTGRES=1 (CI, `make test`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import NoReturn

import httpx
import psycopg
import pytest

from app.config import Settings
from tests.live import Api, LiveServer
from tests.pgcluster import INSTALL_HINT, PgCluster, PgClusterError, find_bindir

TEST_PG = os.environ.get("GENDAN_TEST_PG")
REQUIRE_PG = os.environ.get("GENDAN_REQUIRE_POSTGRES") == "1"
STORES = ("sqlite", "postgres")

_session_cluster: PgCluster | None = None
_session_cluster_problem: str | None = None  # why it did not start: asked once, not per test


def _unavailable(problem: str) -> NoReturn:
    if REQUIRE_PG:
        pytest.fail(f"PostgreSQL is required (GENDAN_REQUIRE_POSTGRES=1): {problem}",
                    pytrace=False)
    pytest.skip(f"PostgreSQL not available: {problem}")


def _start_private_cluster() -> PgCluster:
    """Without the binaries a required run ends at once with the line that
    installs them, rather than failing every PostgreSQL case one by one."""
    bindir = find_bindir()
    if bindir is None:
        if REQUIRE_PG:
            pytest.exit(INSTALL_HINT, returncode=1)
        pytest.skip(INSTALL_HINT)
    return PgCluster(bindir).start()


def private_cluster() -> PgCluster:
    """A started private cluster of the caller's own; the caller removes it."""
    try:
        return _start_private_cluster()
    except PgClusterError as exc:
        _unavailable(str(exc))


def pg_admin_url() -> str:
    """The session's PostgreSQL: GENDAN_TEST_PG, else the private cluster,
    started on the first call and removed by pytest_sessionfinish."""
    global _session_cluster, _session_cluster_problem
    if TEST_PG:
        return TEST_PG
    if _session_cluster is None and _session_cluster_problem is None:
        try:
            _session_cluster = _start_private_cluster()
        except PgClusterError as exc:
            _session_cluster_problem = str(exc)
    if _session_cluster is None:
        _unavailable(str(_session_cluster_problem))
    return _session_cluster.admin_url


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """Also when the session failed or was interrupted. Last, because a
    session cut short tears its fixtures down in pytest's own
    pytest_sessionfinish, and they drop their databases on this cluster."""
    global _session_cluster
    if _session_cluster is not None:
        _session_cluster.remove()
        _session_cluster = None


def _pg_available(admin_url: str) -> str | None:
    try:
        with psycopg.connect(admin_url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc)


def _create_pg_database(admin_url: str) -> str:
    problem = _pg_available(admin_url)
    if problem:
        _unavailable(problem)
    name = f"gendan_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Databases:
    """Makes empty databases of either kind and drops them at teardown.

    PostgreSQL databases go to ``admin_url``'s server, by default the
    session's (resolved on first use, so SQLite-only tests start no cluster).
    """

    def __init__(self, tmp: Path, admin_url: str | None = None):
        self.tmp = tmp
        self.admin_url = admin_url
        self.pg_urls: list[tuple[str, str]] = []  # (admin URL, database URL)

    def settings(self, kind: str, **overrides) -> Settings:
        var = self.tmp / uuid.uuid4().hex[:8]
        var.mkdir(parents=True)
        if kind == "postgres":
            admin_url = self.admin_url or pg_admin_url()
            url = _create_pg_database(admin_url)
            self.pg_urls.append((admin_url, url))
        else:
            url = f"sqlite:///{var / 'gendan.db'}"
        values = dict(
            database_url=url, var_dir=var, jwt_secret="test-secret-" + "x" * 40,
            projection_poll_seconds=0.05, read_wait_seconds=5.0,
        )
        values.update(overrides)
        return Settings(**values)

    def close(self) -> None:
        for admin_url, url in self.pg_urls:
            _drop_pg_database(admin_url, url)


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
    from app.application.migrate import migrate

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
