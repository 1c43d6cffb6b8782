"""Exactly-once commands without a database: the in-memory store's
idempotency fake follows the same rules as the SQL one (replay, a key
reused for another request, a request still in flight, a dead claimant's
lease, a refused command releasing its key)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.application import Gendan
from app.application.dto import Preconditions
from app.application.eventstore import Completion, IdempotencyClaimLost
from app.application.idempotency import (
    Claim,
    Completed,
    IdempotencyInFlight,
    IdempotencyKeyReused,
    InMemoryIdempotency,
    KeyedRequest,
)
from app.config import Settings
from app.domain.errors import InvalidState
from app.domain.values import Actor

MANAGER = Actor("chen", "manager")
MERCH = Actor("li", "merchandiser")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def gendan() -> Gendan:
    app = Gendan(Settings(database_url="memory:", idempotency_lease_seconds=30))
    yield app
    app.close()


def keyed(key: str = "k-1", fingerprint: str = "f" * 64) -> Preconditions:
    return Preconditions(KeyedRequest("li", key, fingerprint))


def new_order(gendan: Gendan) -> str:
    customer = gendan.customers.register_customer("ACME", "DE", MANAGER).view
    return gendan.orders.create_order(
        reference="PO-1", customer_id=customer["id"], currency="USD", incoterm="FOB",
        delivery_date=date(2027, 3, 1), samples_required=True, payment_terms={"method": "TT"},
        lines=[{"sku": "A", "quantity": "1", "unit": "pc", "unit_price": "100"}], actor=MANAGER,
    ).view["id"]


def test_a_retried_command_replays_its_first_answer(gendan):
    order_id = new_order(gendan)
    first = gendan.orders.request_sample(order_id, "style", MERCH, keyed())
    again = gendan.orders.request_sample(order_id, "style", MERCH, keyed())
    assert again.replayed and not first.replayed
    assert (again.view, again.version, again.position, again.extra) == (
        first.view, first.version, first.position, first.extra)
    assert len(gendan.orders.get_order(order_id)["samples"]) == 1  # ran once


def test_the_replay_shows_the_order_as_the_command_left_it(gendan):
    order_id = new_order(gendan)
    first = gendan.orders.request_sample(order_id, "style", MERCH, keyed())
    gendan.orders.request_sample(order_id, "approval", MERCH)  # the order moved on
    again = gendan.orders.request_sample(order_id, "style", MERCH, keyed())
    assert again.view == first.view and again.version < gendan.orders.get_order(
        order_id)["version"]


def test_a_key_reused_for_another_request_is_refused(gendan):
    order_id = new_order(gendan)
    gendan.orders.request_sample(order_id, "style", MERCH, keyed())
    with pytest.raises(IdempotencyKeyReused):
        gendan.orders.request_sample(order_id, "approval", MERCH, keyed(fingerprint="e" * 64))


def test_a_refused_command_releases_its_key(gendan):
    order_id = new_order(gendan)
    with pytest.raises(InvalidState):  # nothing to close before shipment
        gendan.orders.close_order(order_id, MANAGER, keyed("k-close"))
    # The same key runs again (and is refused again): it was not kept.
    with pytest.raises(InvalidState):
        gendan.orders.close_order(order_id, MANAGER, keyed("k-close"))


def test_a_request_in_flight_answers_retry_after_until_its_lease_ends():
    clock = Clock()
    fake = InMemoryIdempotency(Settings(database_url="memory:", idempotency_lease_seconds=30),
                               clock=clock)
    request = KeyedRequest("li", "k", "f" * 64)
    first = fake.claim(request)
    assert isinstance(first, Claim)
    clock.now += timedelta(seconds=10)
    with pytest.raises(IdempotencyInFlight) as busy:
        fake.claim(request)
    assert busy.value.retry_after == 20
    # The claimant died: after the lease the next retry takes the key over,
    # and the first claimant can no longer complete it.
    clock.now += timedelta(seconds=21)
    second = fake.claim(request)
    assert isinstance(second, Claim) and second.token != first.token
    with pytest.raises(IdempotencyClaimLost):
        with fake.completing(_completion(first)):
            pass


def test_a_completed_key_expires_after_its_ttl():
    clock = Clock()
    fake = InMemoryIdempotency(Settings(database_url="memory:", idempotency_ttl_hours=48),
                               clock=clock)
    request = KeyedRequest("li", "k", "f" * 64)
    claim = fake.claim(request)
    with fake.completing(_completion(claim)) as complete:
        complete(7)
    assert fake.claim(request) == Completed("order-1", 3, 7, None)
    clock.now += timedelta(hours=49)
    assert isinstance(fake.claim(request), Claim)  # a new request now


def _completion(claim: Claim) -> Completion:
    return Completion(claim.scope, claim.key, claim.token, "order-1", 3, None,
                      "2027-01-01T00:00:00.000000+00:00")
