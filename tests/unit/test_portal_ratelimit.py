"""The portal's token buckets without HTTP: a burst passes, the next is
refused with the seconds after which a retry passes, the rate refills,
each token and each supplier has its own budget, and refilled buckets are
forgotten."""

from __future__ import annotations

import pytest

from app.api.ratelimit import Buckets, PortalRateLimit, TooManyRequests
from app.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limit(clock: Clock, **settings) -> PortalRateLimit:
    values = dict(portal_rate_per_second=5, portal_burst=20,
                  portal_supplier_rate_per_second=20, portal_supplier_burst=60)
    values.update(settings)
    return PortalRateLimit(Settings(database_url="memory:", **values), clock=clock)


def test_a_burst_passes_and_the_next_request_waits_for_the_rate():
    clock = Clock()
    buckets = limit(clock)
    for _ in range(20):
        buckets.take("portal-a", "supplier-a")
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("portal-a", "supplier-a")
    assert refused.value.retry_after == 1  # 1/5 s, rounded up to a whole second
    clock.now += 0.2  # one token at 5 a second
    buckets.take("portal-a", "supplier-a")
    with pytest.raises(TooManyRequests):
        buckets.take("portal-a", "supplier-a")
    clock.now += 10  # refilled up to the burst, no further
    for _ in range(20):
        buckets.take("portal-a", "supplier-a")
    with pytest.raises(TooManyRequests):
        buckets.take("portal-a", "supplier-a")


def test_retry_after_is_the_wait_for_one_token_rounded_up():
    clock = Clock()
    buckets = limit(clock, portal_rate_per_second=0.1, portal_burst=1)
    buckets.take("portal-a", "supplier-a")
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("portal-a", "supplier-a")
    assert refused.value.retry_after == 10
    clock.now += 9.5
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("portal-a", "supplier-a")
    assert refused.value.retry_after == 1


def test_each_token_has_its_budget_and_the_supplier_bounds_them_all():
    clock = Clock()
    buckets = limit(clock, portal_burst=20, portal_supplier_burst=50)
    for sub in ("portal-1", "portal-2"):
        for _ in range(20):
            buckets.take(sub, "supplier-a")
    # Another supplier's token is not touched by supplier-a's spending.
    buckets.take("portal-1", "supplier-b")
    for _ in range(10):
        buckets.take("portal-3", "supplier-a")
    # portal-4 has its own 20, but supplier-a's 50 are spent.
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("portal-4", "supplier-a")
    assert "supplier's" in str(refused.value)
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("portal-1", "supplier-a")
    assert "token's" in str(refused.value)


def test_a_refused_request_takes_no_token_from_the_other_bucket():
    clock = Clock()
    buckets = limit(clock, portal_burst=2, portal_supplier_burst=3)
    buckets.take("portal-1", "supplier-a")
    buckets.take("portal-1", "supplier-a")
    for _ in range(5):  # portal-1 is spent; supplier-a keeps its last token
        with pytest.raises(TooManyRequests):
            buckets.take("portal-1", "supplier-a")
    buckets.take("portal-2", "supplier-a")


def test_refilled_buckets_are_forgotten():
    clock = Clock()
    buckets = limit(clock)
    for n in range(100):
        buckets.take(f"portal-{n}", f"supplier-{n % 7}")
    assert len(buckets.per_caller) == 100 and len(buckets.per_supplier) == 7
    clock.now += 61
    buckets.take("portal-new", "supplier-new")
    assert len(buckets.per_caller) == 1 and len(buckets.per_supplier) == 1


def test_a_bucket_needs_a_rate_and_a_burst():
    with pytest.raises(ValueError):
        Buckets(0, 1)
    with pytest.raises(ValueError):
        Buckets(1, 0)
    with pytest.raises(ValueError):  # the settings refuse them first
        Settings(database_url="memory:", portal_rate_per_second=0)
