"""Fresh stores for one run: a SQLite file in a temporary directory, or a
PostgreSQL database ``gendan_bench_<random>`` created here and dropped at the
end (also on failure and Ctrl-C)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import psycopg

from app.config import Settings

if TYPE_CHECKING:
    from tests.pgcluster import PgCluster

PG_ADMIN_URL = os.environ.get("GENDAN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Store:
    kind: str            # "sqlite" | "postgres"
    url: str             # GENDAN_DATABASE_URL
    var_dir: Path        # GENDAN_VAR_DIR (jwt secret, server log)

    def settings(self) -> Settings:
        # Defaults everywhere else, as `gendan serve` would read them.
        return Settings(database_url=self.url, var_dir=self.var_dir)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
        env.update(GENDAN_DATABASE_URL=self.url, GENDAN_VAR_DIR=str(self.var_dir))
        return env


def pg_admin_check() -> str:
    host = urlsplit(PG_ADMIN_URL).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"bench: PostgreSQL must be on loopback, not {host!r}")
    # Bounded retry: a test run on the same machine may restart the cluster.
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
                return conn.execute("SHOW server_version").fetchone()[0]
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


@contextmanager
def fresh_store(kind: str, label: str) -> Iterator[Store]:
    tmp = Path(tempfile.mkdtemp(prefix=f"gendan-bench-{kind}-{label}-"))
    name = None
    try:
        if kind == "postgres":
            name = f"gendan_bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        else:
            url = f"sqlite:///{tmp / 'gendan.db'}"
        yield Store(kind, url, tmp)
    finally:
        if name is not None:
            _drop(name)
        shutil.rmtree(tmp, ignore_errors=True)


def _drop(name: str, patience: float = 60) -> None:
    """DROP DATABASE, retried for a while if PostgreSQL is restarting."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:  # report, never hide the original error
                print(f"bench: could not drop database {name}: {exc}", file=sys.stderr,
                      flush=True)
                return
            time.sleep(1)


@contextmanager
def private_store(kind: str, name: str) -> Iterator[tuple[str, Path, "PgCluster | None"]]:
    """(database URL, a temporary directory, the cluster) for a script that
    needs a store of its own: a SQLite file in the directory, or database
    ``name`` on a PRIVATE throwaway PostgreSQL cluster started here (never
    the machine's). Both are removed at the end, also on failure."""
    from tests.pgcluster import INSTALL_HINT, PgCluster, find_bindir

    tmp = Path(tempfile.mkdtemp(prefix=f"gendan-{name}-"))
    cluster = None
    try:
        if kind == "postgres":
            bindir = find_bindir()
            if bindir is None:
                raise SystemExit(INSTALL_HINT)
            cluster = PgCluster(bindir).start()
            with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = f"postgresql://postgres@127.0.0.1:{cluster.port}/{name}"
        else:
            url = f"sqlite:///{tmp / 'gendan.db'}"
        yield url, tmp, cluster
    finally:
        if cluster is not None:
            cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)

