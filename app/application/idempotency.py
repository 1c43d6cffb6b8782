"""Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field").

A request with a key first looks it up (``begin``: one read, no write);
the command then runs, and the key is recorded as done by the same
transaction that appends the command's events (eventstore.py): no claim
transaction of its own (issue 14: it cost a commit, an fsync, per command).
So:

- a retry of a completed command finds the row ``done`` and replays the
  original answer, rebuilt from the aggregate at the version it produced;
- a retry while the first is still running in this process: 409 with
  Retry-After (the process's own set of keys in flight);
- the same key running in two processes at once: both may run their
  command, but only one transaction can insert the key's row (on
  PostgreSQL the second insert waits for the first transaction, then finds
  the row); the other rolls back, events included, and replays the
  winner's answer: one effect only;
- a process killed mid-command (kill -9) committed nothing, key included:
  the next retry simply runs;
- a refused command (4xx) appends nothing and records no key: a retry runs
  again, against the order as it is then;
- rows ``in_flight`` are the two-phase claims of earlier versions
  (``claim``: a row in its own transaction, completed by the command's):
  they are honoured (409 until their lease,
  ``GENDAN_IDEMPOTENCY_LEASE_SECONDS``, default 30 s, then taken over), so
  a store upgraded while such a request was running keeps one effect;
- keys are scoped to the caller (``sub``, role and supplier: the API's
  ``idempotency_scope``), so two tenants never share one, and kept for
  ``GENDAN_IDEMPOTENCY_TTL_HOURS`` (default 48 h); after that the same key
  is a new request.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, create_engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.config import Settings
from app.domain.values import utc_text
from app.application.eventstore import IdempotencyClaimLost
from app.application.tables import idempotency_keys as keys

_PURGE_EVERY_SECONDS = 600.0
_EXISTS = "SELECT 1 FROM idempotency_keys WHERE scope = %s AND key = %s"


class IdempotencyInFlight(Exception):
    def __init__(self, retry_after: int):
        super().__init__("a request with this Idempotency-Key is still being processed")
        self.retry_after = retry_after


class IdempotencyKeyReused(Exception):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used for a different request")


@dataclass(frozen=True)
class KeyedRequest:
    """What the API hands over: who, which key, and the request's fingerprint."""

    scope: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Claim:
    """Leave to run the command once. ``held``: a row ``in_flight`` is ours
    (taken over from a dead claimant, or written by ``claim``) and the
    command's transaction completes it; otherwise no row exists yet and the
    command's transaction inserts it."""

    scope: str
    key: str
    token: str
    fingerprint: str = ""
    held: bool = True


@dataclass(frozen=True)
class Completed:
    aggregate_id: str
    version: int
    position: int
    extra: dict[str, Any] | None


class IdempotencyStore:
    def __init__(self, settings: Settings,
                 connection: Callable[[], AbstractContextManager[Any]] | None = None):
        """``connection``: where the look-up runs instead of this store's own
        engine (on PostgreSQL, the event store's pooled autocommit
        connections, behind its circuit breaker: one round trip; the
        engine's pre-ping and its overflow connections, opened and closed
        per request past 5 at once, cost ~10 % of a command's CPU)."""
        self._connection = connection
        self.lease = timedelta(seconds=settings.idempotency_lease_seconds)
        self.ttl = timedelta(hours=settings.idempotency_ttl_hours)
        self._dialect = postgresql if settings.is_postgres else sqlite
        self._engine: Engine = create_engine(
            settings.sqlalchemy_url(),
            **({"pool_pre_ping": True} if settings.is_postgres
               else {"connect_args": {"timeout": 30}}),
        )
        # The look-up is one statement: no BEGIN and ROLLBACK around it.
        self._reader = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._purged_at = 0.0
        # Keys whose command runs in this process now: a second request with
        # one of them is 409 at once (across processes the row decides).
        self._running: set[tuple[str, str]] = set()
        self._running_lock = threading.Lock()

    def close(self) -> None:
        self._engine.dispose()

    def begin(self, request: KeyedRequest) -> Claim | Completed:
        """Look the key up (no write): ``Completed`` to replay, or a
        ``Claim`` to run the command under; 409 while it runs here or
        another process holds it ``in_flight``. Every ``Claim`` is handed
        back to ``end`` once the command is over."""
        self._purge_expired()
        at = (request.scope, request.key)
        with self._running_lock:
            if at in self._running:
                raise IdempotencyInFlight(retry_after=1)
            self._running.add(at)
        try:
            while True:
                outcome = self._look_up(request)
                if outcome is not None:
                    break
        except BaseException:
            self._forget(at)
            raise
        if isinstance(outcome, Completed):
            self._forget(at)
        return outcome

    def end(self, claim: Claim) -> None:
        """The command is over (done, refused or failed)."""
        try:
            if claim.held:
                self.release(claim)  # a no-op once the command completed it
        finally:
            self._forget((claim.scope, claim.key))

    def _forget(self, at: tuple[str, str]) -> None:
        with self._running_lock:
            self._running.discard(at)

    def _look_up(self, request: KeyedRequest) -> Claim | Completed | None:
        if self._connection is not None:
            with self._connection() as conn:
                row = conn.execute(_EXISTS, (request.scope, request.key), prepare=True).fetchone()
        else:
            with self._reader.connect() as conn:
                row = conn.execute(select(keys.c.state).where(
                    keys.c.scope == request.scope, keys.c.key == request.key)).one_or_none()
        if row is None:
            return Claim(request.scope, request.key, uuid.uuid4().hex, request.fingerprint,
                         held=False)
        # An expired key, a taken-over claim: the two-phase path settles it.
        return self._try_claim(request)

    def claim(self, request: KeyedRequest) -> Claim | Completed:
        """The two-phase claim of earlier versions: a row ``in_flight`` in
        its own transaction, then completed by the command's. The service
        no longer claims so (``begin``); rows such claims hold are honoured."""
        self._purge_expired()
        while True:
            outcome = self._try_claim(request)
            if outcome is not None:
                return outcome

    def release(self, claim: Claim) -> None:
        """Forget a claim whose command appended nothing (no-op once done)."""
        with self._engine.begin() as conn:
            conn.execute(delete(keys).where(
                keys.c.scope == claim.scope, keys.c.key == claim.key,
                keys.c.token == claim.token, keys.c.state == "in_flight"))

    def _try_claim(self, request: KeyedRequest) -> Claim | Completed | None:
        now = datetime.now(timezone.utc)
        token = uuid.uuid4().hex
        mine = {"scope": request.scope, "key": request.key}
        with self._engine.begin() as conn:
            # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT inserts.
            inserted = conn.execute(
                self._dialect.insert(keys).values(
                    **mine, fingerprint=request.fingerprint, state="in_flight", token=token,
                    claimed_at=utc_text(now), created_at=utc_text(now),
                ).on_conflict_do_nothing(index_elements=["scope", "key"]).returning(keys.c.token)
            ).first()
            if inserted is not None:
                return Claim(request.scope, request.key, token, request.fingerprint)
            row = conn.execute(select(keys).where(
                keys.c.scope == request.scope, keys.c.key == request.key)).one_or_none()
            if row is None:
                return None  # released meanwhile: try again
            if row.created_at < utc_text(now - self.ttl):
                conn.execute(delete(keys).where(keys.c.scope == row.scope, keys.c.key == row.key,
                                                keys.c.token == row.token))
                return None  # expired: the same key is a new request now
            if row.fingerprint != request.fingerprint:
                raise IdempotencyKeyReused()
            if row.state == "done":
                extra = json.loads(row.extra) if row.extra else None
                return Completed(row.aggregate_id, row.version, row.position, extra)
            claimed_at = datetime.fromisoformat(row.claimed_at)
            if claimed_at > now - self.lease:
                remaining = (claimed_at + self.lease - now).total_seconds()
                raise IdempotencyInFlight(retry_after=max(1, math.ceil(remaining)))
            # The claimant died (or is very slow): take the key over.
            taken = conn.execute(update(keys).where(
                keys.c.scope == row.scope, keys.c.key == row.key, keys.c.token == row.token,
                keys.c.state == "in_flight",
            ).values(token=token, claimed_at=utc_text(now)).returning(keys.c.token)).first()
            return (Claim(request.scope, request.key, token, request.fingerprint)
                    if taken is not None else None)

    def _purge_expired(self) -> None:
        if time.monotonic() - self._purged_at < _PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        cutoff = utc_text(datetime.now(timezone.utc) - self.ttl)
        with self._engine.begin() as conn:
            conn.execute(delete(keys).where(keys.c.created_at < cutoff,
                                            keys.c.state == "done"))


@dataclass
class _Row:
    fingerprint: str
    token: str
    claimed_at: datetime
    created_at: datetime
    done: Completed | None = None


@dataclass
class InMemoryIdempotency:
    """The same rules as ``IdempotencyStore`` for the in-memory store (unit
    tests, ``GENDAN_DATABASE_URL=memory://``): a fake, not a stub, so replay,
    a key reused for another request (422) and a request still in flight
    (409) are tested without a database."""

    settings: Settings
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    _rows: dict[tuple[str, str], _Row] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.idempotency_lease_seconds)

    @property
    def ttl(self) -> timedelta:
        return timedelta(hours=self.settings.idempotency_ttl_hours)

    def close(self) -> None:
        self._rows.clear()

    def claim(self, request: KeyedRequest) -> Claim | Completed:
        now, token, at = self.clock(), uuid.uuid4().hex, (request.scope, request.key)
        with self._lock:
            row = self._rows.get(at)
            if row is not None and row.created_at < now - self.ttl:
                row = None  # expired: the same key is a new request now
            if row is None:
                self._rows[at] = _Row(request.fingerprint, token, now, now)
                return Claim(request.scope, request.key, token)
            if row.fingerprint != request.fingerprint:
                raise IdempotencyKeyReused()
            if row.done is not None:
                return row.done
            if row.claimed_at > now - self.lease:
                remaining = (row.claimed_at + self.lease - now).total_seconds()
                raise IdempotencyInFlight(retry_after=max(1, math.ceil(remaining)))
            row.token, row.claimed_at = token, now  # the claimant died: take over
            return Claim(request.scope, request.key, token)

    def begin(self, request: KeyedRequest) -> Claim | Completed:
        """In memory a claim costs nothing: ``begin`` is ``claim``."""
        return self.claim(request)

    def end(self, claim: Claim) -> None:
        self.release(claim)

    def release(self, claim: Claim) -> None:
        with self._lock:
            row = self._rows.get((claim.scope, claim.key))
            if row is not None and row.token == claim.token and row.done is None:
                del self._rows[(claim.scope, claim.key)]

    @contextmanager
    def completing(self, completion: Any) -> Iterator[Callable[[int | None], None]]:
        """Check the claim is still ours, let the caller save, then complete
        the key with the position of the last event saved; a lost claim
        raises before anything is saved (as the SQL recorders roll back)."""
        with self._lock:
            row = self._rows.get((completion.scope, completion.key))
            if row is None or row.token != completion.token or row.done is not None:
                raise IdempotencyClaimLost(f"idempotency key {completion.key!r} was taken over")

            def complete(position: int | None) -> None:
                row.done = Completed(completion.aggregate_id, completion.version,
                                     position or 0, completion.extra)

            yield complete
