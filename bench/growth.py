"""Cost as the work grows (issue 14, item 6): command latency and server
CPU per command at a small and at a large number of stored events.

Getting a million events into the store through the library would take
most of the run (~1,000 orders/s seeded), so the filler copies the stored
events of a few hundred orders seeded by ``bench.library.Seeder`` under new
originator ids, straight into the library's events table (PostgreSQL: COPY;
SQLite: executemany), in big transactions. Those are real events of real
orders, gap-free positions from the table's own sequence. The read models'
tracking rows are then moved to the last position ("marked projected"), so
the server does not spend minutes projecting the filler: the figures are the
command path at that store size, not a catch-up.
"""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from bench.commands import run_commands
from bench.library import Seeder
from bench.load import Driver
from bench.report import Report, progress
from bench.server import Server, token
from bench.stores import Store, fresh_store
from bench.targets import TargetTable

# How many rows one transaction of the filler carries.
CHUNK = 50_000


@dataclass
class Templates:
    """The stored events of some aggregates: [(versions, topics, states)]."""

    aggregates: list[list[tuple[int, str, bytes]]]
    uuid_text: bool            # SQLite stores ids as text, PostgreSQL as uuid

    @property
    def events(self) -> int:
        return sum(len(a) for a in self.aggregates)


def events_table(store: Store) -> str:
    """The library's events table (its name is the recorder's, not ours)."""
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = 'notification_id' AND table_schema = 'public'").fetchall()
        if len(rows) != 1:
            raise RuntimeError(f"bench.growth: which events table? {rows}")
        return rows[0][0]
    with sqlite3.connect(_path(store)) as conn:
        names = [n for (n, sql) in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if "originator_version" in (sql or "") and "WITHOUT ROWID" not in sql]
    if len(names) != 1:
        raise RuntimeError(f"bench.growth: which events table? {names}")
    return names[0]


def _path(store: Store) -> str:
    return store.url.split("sqlite:///", 1)[1]


def count_events(store: Store, table: str) -> int:
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with sqlite3.connect(_path(store)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def last_position(store: Store, table: str) -> int:
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            return conn.execute(f"SELECT coalesce(max(notification_id), 0) FROM {table}"
                                ).fetchone()[0]
    with sqlite3.connect(_path(store)) as conn:
        return conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]


def templates_after(store: Store, table: str, position: int) -> Templates:
    """The events stored after ``position``, grouped by aggregate."""
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            rows = conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {table} "
                "WHERE notification_id > %s ORDER BY notification_id", (position,)).fetchall()
    else:
        with sqlite3.connect(_path(store)) as conn:
            rows = conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {table} "
                "WHERE rowid > ? ORDER BY rowid", (position,)).fetchall()
    by_id: dict[object, list[tuple[int, str, bytes]]] = defaultdict(list)
    for originator, version, topic, state in rows:
        by_id[originator].append((version, topic, bytes(state)))
    return Templates(list(by_id.values()), uuid_text=store.kind != "postgres")


def _copies(templates: Templates, count: int):
    """``count`` event rows: the templates over and over, new ids each time."""
    made = 0
    while True:
        for aggregate in templates.aggregates:
            new = uuid.uuid4()
            oid = str(new) if templates.uuid_text else new
            for version, topic, state in aggregate:
                if made == count:
                    return
                yield oid, version, topic, state
                made += 1


def fill(store: Store, table: str, templates: Templates, count: int) -> float:
    """Append ``count`` copied events; the seconds it took. The server must
    be stopped (nothing else writes meanwhile)."""
    t0 = time.perf_counter()
    rows = _copies(templates, count)
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            left = count
            while left > 0:
                n = min(CHUNK, left)
                with conn.transaction(), conn.cursor() as cur:
                    with cur.copy(f"COPY {table} (originator_id, originator_version, topic, "
                                  "state) FROM STDIN") as copy:
                        for _ in range(n):
                            copy.write_row(next(rows))
                left -= n
    else:
        conn = sqlite3.connect(_path(store), isolation_level=None)
        try:
            left = count
            while left > 0:
                n = min(CHUNK, left)
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(f"INSERT INTO {table} (originator_id, originator_version, "
                                 "topic, state) VALUES (?, ?, ?, ?)",
                                 (next(rows) for _ in range(n)))
                conn.execute("COMMIT")
                left -= n
        finally:
            conn.close()
    return time.perf_counter() - t0


def settle(store: Store, table: str) -> float:
    """PostgreSQL: VACUUM ANALYZE the events table once, as autovacuum would
    after a load, so it does not run in the middle of the timed phase."""
    if store.kind != "postgres":
        return 0.0
    t0 = time.perf_counter()
    with psycopg.connect(store.url, autocommit=True) as conn:
        conn.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - t0


def mark_projected(store: Store, position: int) -> int:
    """Move every read model's tracking row to ``position``: the filler
    counts as projected. How many rows moved."""
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            return conn.execute("UPDATE rm_tracking SET position = %s WHERE position < %s",
                                (position, position)).rowcount
    with sqlite3.connect(_path(store)) as conn:
        return conn.execute("UPDATE rm_tracking SET position = ? WHERE position < ?",
                            (position, position)).rowcount


def label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}k"


def growth_phase(kind: str, sizes, report: Report, table: TargetTable, seed: int, *,
                 client: str, serve_args: tuple[str, ...], quiet: Callable[[str], None],
                 run: Callable) -> None:
    """The commands-only run at ``sizes.growth_small`` and then at
    ``sizes.growth_large`` stored events, on one fresh store with one pool
    of orders created over HTTP (the commands' targets)."""
    p = f"{kind}.growth"
    rng = random.Random(seed + 14)
    with fresh_store(kind, "growth") as store:
        progress(f"{kind}: growth: pool of {sizes.pool_orders} orders over HTTP")
        with Server(store, *serve_args) as server:
            tokens = {role: token(store, f"bench.{role}", role)
                      for role in ("manager", "accountant", "merchandiser")}
            pool = run(Driver(server.base, tokens, client).setup_pool(
                sizes.pool_customers, sizes.pool_orders, rng))
            server.wait_projections(tokens["manager"])
        events = events_table(store)
        before = last_position(store, events)
        Seeder(store.settings(), seed=seed, customers=10).add(sizes.growth_templates)
        templates = templates_after(store, events, before)
        measured = {}
        for size in (sizes.growth_small, sizes.growth_large):
            at = label(size)
            add = max(0, size - count_events(store, events))
            progress(f"{kind}: growth: filling to {at} stored events ({add} copied)")
            fill_s = fill(store, events, templates, add)
            settle_s = settle(store, events)
            stored = count_events(store, events)
            moved = mark_projected(store, last_position(store, events))
            report.fact(f"{kind} growth at {at}: {stored} stored events; {add} copied from "
                        f"{len(templates.aggregates)} seeded aggregates in {fill_s:.1f} s "
                        f"({add / max(fill_s, 1e-9):,.0f} events/s"
                        + (f", VACUUM ANALYZE {settle_s:.1f} s" if kind == "postgres" else "")
                        + f"), marked projected ({moved} tracking rows moved to the last "
                        "position: the server does not project the filler)")
            with Server(store, *serve_args) as server:
                driver = Driver(server.base, tokens, client)
                result, latency = run_commands(
                    server, driver, pool, rng, count=sizes.commands_only, warmup=sizes.warmup,
                    concurrency=sizes.concurrency, postgres=kind == "postgres", quiet=quiet,
                    label=f"growth at {at}", manager_token=tokens["manager"], run=run)
            report.figure(f"{p}.{at}.events", stored, "events")
            report.figure(f"{p}.{at}.commands_per_s", result.rate, "1/s")
            report.figure(f"{p}.{at}.command.p50", latency.p50, "ms")
            report.figure(f"{p}.{at}.command.p99", latency.p99, "ms")
            report.figure(f"{p}.{at}.cpu.server_per_command", result.cpu_ms(), "ms")
            report.figure(f"{p}.{at}.cpu.db_per_command", result.cpu_ms("db"), "ms")
            report.figure(f"{p}.{at}.cpu.other", result.cpu["other"], "%core")
            report.figure(f"{p}.{at}.errors", result.count - result.ok, "count")
            measured[size] = (latency, result)
    (small, s_run), (large, l_run) = measured[sizes.growth_small], measured[sizes.growth_large]
    ratio = large.p50 / small.p50
    report.figure(f"{p}.p50_ratio", ratio, "ratio", table.row("growth_p50").target,
                  note=f"p50 at {label(sizes.growth_large)} / at {label(sizes.growth_small)}")
    table.record("growth_p50", kind, ratio, (
        f"p50 {small.p50:.2f} -> {large.p50:.2f} ms, p99 {small.p99:.1f} -> {large.p99:.1f} ms, "
        f"server CPU {s_run.cpu_ms():.2f} -> {l_run.cpu_ms():.2f} ms per command"))
