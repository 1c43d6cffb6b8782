"""The circuit breaker in front of PostgreSQL (issue 14, item 5): what opens
it, how it fails fast and probes, and the event store's datastore behind it
(a port nobody listens on: no database is needed)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import psycopg
import psycopg.errors
import pytest
import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry

from app.application import eventstore
from app.application.breaker import (
    INERT,
    Breaker,
    GuardedEngine,
    StoreUnavailable,
    is_outage,
    shared_breaker,
)
from app.application.eventstore import GuardedDatastore, IdempotencyClaimLost, guard
from app.config import Settings
from app.domain.errors import Conflict


def _wrapped(outer: type[Exception], inner: BaseException) -> Exception:
    """``outer`` raised from ``inner``, as the library and SQLAlchemy wrap."""
    exc = outer(str(inner))
    exc.__cause__ = inner
    return exc


@pytest.mark.parametrize("exc", [
    psycopg.OperationalError("connection failed: Connection refused"),
    psycopg.InterfaceError("the connection is closed"),
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.errors.CannotConnectNow("the database system is starting up"),
    psycopg.errors.ConnectionFailure("connection failure"),
    ConnectionRefusedError(111, "Connect call failed"),
    TimeoutError(),
    StoreUnavailable("open"),
    _wrapped(OperationalError, psycopg.OperationalError("server closed the connection")),
    sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("refused")),
], ids=repr)
def test_an_unreachable_database_is_an_outage(exc) -> None:
    assert is_outage(exc)


@pytest.mark.parametrize("exc", [
    psycopg.errors.UniqueViolation("duplicate key"),
    psycopg.errors.LockNotAvailable("lock timeout"),  # an OperationalError, not an outage
    psycopg.errors.SerializationFailure("could not serialize"),
    psycopg.errors.QueryCanceled("statement timeout"),
    psycopg.errors.DeadlockDetected("deadlock"),
    psycopg.ProgrammingError("syntax"),
    _wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")),
    _wrapped(OperationalError, psycopg.errors.LockNotAvailable("lock timeout")),
    IdempotencyClaimLost("taken over"),
    Conflict("a domain rule"),
    sqlalchemy.exc.TimeoutError("QueuePool limit reached"),  # a busy pool
    ValueError("anything else"),
], ids=repr)
def test_a_refused_statement_is_not(exc) -> None:
    assert not is_outage(exc)


class Probe:
    """Fails until ``up`` is set; counts its calls."""

    def __init__(self) -> None:
        self.up = threading.Event()
        self.calls: list[float] = []

    def __call__(self) -> None:
        self.calls.append(time.monotonic())
        if not self.up.is_set():
            raise ConnectionRefusedError(111, "refused")


class Hooked:
    def __init__(self) -> None:
        self.closed = threading.Event()

    def hook(self) -> None:
        self.closed.set()


def _wait(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_opens_on_an_outage_fails_fast_and_closes_once_a_probe_answers() -> None:
    probe, hooked = Probe(), Hooked()
    breaker = Breaker(probe, probe_seconds=0.1)
    breaker.on_close(hooked.hook)
    try:
        breaker.check()  # closed: passes
        assert not breaker.failed(psycopg.errors.UniqueViolation("dup"))
        assert not breaker.is_open
        assert breaker.failed(ConnectionRefusedError(111, "refused"))
        assert breaker.is_open
        started = time.monotonic()
        for _ in range(100):
            with pytest.raises(StoreUnavailable):
                breaker.check()
        assert time.monotonic() - started < 0.5  # no waiting while open
        time.sleep(0.55)
        # Half-open: one probe at a time, at most one per probe_seconds.
        assert 3 <= len(probe.calls) <= 7
        gaps = [b - a for a, b in zip(probe.calls, probe.calls[1:])]
        assert min(gaps) >= 0.09
        probe.up.set()
        _wait(lambda: not breaker.is_open, timeout=1.0)
        assert hooked.closed.wait(1.0)
        breaker.check()
        calls = len(probe.calls)
        time.sleep(0.3)
        assert len(probe.calls) == calls  # closed: no probing
    finally:
        breaker.stop()


def test_the_prober_stops_when_nobody_asks_and_starts_again_on_demand() -> None:
    probe = Probe()
    breaker = Breaker(probe, probe_seconds=0.05, idle_seconds=0.2)
    try:
        breaker.trip("down")
        time.sleep(0.5)
        calls = len(probe.calls)
        time.sleep(0.3)
        assert len(probe.calls) == calls  # idle: stopped probing, still open
        assert breaker.is_open
        probe.up.set()
        with pytest.raises(StoreUnavailable):
            breaker.check()  # starts the prober again
        _wait(lambda: not breaker.is_open, timeout=1.0)
    finally:
        breaker.stop()


def test_sqlite_and_memory_have_no_breaker(tmp_path) -> None:
    for url in (f"sqlite:///{tmp_path / 'x.db'}", "memory:"):
        settings = Settings(database_url=url, jwt_secret="x" * 32)
        breaker = shared_breaker(settings)
        assert breaker is INERT
        assert not breaker.failed(ConnectionRefusedError(111, "refused"))
        breaker.check()


def test_one_breaker_per_postgres_database() -> None:
    a = Settings(database_url="postgresql://u:secret@127.0.0.1:1/a", jwt_secret="x" * 32)
    b = Settings(database_url="postgresql://u:secret@127.0.0.1:1/b", jwt_secret="x" * 32)
    assert shared_breaker(a) is shared_breaker(a)
    assert shared_breaker(a) is not shared_breaker(b)
    assert "secret" not in shared_breaker(a).name


class FakeConnection:
    async def __aenter__(self) -> FakeConnection:
        return self

    async def __aexit__(self, *exc) -> None:
        return None


class FakeEngine:
    def connect(self) -> FakeConnection:
        return FakeConnection()


async def test_the_read_engine_refuses_while_open_and_trips_on_an_outage() -> None:
    breaker = Breaker(Probe(), probe_seconds=10)
    engine = GuardedEngine(FakeEngine(), breaker)
    try:
        async with engine.connect():
            pass
        with pytest.raises(psycopg.errors.UniqueViolation):
            async with engine.connect():
                raise psycopg.errors.UniqueViolation("dup")
        assert not breaker.is_open
        with pytest.raises(ConnectionRefusedError):
            async with engine.connect():
                raise ConnectionRefusedError(111, "refused")
        assert breaker.is_open
        with pytest.raises(StoreUnavailable):
            async with engine.connect():
                raise AssertionError("never reached")
    finally:
        breaker.stop()


# ---- the event store's datastore --------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: connections are refused


@pytest.fixture
def datastore(monkeypatch):
    # A recorder registers the library's composite types on construction:
    # not here, there is no server.
    monkeypatch.setattr(PostgresDatastore, "register_type_adapters", lambda self: None)
    store = PostgresDatastore("gendan", "127.0.0.1", _closed_port(), "postgres", "",
                              connect_timeout=5, pool_size=2, pre_ping=True)
    breaker = Breaker(Probe(), probe_seconds=10)
    guard(store, breaker, pool_timeout=0.3, connect_timeout=2)
    yield store
    breaker.stop()
    store.close()


def test_a_dead_server_answers_within_the_pool_timeout_then_at_once(datastore) -> None:
    recorder = eventstore.PostgresRecorder(datastore=datastore, events_table_name="t_events")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        recorder.max_notification_id()  # the library would retry ten times
    assert time.monotonic() - started < 1.0
    assert datastore.breaker.is_open
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        recorder.select_events("6f1d2f8e-5b4c-4a1e-9a51-1d0c6b9d6a11")
    assert time.monotonic() - started < 0.05


@contextmanager
def _fake_connection(self):
    yield object()


def _connection_lost() -> Exception:
    return _wrapped(OperationalError, psycopg.OperationalError("server closed the connection"))


def test_an_insert_that_failed_in_doubt_is_retried_as_the_library_always_did(
        datastore, monkeypatch) -> None:
    """A connection lost once in hand may have been lost at COMMIT: the
    insert's retries are not cut short by the breaker it opened (they find
    the version taken if the first attempt committed)."""
    monkeypatch.setattr(PostgresDatastore, "get_connection", _fake_connection)
    attempts = []

    @retry((OperationalError,), max_attempts=10, wait=0.01)
    def insert_events(self, stored_events, **kwargs):
        with self.datastore.get_connection():
            attempts.append(datastore.breaker.is_open)
            if len(attempts) == 1:
                raise _connection_lost()
            return [7]

    monkeypatch.setattr(PostgresApplicationRecorder, "insert_events", insert_events)
    recorder = eventstore.PostgresRecorder(datastore=datastore, events_table_name="t_events")
    assert recorder.insert_events([]) == [7]
    assert attempts == [False, True]  # the retry went past the open breaker
    # The thread's mark ends with the insert: the next call meets the breaker.
    with pytest.raises(StoreUnavailable), datastore.get_connection():
        pass


def test_a_select_that_lost_its_connection_is_not_retried_past_the_breaker(
        datastore, monkeypatch) -> None:
    monkeypatch.setattr(PostgresDatastore, "get_connection", _fake_connection)
    attempts = []

    @retry((OperationalError,), max_attempts=10, wait=0.01)
    def select():
        with datastore.get_connection():
            attempts.append(1)
            raise _connection_lost()

    with pytest.raises(StoreUnavailable):
        select()
    assert attempts == [1]


def test_a_statement_error_leaves_the_breaker_closed(datastore, monkeypatch) -> None:
    monkeypatch.setattr(PostgresDatastore, "get_connection", _fake_connection)
    with pytest.raises(IntegrityError), datastore.get_connection():
        raise _wrapped(IntegrityError, psycopg.errors.UniqueViolation("dup"))
    assert not datastore.breaker.is_open
    assert isinstance(datastore, GuardedDatastore)
    assert datastore.pool.timeout == 0.3
    assert datastore.pool.kwargs["connect_timeout"] == 2
