"""Every read model from the events again (`gendan projections rebuild`),
fast (issue 14, item 4).

Still one transaction, as the runner's batches: lock every tracking row (a
live runner waits), empty the tables, replay the events up to the newest
one at the start (``stop``: what is appended meanwhile is the live runner's
afterwards), rebuild the indexes, move every tracking row to ``stop``,
commit. On SQLite readers see the old rows until then; on PostgreSQL
they wait for the commit (TRUNCATE and DROP INDEX lock the tables). A crash
anywhere rolls all of it back, so a crashed rebuild leaves the read models
as they were and is simply run again.

What makes it fast:
- the audit trail (a row per event, a third of the work: its description
  and its JSON) is made by a second process, forked here, that reads the
  same events and decodes them once from the stored JSON without domain
  objects (app/projections/audit_stored.py). It hands over rows ready for
  the driver (SQLite's parameters, PostgreSQL's COPY text); this process
  writes them in its transaction. The helper reads and decodes, never
  writes, so the one-transaction guarantee holds as it was;
- the rows of the other read models stay in memory between chunks (fresh
  tables: nothing to load), one INSERT per row;
- the non-unique indexes are dropped inside the transaction and built once
  from the loaded rows (DDL is transactional on both stores).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, delete

from app.projections import audit, audit_stored
from app.projections.batch import Batch, collector_paused
from app.projections.bulk import TableWriter
from app.projections.decoding import domain_events
from app.projections.tables import READ_MODEL_TABLES

# Events per read of the store (all in the rebuild's one transaction).
CHUNK = 5000
# Below this many events a second process costs more than it saves (the
# fork, its connections): the audit trail is made here then.
PARALLEL_FROM = 20_000


def replay_all(runner: Any, projections: Sequence[Any], *,
            parallel_from: int = PARALLEL_FROM) -> int:
    """The events applied. ``runner``: the ProjectionRunner whose engine,
    recorder and tracking rows the rebuild uses; ``projections``: all of
    them, in the runner's order."""
    runner._ensure_tracking()
    total = 0
    with runner._engine.begin() as conn, collector_paused():
        runner._lock(conn)  # a live runner waits for the rebuild
        stop = runner._recorder.max_notification_id() or 0
        helper = (AuditHelper(runner, stop)
                  if stop >= parallel_from and _can_fork(runner.settings) else None)
        try:
            # Indexes first: SQLite's DELETE would update them row by row.
            indexes = drop_indexes(conn, runner.settings)
            empty_tables(conn, runner.settings)
            # fresh: the tables are empty, so rows not made by the rebuild
            # itself need no loading. One batch for every chunk keeps them.
            batch = Batch(conn, fresh=True)
            others = [p for p in projections if p is not audit]
            decode = domain_events(runner.store.mapper)
            last = 0
            while notifications := _chunk(runner._recorder, last, stop):
                _apply(batch, notifications, others, decode, runner.settings,
                       trail=helper is None)
                batch.flush()
                batch.trim()
                if helper is not None:
                    helper.write_ready(conn)
                last = notifications[-1].id
                total += len(notifications)
            if helper is not None:
                helper.write_rest(conn)
            for create in indexes:  # built once from the loaded rows
                conn.exec_driver_sql(create)
            runner._save(conn, stop)
        finally:
            if helper is not None:
                helper.close()
    return total


def _chunk(recorder: Any, after: int, stop: int) -> Sequence[Any]:
    if after >= stop:
        return ()
    return recorder.select_notifications(start=after, limit=CHUNK, stop=stop,
                                         inclusive_of_start=False)


def _apply(batch: Batch, notifications: Sequence[Any], projections: Sequence[Any],
           decode: Any, settings: Any, *, trail: bool) -> None:
    for n in notifications:
        event = decode(n)
        for projection in projections:
            projection.apply(batch, event, n.id, settings)
        if trail:
            batch.append(audit.audit, audit_stored.entry(n) or audit.entry(event, n.id))


def audit_rows(notifications: Sequence[Any], to_domain_event: Any) -> list[dict[str, Any]]:
    """The audit trail's rows of these events, as ``audit.apply`` makes them."""
    return [audit_stored.entry(n) or audit.entry(to_domain_event(n), n.id)
            for n in notifications]


def empty_tables(conn: Connection, settings: Any) -> None:
    """Every read-model table emptied in the rebuild's transaction. On
    PostgreSQL by TRUNCATE: DELETE left every old row and its index entries
    dead in place, and each rebuild loaded its rows into ever larger tables
    (20k orders: 3.8 s the first time, ~7 s from the second). TRUNCATE
    gives the load fresh, empty files; it is transactional (a crash or a
    rollback brings the old rows back) but locks the tables: readers wait
    for the rebuild's commit instead of reading the old rows meanwhile."""
    if settings.is_postgres:
        names = ", ".join(f'"{table.name}"' for table in READ_MODEL_TABLES)
        conn.exec_driver_sql(f"TRUNCATE {names}")
        return
    for table in READ_MODEL_TABLES:
        conn.execute(delete(table))


def drop_indexes(conn: Connection, settings: Any) -> list[str]:
    """Drop the read models' non-unique indexes for the load and give back
    their CREATE statements, verbatim from the catalog: building an index
    once from the loaded rows is cheaper than keeping it up to date row by
    row. The unique ones stay and keep enforcing what they enforce. DDL is
    transactional on both stores: a rollback brings them back. (SQLite's
    WAL readers keep the old schema and rows until the commit; on
    PostgreSQL the tables are locked already, ``empty_tables``.)"""
    names = tuple(table.name for table in READ_MODEL_TABLES)
    if settings.is_postgres:
        rows = conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = ANY(%(names)s) ORDER BY indexname", {"names": list(names)}).all()
    else:
        marks = ", ".join("?" * len(names))
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name", names).all()
    creates = []
    for name, create in rows:
        if create.lstrip().upper().startswith("CREATE UNIQUE"):
            continue
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
        creates.append(create)
    return creates


def _can_fork(settings: Any) -> bool:
    # fork: the helper starts with every module imported (a fresh
    # interpreter spends ~1.2 s of CPU importing them). A file or a server
    # the helper can read on its own: not an in-memory store.
    return (not settings.is_memory and hasattr(os, "fork")
            and "fork" in multiprocessing.get_all_start_methods())


class AuditHelper:
    """The process that makes the audit trail's rows of events 1..stop.

    It uses nothing of this process's connections (new recorder, new
    connection), reads committed events only, and exits without running
    this process's exit handlers (multiprocessing ends a forked child with
    os._exit). Its rows arrive chunk by chunk on a pipe; a helper that
    fails or dies makes the rebuild fail (its transaction rolls back)."""

    def __init__(self, runner: Any, stop: int):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_helper_main, name="gendan-rebuild-audit",
                                        args=(runner, stop, send), daemon=True)
        self._process.start()
        send.close()  # ours is the child's: EOF here when it ends
        # A thread takes the rows off the pipe as they come: the helper never
        # waits for this process to finish a chunk before it sends the next.
        self._arrived: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, name="gendan-rebuild-receive",
                                        daemon=True)
        self._reader.start()
        self._writer: TableWriter | None = None
        self._done = False

    def _read(self) -> None:
        try:
            while True:
                message = self._receive.recv()
                self._arrived.put(message)
                if message[0] != "rows":
                    return
        except (EOFError, OSError):
            self._arrived.put(("ended", None))

    def write_ready(self, conn: Connection) -> None:
        """Write what has arrived so far, without waiting."""
        while not self._done:
            try:
                message = self._arrived.get_nowait()
            except queue.Empty:
                return
            self._write(conn, message)

    def write_rest(self, conn: Connection) -> None:
        while not self._done:
            self._write(conn, self._arrived.get())
        self._process.join()

    def _write(self, conn: Connection, message: tuple[str, Any]) -> None:
        kind, payload = message
        if kind == "ended":
            self._process.join()
            raise RuntimeError("the rebuild's audit process ended early "
                               f"(exit code {self._process.exitcode})")
        if kind == "error":
            raise RuntimeError(f"the rebuild's audit process failed:\n{payload}")
        if kind == "done":
            self._done = True
            return
        if self._writer is None:
            self._writer = TableWriter.of(conn, audit.audit)
        self._writer.insert_prepared(conn, payload)

    def close(self) -> None:
        if self._process.is_alive():  # the rebuild failed first
            self._process.kill()
        self._process.join()  # its end of the pipe closed: the reader sees EOF
        self._reader.join(timeout=10)
        self._receive.close()


def _helper_main(runner: Any, stop: int, send: Any) -> None:
    """In the forked process: read, describe, send; then "done"."""
    factory = connection = None
    try:
        env = {**runner.store.env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
        factory = type(runner.store.factory)(type(runner.store.env)(runner.store.name, env))
        recorder = factory.application_recorder()
        to_domain_event = runner.store.mapper.to_domain_event
        writer = TableWriter.of(runner._engine, audit.audit)  # the dialect only
        cursor = None
        if runner.settings.is_postgres:  # for COPY's adapters; sends nothing
            url = runner.settings.sqlalchemy_url().replace("postgresql+psycopg://",
                                                          "postgresql://", 1)
            connection = psycopg.connect(url, autocommit=True)
            cursor = connection.cursor()
        last = 0
        while notifications := _chunk(recorder, last, stop):
            rows = audit_rows(notifications, to_domain_event)
            send.send(("rows", writer.prepared(rows, cursor)))
            last = notifications[-1].id
        send.send(("done", None))
    except BaseException:  # noqa: BLE001 - reported to the rebuild, which fails
        send.send(("error", traceback.format_exc()))
    finally:  # its own connections only (this process's others are the parent's)
        if connection is not None:
            connection.close()
        if factory is not None:
            factory.close()
