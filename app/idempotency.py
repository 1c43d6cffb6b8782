"""Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field").

A request with a key first *claims* it (a row in ``idempotency_keys``, in its
own short transaction); the command then runs, and the row is completed in
the transaction that appends the command's events (app/eventstore.py). So:

- a retry of a completed command finds the row ``done`` and replays the
  original answer, rebuilt from the aggregate at the version it produced;
- a retry while the first is running finds a live claim: 409, Retry-After;
- a claim whose process died (kill -9) expires after the lease
  (``GENDAN_IDEMPOTENCY_LEASE_SECONDS``, default 30 s): the next retry takes
  it over and runs the command; if the first one was still alive after all,
  its completion fails and its transaction rolls back, so one effect only;
- a refused command (4xx) appends nothing and releases its claim: a retry
  runs again, against the order as it is then;
- keys are scoped to the caller (``sub``) and kept for
  ``GENDAN_IDEMPOTENCY_TTL_HOURS`` (default 48 h); after that the same key
  is a new request.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, create_engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.config import Settings
from app.projections.tables import idempotency_keys as keys

_PURGE_EVERY_SECONDS = 600.0


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
    scope: str
    key: str
    token: str


@dataclass(frozen=True)
class Completed:
    aggregate_id: str
    version: int
    position: int
    extra: dict[str, Any] | None


def utc_text(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: fixed width, so the text sorts as time."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


class IdempotencyStore:
    def __init__(self, settings: Settings):
        self.lease = timedelta(seconds=settings.idempotency_lease_seconds)
        self.ttl = timedelta(hours=settings.idempotency_ttl_hours)
        self._dialect = postgresql if settings.is_postgres else sqlite
        self._engine: Engine = create_engine(
            settings.sqlalchemy_url(),
            **({"pool_pre_ping": True} if settings.is_postgres
               else {"connect_args": {"timeout": 30}}),
        )
        self._purged_at = 0.0

    def close(self) -> None:
        self._engine.dispose()

    def claim(self, request: KeyedRequest) -> Claim | Completed:
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
                return Claim(request.scope, request.key, token)
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
            return Claim(request.scope, request.key, token) if taken is not None else None

    def _purge_expired(self) -> None:
        if time.monotonic() - self._purged_at < _PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        cutoff = utc_text(datetime.now(timezone.utc) - self.ttl)
        with self._engine.begin() as conn:
            conn.execute(delete(keys).where(keys.c.created_at < cutoff,
                                            keys.c.state == "done"))
