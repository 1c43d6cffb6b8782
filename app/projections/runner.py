"""The projection runner: applies the event store's notifications to every
read model, exactly once.

Each batch is one SQLAlchemy transaction: lock the tracking rows, read up to
``batch_size`` notifications after them, apply each to every read model in
memory (app/projections/batch.py: the rows the batch touches are read with
a few queries and written back in bulk), move the tracking rows, commit. A
crash anywhere rolls the whole batch back, so the rows and the positions
never disagree. The lock makes concurrent
runners (several worker processes on PostgreSQL) take turns: the second
one sees the first one's new position once it gets the lock. On SQLite the
write transaction (``BEGIN IMMEDIATE``) serialises them.

FACTS.md: the library's subscriptions do not work on SQLite, so the runner
polls; on PostgreSQL it also LISTENs to the library's NOTIFY channel to wake
at once, and keeps polling when LISTEN fails.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.application.store import Store
from app.config import Settings
from app.projections import (
    audit,
    board,
    customers,
    finance,
    production,
    purchase_orders,
    quality,
    supplier_performance,
    suppliers,
)
from app.projections.batch import Batch
from app.projections.rebuild import PARALLEL_FROM, replay_all
from app.projections.tables import tracking

log = logging.getLogger("gendan.projections")

# Customers and suppliers first: the order and PO rows look their names up;
# the board before production and quality, whose delays and inspections read
# the order's reference there.
PROJECTIONS = (customers, suppliers, purchase_orders, supplier_performance, board, finance,
               production, quality, audit)
NAMES = tuple(p.NAME for p in PROJECTIONS)
BATCH_SIZE = 500


class SimulatedCrash(RuntimeError):
    """Raised by the ``fail_after`` test hook in the middle of a batch."""


def make_engine(settings: Settings) -> Engine:
    """The synchronous engine the runner writes the read models with."""
    if settings.is_postgres:
        return create_engine(settings.sqlalchemy_url(), pool_pre_ping=True, pool_size=2)
    # The library writes events to the same file: wait for its locks.
    engine = create_engine(settings.sqlalchemy_url(), connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock before we read the tracking rows, so
        # two runners can never read the same position and apply it twice.
        read_only = conn.get_execution_options().get("gendan_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _own_factory(store: Store) -> Any:
    """A recorder with its own connections for reading the events.

    The runner reads events while it holds the read models' write lock. On
    SQLite that is the file's lock, and the API's commands queue for the
    library's single writer connection while they wait for it: sharing the
    API's pool (whose checkout blocks behind that queue) would deadlock."""
    env = dict(store.env)
    env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="2")
    return type(store.factory)(type(store.env)(store.name, env))


class ProjectionRunner:
    def __init__(self, settings: Settings, store: Store, *, batch_size: int = BATCH_SIZE,
                 fail_after: int | None = None):
        self.settings = settings
        self.store = store
        self.batch_size = batch_size
        self.fail_after = fail_after  # test hook: crash after N events of a batch
        self.error: str | None = None
        self._engine = make_engine(settings)
        self._factory = _own_factory(store)
        self._recorder = self._factory.application_recorder()
        self._tracking_ready = False
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    # ---- one batch, one transaction ---------------------------------------------
    def process_batch(self) -> int:
        """Apply the next batch; the number of events applied (0: caught up)."""
        self._ensure_tracking()
        with self._engine.begin() as conn:
            positions = self._lock(conn)
            notifications = self._select(min(positions.values()))
            if not notifications:
                return 0
            batch = Batch(conn)
            self._apply(batch, notifications, positions)
            batch.flush()
            self._save(conn, notifications[-1].id)
        return len(notifications)

    def run_until_caught_up(self) -> int:
        total = 0
        while count := self.process_batch():
            total += count
        return total

    def rebuild(self, *, parallel_from: int = PARALLEL_FROM) -> int:
        """Empty every read model and replay all events, in one transaction:
        readers see the old rows until the new ones are complete
        (app/projections/rebuild.py; ``parallel_from``: the events from
        which a second process makes the audit trail)."""
        return replay_all(self, PROJECTIONS, parallel_from=parallel_from)

    def positions(self) -> dict[str, int]:
        with self._engine.connect().execution_options(gendan_read_only=True) as conn:
            rows = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
        return {name: int(rows.get(name, 0)) for name in NAMES}

    def _ensure_tracking(self) -> None:
        if self._tracking_ready:
            return
        dialect = postgresql if self.settings.is_postgres else sqlite
        # ON CONFLICT DO NOTHING: two runners starting at once both succeed.
        with self._engine.begin() as conn:
            for name in NAMES:
                conn.execute(dialect.insert(tracking).values(name=name, position=0)
                             .on_conflict_do_nothing(index_elements=["name"]))
        self._tracking_ready = True

    def _lock(self, conn: Connection) -> dict[str, int]:
        query = select(tracking.c.name, tracking.c.position).where(tracking.c.name.in_(NAMES))
        if self.settings.is_postgres:
            query = query.order_by(tracking.c.name).with_for_update()
        return {name: int(position) for name, position in conn.execute(query).all()}

    def _select(self, after: int, limit: int | None = None) -> Sequence[Any]:
        return self._recorder.select_notifications(
            start=after, limit=limit or self.batch_size, inclusive_of_start=False
        )

    def _apply(self, batch: Batch, notifications: Sequence[Any],
               positions: dict[str, int]) -> None:
        """Every event to every read model, in memory; ``batch.flush`` writes."""
        to_domain_event = self.store.mapper.to_domain_event
        # (position, event, the projections that have not applied it yet):
        # a read model added later starts behind the others.
        newest = max(positions.values())
        work = [(n.id, to_domain_event(n), PROJECTIONS if n.id > newest
                 else [p for p in PROJECTIONS if n.id > positions[p.NAME]])
                for n in notifications]
        if not batch.fresh:  # a fresh batch (a rebuild) has nothing to load
            for _, event, behind in work:
                for projection in behind:
                    for table, key in projection.rows(event):
                        batch.want(table, key)
            batch.load()
        for applied, (position, event, behind) in enumerate(work):
            if self.fail_after is not None and applied >= self.fail_after:
                raise SimulatedCrash(f"crashed after {applied} events of a batch")
            for projection in behind:
                projection.apply(batch, event, position, self.settings)

    def _save(self, conn: Connection, last: int) -> None:
        conn.execute(update(tracking).where(tracking.c.name.in_(NAMES)).values(position=last))

    # ---- the background thread -----------------------------------------------------
    def start(self) -> None:
        self._stopping.clear()
        self._threads = [threading.Thread(target=self._loop, name="gendan-projections",
                                          daemon=True)]
        if self.settings.is_postgres:
            self._threads.append(threading.Thread(target=self._listen, daemon=True,
                                                  name="gendan-projections-listen"))
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Process new events now instead of at the next poll."""
        self._wake.set()

    def is_running(self) -> bool:
        return bool(self._threads) and self._threads[0].is_alive() and not self._stopping.is_set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []
        self._engine.dispose()
        self._factory.close()

    def _loop(self) -> None:
        delay = self.settings.projection_poll_seconds
        while not self._stopping.is_set():
            self._wake.clear()  # a wake() from now on interrupts the wait below
            try:
                count = self.process_batch()
            except Exception as exc:  # noqa: BLE001 - the worker outlives a database outage
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("projection batch failed, retrying in %.1fs: %s", delay, self.error)
                self._stopping.wait(delay)
                delay = min(delay * 2, 10.0)
                continue
            self.error = None
            delay = self.settings.projection_poll_seconds
            if count < self.batch_size:
                woken = self._wake.wait(self.settings.projection_poll_seconds)
                if woken and count:
                    # Under load every command wakes us: let a few more events
                    # arrive so one transaction applies them all (the lag
                    # budget is 250 ms; a batch per event costs the API CPU).
                    self._stopping.wait(self.settings.projection_gather_seconds)

    def _listen(self) -> None:
        channel = getattr(self.store.recorder, "channel_name", None)
        if channel is None:
            return
        conninfo = self.settings.sqlalchemy_url().replace(
            "postgresql+psycopg://", "postgresql://", 1)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self.wake()  # anything committed before LISTEN took effect
                    while not self._stopping.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake()
            except psycopg.Error as exc:
                log.warning("LISTEN %s failed, polling only for now: %s", channel, exc)
                self._stopping.wait(5)


def run_forever(settings: Settings, stop_event: threading.Event | None = None) -> None:
    """`gendan projections run`: a worker process until stopped (SIGTERM, ^C)."""
    stop_event = stop_event or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop_event.set())
    store = Store(settings)
    runner = ProjectionRunner(settings, store)
    runner.start()
    log.info("projections running from %s", runner.positions())
    try:
        while not stop_event.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
        store.close()


def rebuild_all(settings: Settings) -> int:
    """`gendan projections rebuild`: every read model from the events."""
    store = Store(settings)
    runner = ProjectionRunner(settings, store)
    try:
        return runner.rebuild()
    finally:
        runner.stop()
        store.close()
