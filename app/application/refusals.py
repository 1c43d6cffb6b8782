"""Refused portal requests, coalesced: what a flood costs the store is
bounded by time, not by the number of requests.

One stream per (supplier, code, window), the window a minute by default
(``GENDAN_PORTAL_REFUSAL_WINDOW_SECONDS``; app/domain/portal.py):

- the first refusal of a window in this process appends
  ``SignedRequestRefused`` (count 1, the request's bounded summary) at once,
  so the audit trail shows the first of a series as it happens;
- the later ones of the window are counted in memory and appended as one
  ``RefusalsCounted`` when the window is over: by a timer at its end, on the
  next refusal after it, and at shutdown (``close``);
- another process may have created the window's stream first: its save
  fails on the version (IntegrityError), and this process's refusal is
  counted like a later one. Each process appends its own count; the
  stream's total is their sum.

Measured (tests/e2e/test_portal_limits.py): a thousand refusals from one
token within a window (each with a 4 KB query string) cost one stream of
two events, 1,478 bytes of event state on SQLite and on PostgreSQL,
instead of ~2.3 KiB (~119 KiB with a 60 KB query) per refusal before.

What a crash costs: the counts not yet appended, i.e. those of the current
window (and of a window that ended less than a second before); every
window's first refusal is already stored. Chosen over writing every count
at once, which is what made a flood grow the store without bound.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from app.application.store import Store
from app.domain.portal import PortalRefusal, refusal_id
from app.domain.values import Actor

log = logging.getLogger("gendan.portal")

# Who and what a RefusalsCounted names: enough to see who hammered which
# POs, bounded whatever the flood.
MAX_NAMED = 10
MAX_SUB_CHARS = 100
_TIMER_SLACK_SECONDS = 1.0
_CONFLICT_RETRIES = 10

Key = tuple[str, str, int]  # supplier id, code, window start (epoch seconds)


@dataclass
class _Window:
    """Refusals of one key counted here and not yet appended."""

    count: int = 0
    purchase_order_ids: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    actor: Actor | None = None

    def add(self, po_id: UUID | None, actor: Actor) -> None:
        self.count += 1
        self.actor = actor
        _name(self.purchase_order_ids, str(po_id) if po_id else None)
        _name(self.subs, actor.sub[:MAX_SUB_CHARS])


def _name(names: list[str], value: str | None) -> None:
    if value is not None and value not in names and len(names) < MAX_NAMED:
        names.append(value)


class RefusalTally:
    def __init__(self, store: Store, window_seconds: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        if window_seconds < 1:
            raise ValueError("the refusal window is at least one second")
        self._store = store
        self._window_seconds = window_seconds
        self._clock = clock
        # Keys of the windows not yet over whose stream exists (made here or
        # elsewhere), with what was counted here since.
        self._open: dict[Key, _Window] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False

    def record(self, *, supplier_id: str, po_id: UUID | None, code: str, detail: str,
               request: dict[str, Any], actor: Actor) -> None:
        """Count one refusal; append what the rules above say is due."""
        start = self._window_start(self._clock())
        key = (supplier_id, code, start)
        with self._lock:
            self._append_due(before=start)
            window = self._open.get(key)
            if window is None:
                self._open[key] = _Window()
                try:
                    self._store.save(PortalRefusal.record(
                        supplier_id=supplier_id, purchase_order_id=po_id, code=code,
                        detail=detail, request=request, window=_iso(start),
                        actor_sub=actor.sub, actor_role=actor.role))
                    return
                except IntegrityError:
                    pass  # another process opened this window first: count it here
                except BaseException:
                    del self._open[key]  # nothing stored: the next refusal tries again
                    raise
            self._open[key].add(po_id, actor)
            self._start_timer(start + self._window_seconds)

    def flush(self) -> None:
        """Append the counts of the windows that are over."""
        with self._lock:
            self._timer = None
            self._append_due(before=self._window_start(self._clock()))
            if not self._closed and any(w.count for w in self._open.values()):
                self._start_timer(min(k[2] for k, w in self._open.items() if w.count)
                                  + self._window_seconds)

    def close(self) -> None:
        """At shutdown: append every count, the current window's included."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._append_due(before=None)

    def pending(self) -> int:
        """Refusals counted here and not yet appended (for tests and metrics)."""
        with self._lock:
            return sum(w.count for w in self._open.values())

    # ---- under the lock ----------------------------------------------------------
    def _append_due(self, before: int | None) -> None:
        for key in [k for k in self._open if before is None or k[2] < before]:
            window = self._open[key]
            if window.count:
                try:
                    self._append(key, window)
                except Exception:
                    # The store is away: keep the count for the next attempt.
                    log.warning("could not append %d refusals of %s", window.count, key,
                                exc_info=True)
                    continue
            del self._open[key]

    def _append(self, key: Key, window: _Window) -> None:
        assert window.actor is not None
        supplier_id, code, start = key
        for attempt in range(_CONFLICT_RETRIES):
            refusal = self._store.load(refusal_id(supplier_id, code, _iso(start)),
                                       PortalRefusal, "Refusal window")
            refusal.count_more(window.count, window.purchase_order_ids, window.subs,
                               window.actor.sub, window.actor.role)
            try:
                self._store.save(refusal)
                return
            except IntegrityError:  # another process appended its count meanwhile
                if attempt == _CONFLICT_RETRIES - 1:
                    raise

    def _start_timer(self, due: int) -> None:
        if self._timer is not None or self._closed:
            return
        delay = max(0.0, due - self._clock().timestamp()) + _TIMER_SLACK_SECONDS
        self._timer = threading.Timer(delay, self._on_timer)
        self._timer.daemon = True
        self._timer.start()

    def _on_timer(self) -> None:
        try:
            self.flush()
        except Exception:  # a timer thread has no one to answer to
            log.exception("appending the refusal counts failed")

    def _window_start(self, moment: datetime) -> int:
        seconds = int(moment.timestamp())
        return seconds - seconds % self._window_seconds


def _iso(start: int) -> str:
    return datetime.fromtimestamp(start, timezone.utc).isoformat().replace("+00:00", "Z")
