"""Token buckets for the supplier portal: 429 before a signature is checked.

Every request to a portal route, read or signed command, takes one token
from two buckets: its caller's and its supplier's (all that supplier's
callers together). Either empty: 429 problem+json with ``Retry-After``,
before the signature is verified, the body read or anything recorded.
Rate and burst are settings (``GENDAN_PORTAL_RATE_PER_SECOND``,
``GENDAN_PORTAL_BURST``, and the ``GENDAN_PORTAL_SUPPLIER_*`` pair).

The caller is the token's ``sub`` with its ``supplier_id``, not a hash of
the raw token: a token renewed by the identity provider (same subject, new
expiry) keeps its bucket, so fetching fresh tokens does not reset the
budget; the key names the caller as the audit trail does; and no
credential-derived value is kept. A new ``sub`` is a new caller, which is
what the supplier's own bucket is for.

Per process: the buckets live in this process's memory. Several API
processes multiply the budget by their number (and a restart refills
it); divide the rates by the number of processes, or limit at the proxy,
where that matters. The store stays bounded either way: refusals are
counted per window (app/application/refusals.py).

A bucket that has refilled is the same as no bucket: those are dropped
now and then, so the table only holds the recently active callers.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.api.permissions import ActAsSupplier
from app.api.schemas.problems import PROBLEM_RESPONSES
from app.config import Settings

_SWEEP_EVERY_SECONDS = 60.0


class TooManyRequests(Exception):
    """429 (app.api.errors), with the seconds after which a retry can pass."""

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass
class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` a second."""

    rate: float
    burst: int
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self) -> float:
        """Seconds until a token is there (0: one is)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class Buckets:
    """A token bucket per key, made full on first use."""

    def __init__(self, rate: float, burst: int):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate, self.burst = rate, burst
        self._buckets: dict[Hashable, TokenBucket] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def get(self, key: Hashable, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self.burst, now)
        bucket.refill(now)
        return bucket

    def sweep(self, now: float) -> None:
        """Forget the buckets that are full again."""
        for key in [k for k, b in self._buckets.items()
                    if b.tokens + (now - b.updated) * b.rate >= b.burst]:
            del self._buckets[key]


class PortalRateLimit:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.per_caller = Buckets(settings.portal_rate_per_second, settings.portal_burst)
        self.per_supplier = Buckets(settings.portal_supplier_rate_per_second,
                                    settings.portal_supplier_burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._swept = clock()

    def take(self, sub: str, supplier_id: str) -> None:
        """One token from both buckets, or TooManyRequests taking none."""
        with self._lock:
            now = self._clock()
            if now - self._swept >= _SWEEP_EVERY_SECONDS:
                self.per_caller.sweep(now)
                self.per_supplier.sweep(now)
                self._swept = now
            caller = self.per_caller.get((sub, supplier_id), now)
            supplier = self.per_supplier.get(supplier_id, now)
            wait = max(caller.wait(), supplier.wait())
            if wait > 0:
                whose = "this token's" if caller.wait() >= supplier.wait() else "this supplier's"
                raise TooManyRequests(
                    f"Too many requests: {whose} budget is spent; retry after the "
                    "Retry-After seconds", retry_after=max(1, math.ceil(wait)))
            caller.tokens -= 1
            supplier.tokens -= 1


# How a 429 of the portal is documented in OpenAPI.
TOO_MANY_REQUESTS = {
    "description": "This token's or this supplier's request budget is spent "
                   "(/problems/too-many-requests)",
    "content": PROBLEM_RESPONSES[404]["content"],
    "headers": {"Retry-After": {"description": "Seconds after which a retry can pass",
                                "schema": {"type": "string"}}},
}


async def portal_rate_limit(request: Request, principal: ActAsSupplier) -> None:
    """The portal router's dependency: runs after the bearer token is checked
    (a caller without one is 401 and costs nothing) and before the rest. On
    the event loop, so the table is made once without a race."""
    limit: PortalRateLimit | None = getattr(request.app.state, "portal_rate_limit", None)
    if limit is None:  # one per app, made on its first portal request
        limit = request.app.state.portal_rate_limit = PortalRateLimit(request.app.state.settings)
    limit.take(principal.sub, principal.supplier_id or "")


RateLimited = Annotated[None, Depends(portal_rate_limit)]
