"""Single use of signed requests: the RFC 9421 ``nonce`` of every accepted
signature is kept until its window (``expires``) is over, and a second
request with the same nonce is refused as a replay.

The nonce is taken after the signature verified (junk cannot burn nonces)
and before the command runs; a command refused after that still used its
nonce. A portal retrying after a lost answer signs again (a new nonce) and
sends the same Idempotency-Key: the service then answers what it answered
the first time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, create_engine, delete
from sqlalchemy.dialects import postgresql, sqlite

from app.config import Settings
from app.domain.values import utc_text
from app.application.tables import signature_nonces as nonces

_PURGE_EVERY_SECONDS = 60.0
# Kept a little past ``expires``: the verifier tolerates clock skew.
_GRACE = timedelta(minutes=5)


class NonceStore:
    def __init__(self, settings: Settings):
        self._memory: set[tuple[str, str]] | None = None
        self._lock = threading.Lock()
        self._purged_at = 0.0
        self._engine: Engine | None = None
        if settings.is_memory:
            self._memory = set()
            return
        self._dialect = postgresql if settings.is_postgres else sqlite
        self._engine = create_engine(
            settings.sqlalchemy_url(),
            **({"pool_pre_ping": True} if settings.is_postgres
               else {"connect_args": {"timeout": 30}}),
        )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def take(self, scope: str, nonce: str, expires: datetime) -> bool:
        """True the first time (scope, nonce) is seen; False for a replay."""
        if self._memory is not None:
            with self._lock:
                if (scope, nonce) in self._memory:
                    return False
                self._memory.add((scope, nonce))
                return True
        assert self._engine is not None
        self._purge()
        with self._engine.begin() as conn:
            inserted = conn.execute(
                self._dialect.insert(nonces).values(
                    scope=scope, nonce=nonce, expires_at=utc_text(expires + _GRACE),
                ).on_conflict_do_nothing(index_elements=["scope", "nonce"])
                .returning(nonces.c.nonce)
            ).first()
        return inserted is not None

    def _purge(self) -> None:
        if time.monotonic() - self._purged_at < _PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        assert self._engine is not None
        with self._engine.begin() as conn:
            conn.execute(delete(nonces).where(
                nonces.c.expires_at < utc_text(datetime.now(timezone.utc))))
