"""The idempotency key is recorded in the same transaction as the events:
when its completion fails, the events are rolled back too (both stores)."""

from __future__ import annotations

from datetime import date

import pytest

from app.application import Gendan
from app.domain.values import Actor
from app.application.dto import Preconditions
from app.application.idempotency import (
    Claim,
    Completed,
    IdempotencyStore,
    KeyedRequest,
)
from tests.commands import on_order

MANAGER = Actor("chen", "manager")


def new_order(app: Gendan) -> str:
    customer = app.customers.register_customer("C", "DE", MANAGER).view
    return app.orders.create_order(
        reference="PO-1", customer_id=customer["id"], currency="USD", incoterm="FOB",
        delivery_date=date(2027, 3, 1), samples_required=False,
        payment_terms={"method": "TT"},
        lines=[{"sku": "A", "quantity": "1", "unit": "pc", "unit_price": "100"}], actor=MANAGER,
    ).view["id"]


def test_events_and_key_commit_together(fresh_settings, gendan):
    """Two processes run the same keyed command at once: the second to save
    finds the key recorded; its events roll back with it and it replays the
    first one's answer (one effect)."""
    order_id = new_order(gendan)
    keyed = KeyedRequest("chen", "k-1", "f" * 64)
    other = Gendan(fresh_settings)  # another process
    try:
        real_begin = gendan.store.idempotency.begin
        first: list = []

        def begin_then_lose_the_race(request: KeyedRequest):
            claim = real_begin(request)
            if not first:  # the other process runs the same request meanwhile
                first.append(on_order(other, order_id, lambda o: {
                    "sample_id": o.request_sample("style", MANAGER)}, Preconditions(keyed)))
            return claim

        gendan.store.idempotency.begin = begin_then_lose_the_race  # type: ignore[method-assign]
        ours = on_order(gendan, order_id, lambda o: {
            "sample_id": o.request_sample("style", MANAGER)}, Preconditions(keyed))
        gendan.store.idempotency.begin = real_begin  # type: ignore[method-assign]
        assert not first[0].replayed and ours.replayed
        assert (ours.view, ours.version, ours.extra) == (
            first[0].view, first[0].version, first[0].extra)
        assert gendan.last_position() == first[0].position  # our events were rolled back
        assert len(gendan.orders.get_order(order_id)["samples"]) == 1
    finally:
        other.close()


def test_a_held_claim_taken_over_rolls_the_events_back(fresh_settings):
    """A key held ``in_flight`` (the two-phase claim of an earlier version,
    whose process died) is taken over once its lease is over. If another
    request takes it from the command before that one commits, the
    command's events roll back with its key; it looks again and runs once."""
    quick = fresh_settings.model_copy(update={"idempotency_lease_seconds": 0})
    app, dead, thief = Gendan(quick), IdempotencyStore(quick), IdempotencyStore(quick)
    try:
        order_id = new_order(app)
        before = app.last_position()
        keyed = KeyedRequest("chen", "k-1", "f" * 64)
        assert isinstance(dead.claim(keyed), Claim)
        real_begin = app.store.idempotency.begin
        lost: list[Claim] = []

        def take_over_then_lose_it(request: KeyedRequest):
            claim = real_begin(request)
            if not lost:
                assert isinstance(claim, Claim) and claim.held
                taken = thief.claim(request)
                assert isinstance(taken, Claim) and taken.token != claim.token
                lost.append(claim)
            return claim

        app.store.idempotency.begin = take_over_then_lose_it  # type: ignore[method-assign]
        result = on_order(app, order_id, lambda o: {
            "sample_id": o.request_sample("style", MANAGER)}, Preconditions(keyed))
        assert lost and not result.replayed
        assert app.last_position() == before + 1  # the first attempt's event rolled back
        assert len(app.orders.get_order(order_id)["samples"]) == 1
        assert app.store.idempotency.begin(keyed) == Completed(
            str(order_id), result.version, result.position, result.extra)
    finally:
        dead.close()
        thief.close()
        app.close()


def test_completed_key_records_the_result(fresh_settings, gendan):
    order_id = new_order(gendan)
    keyed = KeyedRequest("chen", "k-2", "a" * 64)
    result = on_order(gendan, order_id, lambda o: {"sample_id": o.request_sample(
        "style", MANAGER)}, Preconditions(keyed))
    done = gendan.store.idempotency.claim(keyed)
    assert done == Completed(str(order_id), result.version, result.position, result.extra)
    replay = on_order(gendan, order_id, lambda o: pytest.fail("ran twice"), Preconditions(keyed))
    assert replay.replayed and replay.view == result.view
