"""A circuit breaker in front of PostgreSQL (issue 14, item 5).

Without it, a command during an outage waited ~22 s for its 503: the
eventsourcing library retries a failed call ten times, each attempt waiting
for a pooled connection. With it:

- closed: calls go through. A failure that says the database is unreachable
  (``is_outage``: connection refused, lost or timed out, the server shutting
  down or starting) opens it; a statement's own failure (integrity, data, a
  lock or statement timeout, a serialization failure) does not.
- open: the event store and the read engine refuse at once with
  ``StoreUnavailable`` (the API's 503 problem+json with ``Retry-After``),
  before sending anything.
- half-open: one background thread probes the database (a new connection
  with a short connect timeout, ``SELECT 1``) at most every
  ``breaker_probe_seconds``; the first answer closes the breaker and warms
  the event store's pool.

One breaker per database per process, shared by the event store, the
idempotency claims (through the store), the read engine and ``/readyz``.
SQLite (a file, no network) and ``memory:`` get ``INERT``, which never opens.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import psycopg

from app.config import Settings

log = logging.getLogger("gendan.breaker")

# SQLSTATEs of a server that is not there, not of a statement that failed:
# class 08 (connection exception), 57P01 admin shutdown, 57P02 crash
# shutdown, 57P03 cannot connect now (starting up or shutting down).
_DOWN_CLASSES = ("08",)
_DOWN_STATES = ("57P01", "57P02", "57P03")
# Client-side errors of the drivers that carry no SQLSTATE and mean the
# connection is gone (psycopg's have sqlstate None: see _verdict).
_GONE = ("ConnectionDoesNotExistError", "ConnectionFailureError")


class StoreUnavailable(ConnectionError):
    """The breaker is open: nothing was sent to the database.

    An ``OSError`` on purpose: the library's retry decorators retry only its
    own ``OperationalError``/``InterfaceError``, so this passes through them at
    once, and the API already answers every ``OSError`` with its 503
    store-unavailable problem and ``Retry-After`` (app/api/errors.py)."""


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps: ``orig``, ``__cause__``,
    ``__context__``) says the database cannot be reached, as opposed to a
    statement refused by a database that answers."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        err = stack.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        verdict = _verdict(err)
        if verdict is not None:
            return verdict
        stack.extend((getattr(err, "orig", None), err.__cause__, err.__context__))
    return False


def _verdict(err: BaseException) -> bool | None:
    """True/False when ``err`` itself decides, None to look at what it wraps."""
    if isinstance(err, OSError):
        # StoreUnavailable, a refused or reset socket, a connect or command
        # timeout (TimeoutError and asyncio.TimeoutError are OSErrors).
        return True
    if type(err).__name__ in _GONE:
        return True
    if type(err).__name__ in ("PoolTimeout", "PoolClosed"):
        # No connection free in time: a busy pool or a dead server; the event
        # store's datastore tells them apart (eventstore.py). Here: no.
        return False
    if getattr(err, "connection_invalidated", False):
        return True  # SQLAlchemy saw a disconnect
    sqlstate = getattr(err, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_DOWN_CLASSES) or sqlstate in _DOWN_STATES
    if type(err).__module__.startswith("psycopg"):
        # psycopg's errors without SQLSTATE come from the client: a failed
        # connection, or one closed under it, is an Operational/InterfaceError.
        return any(cls.__name__ in ("OperationalError", "InterfaceError")
                   and cls.__module__.startswith("psycopg") for cls in type(err).__mro__)
    return None


class Breaker:
    """Thread-safe; ``check()`` and ``failed()`` are cheap enough for every call."""

    def __init__(self, probe: Callable[[], None], *, name: str = "database",
                 probe_seconds: float = 0.5, idle_seconds: float = 60.0):
        self._probe = probe
        self.name = name
        self.probe_seconds = probe_seconds
        # The prober stops after this long without a check() (nobody is
        # asking); the next check() starts it again.
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._asked_at = 0.0
        self._prober: threading.Thread | None = None
        self._stop = threading.Event()
        self._on_close: list[weakref.WeakMethod[Callable[[], None]]] = []

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def check(self) -> None:
        """Raise ``StoreUnavailable`` at once while open."""
        if self._opened_at is None:
            return
        self._asked_at = time.monotonic()
        self._start_prober()
        raise StoreUnavailable(f"{self.name} does not answer (circuit open)")

    def failed(self, exc: BaseException) -> bool:
        """Open on an outage; True if ``exc`` was one."""
        if not is_outage(exc):
            return False
        self.trip(exc)
        return True

    def trip(self, reason: object) -> None:
        now = time.monotonic()
        with self._lock:
            opened = self._opened_at is None
            if opened:
                self._opened_at = now
            self._asked_at = now
        if opened:
            log.warning("%s does not answer; failing fast until it does: %s", self.name, reason)
        self._start_prober()

    def on_close(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` (a bound method, held weakly) each time the breaker closes."""
        self._on_close = [ref for ref in self._on_close if ref() is not None]
        self._on_close.append(weakref.WeakMethod(hook))

    def stop(self) -> None:
        """Stop probing for good (tests)."""
        self._stop.set()

    def _start_prober(self) -> None:
        with self._lock:
            if self._opened_at is None or self._prober is not None or self._stop.is_set():
                return
            self._prober = threading.Thread(target=self._probe_loop, daemon=True,
                                            name=f"gendan-breaker {self.name}")
            self._prober.start()

    def _probe_loop(self) -> None:
        while True:
            started = time.monotonic()
            try:
                self._probe()
                answered = True
            except Exception as exc:  # noqa: BLE001 - still down: probe again later
                log.debug("%s probe failed: %r", self.name, exc)
                answered = False
            down_for = None
            with self._lock:
                if answered and self._opened_at is not None:
                    down_for = time.monotonic() - self._opened_at
                    self._opened_at = None
                idle = started - self._asked_at > self.idle_seconds
                if self._opened_at is None or idle or self._stop.is_set():
                    self._prober = None  # under the lock: a new trip() starts another
                    done = True
                else:
                    done = False
            if down_for is not None:
                log.warning("%s answers again after %.1fs; circuit closed", self.name, down_for)
                for ref in list(self._on_close):
                    hook = ref()
                    if hook is not None:
                        try:
                            hook()
                        except Exception:  # a hook never keeps the breaker open
                            log.exception("%s: on-close hook failed", self.name)
            if done:
                return
            self._stop.wait(max(0.0, self.probe_seconds - (time.monotonic() - started)))


class _Inert:
    """The breaker of a store that needs none (SQLite, memory): never opens."""

    name = "inert"
    is_open = False

    def check(self) -> None:
        return None

    def failed(self, exc: BaseException) -> bool:
        return False

    def trip(self, reason: object) -> None:
        return None

    def on_close(self, hook: Callable[[], None]) -> None:
        return None

    def stop(self) -> None:
        return None


INERT = _Inert()
AnyBreaker = Breaker | _Inert
_shared: dict[str, Breaker] = {}
_shared_lock = threading.Lock()


def shared_breaker(settings: Settings) -> AnyBreaker:
    """The process's breaker for ``settings``' database (INERT but on PostgreSQL)."""
    if not settings.is_postgres:
        return INERT
    key = settings.database_url
    with _shared_lock:
        breaker = _shared.get(key)
        if breaker is None:
            conninfo = settings.sqlalchemy_url().replace("postgresql+psycopg://", "postgresql://", 1)
            timeout = settings.postgres_connect_timeout_seconds

            def probe() -> None:
                with psycopg.connect(conninfo, connect_timeout=timeout, autocommit=True) as conn:
                    conn.execute("SELECT 1")

            breaker = _shared[key] = Breaker(probe, name=_where(settings),
                                             probe_seconds=settings.breaker_probe_seconds)
        return breaker


def _where(settings: Settings) -> str:
    """host:port/dbname, never the password (it goes to the log)."""
    parts = urlsplit(settings.database_url)
    return f"PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}"


class GuardedEngine:
    """An async SQLAlchemy engine behind a breaker: ``connect()`` refuses at
    once while it is open and opens it on an outage. Everything else is the
    engine's."""

    def __init__(self, engine: Any, breaker: AnyBreaker):
        self.engine = engine
        self.breaker = breaker

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Any]:
        self.breaker.check()
        try:
            async with self.engine.connect() as conn:
                yield conn
        except Exception as exc:
            self.breaker.failed(exc)
            raise

    async def dispose(self) -> None:
        await self.engine.dispose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)
