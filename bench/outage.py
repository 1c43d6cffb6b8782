"""A database outage as `gendan serve` answers it (issue 14, item 5), on a
PRIVATE throwaway PostgreSQL cluster started here (tests/pgcluster.py),
never the machine's: the cluster is stopped (pg_ctl stop -m fast) under the
live server and started again.

The choreography is the outage test's (tests/faults/test_faults.py): a
command first, alone for 0.3 s, so the event store finds the outage by
itself; then /readyz and a read. Each is timed from the moment pg_ctl stop
has returned; recovery from the moment pg_ctl start has returned, until
/readyz answers 200 and a command is no longer refused with 503.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from bench.report import Report, progress
from bench.server import Server, token
from bench.stores import Store
from bench.targets import TargetTable
from tests.pgcluster import PgCluster, find_bindir


async def _timed(since: float, request) -> tuple[httpx.Response, float]:
    response = await request
    return response, time.monotonic() - since


async def _until(since: float, request, done, timeout: float = 60) -> float:
    while True:
        response = await request()
        if done(response):
            return time.monotonic() - since
        if time.monotonic() - since > timeout:
            return math.nan
        await asyncio.sleep(0.05)


def _refused(response: httpx.Response, elapsed: float) -> float:
    """The seconds, if the answer is the promised one (503 + Retry-After)."""
    ok = response.status_code == 503 and response.headers.get("Retry-After")
    return elapsed if ok else math.nan


async def _outage(cluster: PgCluster, base: str, headers: dict[str, str]) -> dict[str, float]:
    def customer(name: str):
        return lambda: client.post("/v1/customers", headers=headers,
                                   json={"name": name, "country": "DE"})

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(3):  # warm: pools connected, first-request costs paid
            (await customer("Before")()).raise_for_status()
            (await client.get("/v1/board", headers=headers)).raise_for_status()
        await asyncio.to_thread(cluster.stop)
        try:
            stopped = time.monotonic()
            command = asyncio.ensure_future(_timed(stopped, customer("During")()))
            await asyncio.sleep(0.3)
            (ready, ready_s), (read, read_s) = await asyncio.gather(
                _timed(stopped, client.get("/readyz")),
                _timed(stopped, client.get("/v1/board", headers=headers)))
            down, down_s = await command
        finally:
            await asyncio.to_thread(cluster.start)
        started = time.monotonic()
        ready_back, command_back = await asyncio.gather(
            _until(started, lambda: client.get("/readyz"), lambda r: r.status_code == 200),
            _until(started, customer("After"), lambda r: r.status_code != 503))
    progress(f"outage: command {down.status_code} after {down_s:.2f} s, read "
             f"{read.status_code} after {read_s:.2f} s, /readyz {ready.status_code} after "
             f"{ready_s:.2f} s; back: /readyz {ready_back:.2f} s, command {command_back:.2f} s")
    return {"command": _refused(down, down_s), "read": _refused(read, read_s),
            "ready": _refused(ready, ready_s), "ready_back": ready_back,
            "command_back": command_back}


def outage_phase(report: Report, table: TargetTable, run) -> None:
    bindir = find_bindir()
    if bindir is None:
        for key in ("outage_command", "outage_read", "outage_ready", "outage_recovery"):
            table.not_measured(key, "postgres", "PostgreSQL's initdb/pg_ctl not installed")
        return
    progress("postgres: outage on a private throwaway cluster")
    tmp = Path(tempfile.mkdtemp(prefix="gendan-bench-outage-"))
    cluster = PgCluster(bindir)
    try:
        cluster.start()
        with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "gendan_outage"')
        store = Store("postgres", f"postgresql://postgres@127.0.0.1:{cluster.port}/gendan_outage",
                      tmp)
        with Server(store) as server:
            headers = {"Authorization": f"Bearer {token(store, 'bench.manager', 'manager')}"}
            t = run(_outage(cluster, server.base, headers))
    finally:
        cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    back = max(t["ready_back"], t["command_back"])
    report.figure("postgres.outage.command_503_s", t["command"], "s",
                  table.row("outage_command").target, note="from pg_ctl stop -m fast")
    report.figure("postgres.outage.read_503_s", t["read"], "s", table.row("outage_read").target)
    report.figure("postgres.outage.readyz_503_s", t["ready"], "s",
                  table.row("outage_ready").target)
    report.figure("postgres.outage.back_s", back, "s", table.row("outage_recovery").target,
                  note=f"/readyz {t['ready_back']:.2f} s, command {t['command_back']:.2f} s "
                       "after pg_ctl start")
    how = "private cluster, pg_ctl stop -m fast under a live `gendan serve`"
    table.record("outage_command", "postgres", t["command"], how)
    table.record("outage_read", "postgres", t["read"], "GET /v1/board")
    table.record("outage_ready", "postgres", t["ready"], "GET /readyz")
    table.record("outage_recovery", "postgres", back,
                 f"/readyz 200 after {t['ready_back']:.2f} s, command after "
                 f"{t['command_back']:.2f} s, from pg_ctl start")
