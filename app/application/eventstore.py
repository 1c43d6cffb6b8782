"""The library's recorders, extended so that a command's idempotency key is
completed in the SAME transaction as the events the command appends.

A crash between "saved the events" and "saved the key" is then impossible:
either both are committed or neither is, so a retry can never append twice
(issue 3). ``Application.save(..., idempotency=Completion(...))`` passes the
completion down to ``insert_events(**kwargs)``.

On PostgreSQL every recorder's connections go through one datastore, which
``guard()`` puts behind the process's circuit breaker (breaker.py): while the
database is down, calls fail at once with ``StoreUnavailable`` instead of the
library's ten retries, each waiting for a pooled connection (issue 14).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from app.application.breaker import Breaker, StoreUnavailable, is_outage


class IdempotencyClaimLost(IntegrityError):
    """Our claim on the key expired and another request took it over: this
    transaction is rolled back so that only one of them takes effect."""


@dataclass(frozen=True)
class Completion:
    """The key to record as done with the command's events. ``held``: an
    ``in_flight`` row is ours to complete; else the row is inserted now."""

    scope: str
    key: str
    token: str
    aggregate_id: str
    version: int
    extra: dict[str, Any] | None
    completed_at: str
    fingerprint: str = ""
    held: bool = True

    def _extra(self) -> str | None:
        return json.dumps(self.extra, sort_keys=True) if self.extra else None

    def params(self) -> tuple[Any, ...]:
        if not self.held:
            return (self.scope, self.key, self.fingerprint, self.token, self.completed_at,
                    self.completed_at, self.aggregate_id, self.version, self._extra(),
                    self.completed_at)
        return (self.aggregate_id, self.version, self._extra(), self.completed_at,
                self.scope, self.key, self.token)

    def statement(self, p: str) -> str:
        return (_COMPLETE if self.held else _INSERT_DONE).format(p=p)


# Completing a held key checks the claim is still ours; inserting a new one
# checks no other request recorded it first (on PostgreSQL the insert waits
# for a transaction that inserted it and has not committed). Either failing
# aborts the whole transaction, events included: one effect per key.
_COMPLETE = (
    "UPDATE idempotency_keys SET state = 'done', aggregate_id = {p}, version = {p}, "
    "extra = {p}, completed_at = {p} "
    "WHERE scope = {p} AND key = {p} AND token = {p} AND state = 'in_flight'"
)
_INSERT_DONE = (
    "INSERT INTO idempotency_keys (scope, key, fingerprint, token, claimed_at, created_at, "
    "aggregate_id, version, extra, completed_at, state) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, 'done') "
    "ON CONFLICT (scope, key) DO NOTHING"
)
_POSITION = "UPDATE idempotency_keys SET position = {p} WHERE scope = {p} AND key = {p}"


def _lost(completion: Completion) -> IdempotencyClaimLost:
    if completion.held:
        return IdempotencyClaimLost(f"idempotency key {completion.key!r} was taken over")
    return IdempotencyClaimLost(f"idempotency key {completion.key!r} was recorded by "
                                "another request first")


class SQLiteRecorder(SQLiteApplicationRecorder):
    # The key before the events: a racing request's key, not its events'
    # versions, decides (a creation's retry replays, it is not a conflict).
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and stored_events:
            c.execute(completion.statement("?"), completion.params())
            if c.sqlite_cursor.rowcount != 1:
                raise _lost(completion)
        ids = super()._insert_events(c, stored_events, **kwargs)
        if completion is not None and ids:
            c.execute(_POSITION.format(p="?"), (ids[-1], completion.scope, completion.key))
        return ids


class PostgresRecorder(PostgresApplicationRecorder):
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        # Marks the thread as inserting: a failure once the connection is in
        # hand may have happened at COMMIT (GuardedDatastore).
        _thread.inserting, _thread.in_doubt = True, False
        try:
            return super().insert_events(stored_events, **kwargs)
        finally:
            _thread.inserting, _thread.in_doubt = False, False

    # The library commits even when its post-insert hook raises (it re-raises
    # after the transaction block), so the key is checked BEFORE the insert,
    # in the pre-insert hook, where an exception rolls the transaction back.
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and stored_events:
            curs.execute(completion.statement("%s") + " RETURNING key", completion.params())
            if curs.fetchone() is None:
                raise _lost(completion)

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and ids:
            curs.execute(_POSITION.format(p="%s"), (ids[-1], completion.scope, completion.key))
        return ids


# ---- the breaker in front of PostgreSQL (issue 14, item 5) ----------------------------
# A pool connection that fails to connect is retried in the background for
# this long, then the pool grows again on demand. psycopg_pool's own backoff
# (1, 2, 4, 8... s for 5 min) kept the store unreachable for up to half the
# outage's length after the database was back (measured: 16.6 s).
_RECONNECT_SECONDS = 0.5
_thread = threading.local()


class GuardedDatastore(PostgresDatastore):
    """The library's datastore, whose every connection passes the breaker.

    - Open breaker: ``StoreUnavailable`` before anything is sent, which the
      library's retry decorators do not retry.
    - No connection in time (the pool's ``PoolTimeout``): an outage if the
      pool failed to connect since the database last answered (else a busy
      pool: the library retries as before). Nothing was sent: the breaker
      opens and this call too answers ``StoreUnavailable``.
    - A connection lost once in hand: the breaker opens and the library's
      error goes on. A select's retry then meets the open breaker (503). An
      insert's may have failed at COMMIT, its outcome unknown: its retries
      go on past the open breaker, as the library always retried it (ten
      attempts, 0.2 s apart, each waiting ``postgres_pool_timeout_seconds``
      at most): if the first attempt committed, the retry finds the version
      taken (IntegrityError; with an Idempotency-Key the key is already
      done, so the client's retry replays the answer). Such a command is not
      answered with a fast 503.
    """

    breaker: Breaker
    _errors_seen: int

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        in_doubt = getattr(_thread, "in_doubt", False)
        if not in_doubt:
            self.breaker.check()
        acquired = False
        try:
            with super().get_connection() as conn:
                acquired = True
                yield conn
        except (InterfaceError, OperationalError) as exc:
            if not self._is_outage(exc, acquired):
                raise
            self.breaker.trip(exc)
            if acquired:
                if getattr(_thread, "inserting", False):
                    _thread.in_doubt = True
                raise
            if in_doubt:
                raise
            raise StoreUnavailable(f"{self.breaker.name} does not answer: {exc}") from exc

    def _is_outage(self, exc: BaseException, acquired: bool) -> bool:
        if not acquired and type(exc.__cause__).__name__ == "PoolTimeout":
            return self._connect_errors() > self._errors_seen
        return is_outage(exc)

    def _connect_errors(self) -> int:
        return int(self.pool.get_stats().get("connections_errors", 0))

    def recovered(self) -> None:
        """The breaker closed: older connect errors no longer count, and the
        pool reconnects now rather than at the next command."""
        self._errors_seen = self._connect_errors()
        if not self.pool.closed:
            self.pool.check()


def guard(datastore: PostgresDatastore, breaker: Breaker, *, pool_timeout: float,
          connect_timeout: int) -> None:
    """Put ``datastore`` (before its pool opens) behind ``breaker``."""
    datastore.__class__ = GuardedDatastore
    assert isinstance(datastore, GuardedDatastore)
    datastore.breaker = breaker
    pool = datastore.pool
    pool.timeout = pool_timeout  # the library's setting counts whole seconds
    pool.reconnect_timeout = _RECONNECT_SECONDS
    if isinstance(pool.kwargs, dict):
        pool.kwargs["connect_timeout"] = connect_timeout
    datastore._errors_seen = 0
    breaker.on_close(datastore.recovered)
