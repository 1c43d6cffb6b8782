"""/readyz tells an anonymous caller a bare status (issue 9, item 7): the
database's host, port and driver, the boot error and the positions go to
the log. The boot state is faked: no store is needed to see what is said."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import httpx
import pytest

from app.config import Settings
from app.main import create_app

# What psycopg and asyncpg say when PostgreSQL is down: all of it private.
SECRETS = ("db.internal", "10.0.0.5", "5432", "gendan_prod", "psycopg", "asyncpg",
           "OperationalError", "ConnectionRefusedError", "position", "projections")


class FakeReads:
    def __init__(self, error: Exception | None = None):
        self.error = error

    async def position(self) -> int:
        if self.error is not None:
            raise self.error
        return 42


class FakeRunner:
    def __init__(self, running: bool = True):
        self.running = running

    def is_running(self) -> bool:
        return self.running


def _boot(gendan: bool = True, reads: FakeReads | None = None,
          runner: FakeRunner | None = None, error: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        gendan=SimpleNamespace(last_position=lambda: 42) if gendan else None,
        reads=reads or FakeReads(), runner=runner, error=error)


async def _readyz(boot: SimpleNamespace, probes: int = 1) -> httpx.Response:
    app = create_app(Settings(database_url="memory:", jwt_secret="x" * 32))
    app.state.boot = boot  # no lifespan: the boot thread never runs
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://t") as client:
        for _ in range(probes):
            response = await client.get("/readyz")
    return response


async def test_ready_is_a_bare_status() -> None:
    r = await _readyz(_boot(runner=FakeRunner()))
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


@pytest.mark.parametrize(("boot", "reason"), [
    (_boot(gendan=False, error='OperationalError: connection to server at "db.internal" '
                               '(10.0.0.5), port 5432 failed: Connection refused (psycopg)'),
     "starting: OperationalError"),
    (_boot(reads=FakeReads(ConnectionRefusedError(
        111, "Connect call failed ('10.0.0.5', 5432) to gendan_prod via asyncpg"))),
     "the database does not answer: ConnectionRefusedError"),
    (_boot(runner=FakeRunner(running=False)), "the projections are not running"),
])
async def test_not_ready_says_nothing_more_and_logs_why(boot, reason, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="gendan.health"):
        r = await _readyz(boot, probes=3)
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert r.json() == {"type": "/problems/not-ready", "title": "Not ready", "status": 503,
                        "detail": "The service is not ready", "instance": "/readyz"}
    for secret in SECRETS:
        assert secret not in r.text
    # The operator's log has the reason, once for three probes.
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "gendan.health"]
    assert len(logged) == 1 and logged[0].startswith(f"not ready: {reason}")
