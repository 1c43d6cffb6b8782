"""The idempotency key is completed in the same transaction as the events:
when its completion fails, the events are rolled back too (both stores)."""

from __future__ import annotations

from datetime import date

import pytest

from app.application import Gendan
from app.domain.values import Actor
from app.application.eventstore import IdempotencyClaimLost
from app.application.dto import Preconditions
from app.application.idempotency import (
    Claim,
    Completed,
    IdempotencyInFlight,
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
    order_id = new_order(gendan)
    before = gendan.last_position()
    keyed = KeyedRequest("chen", "k-1", "f" * 64)
    store = IdempotencyStore(fresh_settings.model_copy(update={"idempotency_lease_seconds": 0}))
    try:
        real_claim = gendan.store.idempotency.claim

        def claim_then_lose_it(request: KeyedRequest) -> Claim:
            claim = real_claim(request)
            # Lease 0: another request takes the key over while this one runs.
            taken = store.claim(request)
            assert isinstance(taken, Claim) and taken.token != claim.token
            return claim

        gendan.store.idempotency.claim = claim_then_lose_it  # type: ignore[method-assign]
        with pytest.raises(IdempotencyClaimLost):
            on_order(gendan, order_id, lambda o: o.cancel("x", MANAGER), Preconditions(keyed))
        gendan.store.idempotency.claim = real_claim  # type: ignore[method-assign]
        assert gendan.last_position() == before  # the events were rolled back
        assert gendan.orders.get_order(order_id)["state"] == "inquiry"
        # The key is still held by the other claim: a third request waits.
        with pytest.raises(IdempotencyInFlight):
            IdempotencyStore(fresh_settings).claim(keyed)
    finally:
        store.close()


def test_completed_key_records_the_result(fresh_settings, gendan):
    order_id = new_order(gendan)
    keyed = KeyedRequest("chen", "k-2", "a" * 64)
    result = on_order(gendan, order_id, lambda o: {"sample_id": o.request_sample(
        "style", MANAGER)}, Preconditions(keyed))
    done = gendan.store.idempotency.claim(keyed)
    assert done == Completed(str(order_id), result.version, result.position, result.extra)
    replay = on_order(gendan, order_id, lambda o: pytest.fail("ran twice"), Preconditions(keyed))
    assert replay.replayed and replay.view == result.view
