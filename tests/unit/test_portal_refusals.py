"""Refused portal requests, coalesced, on the in-memory store: one stream
per (supplier, code, window) whose first refusal is stored at once and
whose later ones are appended as one count when the window is over (on the
next refusal, by the timer, at shutdown); two processes count into the
same stream; a flood costs a few KiB. And the portal's other bounds
without HTTP: the refusal summary's size, the Idempotency-Key scope, a
replay that is not the caller's, the delivery notes a PO takes a day."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from app.api.auth import Principal
from app.api.conditions import idempotency_scope
from app.api.httpsig import HttpRequestParts
from app.api.signed import MAX_SUMMARY_BYTES, refusal_summary
from app.application import Gendan
from app.application.dto import Preconditions
from app.application.idempotency import KeyedRequest
from app.application.refusals import MAX_NAMED, RefusalTally
from app.application.store import Store
from app.config import Settings
from app.domain.errors import InvalidState, NotFound
from app.domain.portal import PortalRefusal, refusal_id
from app.domain.values import Actor
from tests.unit.sourcing_builders import SUPPLIER_A, placed, supplier_id

CALLER = Actor("portal-a", "supplier")
SUPPLIER = str(SUPPLIER_A)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 1, 10, 0, 5, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store() -> Store:
    store = Store(Settings(database_url="memory:"))
    yield store
    store.close()


def refuse(tally: RefusalTally, code: str = "bad_signature", po_id=None,
           actor: Actor = CALLER) -> None:
    tally.record(supplier_id=SUPPLIER, po_id=po_id, code=code, detail="no match",
                 request={"method": "POST"}, actor=actor)


def events(store: Store) -> list:
    return [store.mapper.to_domain_event(n)
            for n in store.recorder.select_notifications(start=1, limit=100_000)]


def stored_bytes(store: Store) -> int:
    return sum(len(n.state) + len(n.topic)
               for n in store.recorder.select_notifications(start=1, limit=100_000))


def test_a_window_s_first_refusal_is_stored_at_once_and_the_rest_counted_after_it(store):
    clock = Clock()
    tally = RefusalTally(store, 60, clock=clock)
    po_ids = [uuid4() for _ in range(MAX_NAMED + 5)]
    for n in range(1000):
        refuse(tally, po_id=po_ids[n % len(po_ids)])
    [first] = events(store)
    assert isinstance(first, PortalRefusal.SignedRequestsRefused)
    assert (first.count, first.code, first.window) == (1, "bad_signature", "2027-01-01T10:00:00Z")
    assert first.originator_id == refusal_id(SUPPLIER, "bad_signature", "2027-01-01T10:00:00Z")
    assert tally.pending() == 999

    clock.now += timedelta(seconds=60)  # the next window: the last one's count is appended
    refuse(tally)
    _, counted, second = events(store)
    assert isinstance(counted, PortalRefusal.RefusalsCounted) and counted.count == 999
    assert counted.originator_id == first.originator_id and counted.actor_sub == "portal-a"
    assert len(counted.purchase_order_ids) == MAX_NAMED and counted.subs == ["portal-a"]
    assert isinstance(second, PortalRefusal.SignedRequestsRefused)
    assert second.window == "2027-01-01T10:01:00Z"
    assert store.repository.get(first.originator_id).count == 1000
    tally.close()


def test_each_reason_has_its_stream_and_shutdown_appends_the_current_count(store):
    clock = Clock()
    tally = RefusalTally(store, 60, clock=clock)
    for code in ("bad_signature", "expired", "bad_signature", "expired", "expired"):
        refuse(tally, code=code, actor=Actor(f"portal-{code}", "supplier"))
    assert [e.code for e in events(store)] == ["bad_signature", "expired"]
    tally.close()
    counts = {e.originator_id: e.count for e in events(store)
              if isinstance(e, PortalRefusal.RefusalsCounted)}
    assert counts == {refusal_id(SUPPLIER, "bad_signature", "2027-01-01T10:00:00Z"): 1,
                      refusal_id(SUPPLIER, "expired", "2027-01-01T10:00:00Z"): 2}
    assert tally.pending() == 0


def test_two_processes_count_into_one_stream(store):
    clock = Clock()
    one, other = RefusalTally(store, 60, clock=clock), RefusalTally(store, 60, clock=clock)
    for _ in range(3):
        refuse(one)
        refuse(other)  # its first save finds the stream made: counted, not lost
    one.close()
    other.close()
    kinds = [type(e).__name__ for e in events(store)]
    assert kinds == ["SignedRequestsRefused", "RefusalsCounted", "RefusalsCounted"]
    assert store.repository.get(events(store)[0].originator_id).count == 6


def test_the_timer_appends_a_window_s_count_without_another_refusal(store):
    tally = RefusalTally(store, 1)  # real clock, one-second windows
    for _ in range(5):
        refuse(tally)
    deadline = time.monotonic() + 5
    while tally.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tally.pending() == 0
    assert sum(getattr(e, "count", 0) for e in events(store)) == 5
    tally.close()


def test_a_thousand_refusals_cost_a_few_kib(store):
    clock = Clock()
    tally = RefusalTally(store, 60, clock=clock)
    parts = HttpRequestParts(
        "POST", "http://127.0.0.1/v1/supplier/purchase-orders/x/acknowledgement?" + "q" * 60_000,
        {"signature-input": 'sig1=("@method");keyid="k";nonce="' + "n" * 5000 + '"',
         "signature": "sig1=:" + "A" * 5000 + ":", "content-digest": "sha-256=:x:"},
        b"{}" * 10_000)
    before = stored_bytes(store)
    for _ in range(1000):
        tally.record(supplier_id=SUPPLIER, po_id=uuid4(), code="bad_signature",
                     detail="no match", request=refusal_summary(parts), actor=CALLER)
    tally.close()
    grown = stored_bytes(store) - before
    assert grown < 4096, grown


def test_a_refusal_summary_is_bounded_and_keeps_no_query_string():
    hostile = '"\\\u00ff' * 20_000
    parts = HttpRequestParts(
        "POST" * 100, "http://127.0.0.1/v1/supplier/purchase-orders/x?secret=" + "s" * 60_000,
        {"signature-input": hostile, "signature": hostile, "content-digest": hostile,
         "content-type": hostile}, b"x" * 100_000)
    summary = refusal_summary(parts)
    assert len(json.dumps(summary).encode()) <= MAX_SUMMARY_BYTES
    assert "secret" not in json.dumps(summary)
    assert summary["target_uri"] == "http://127.0.0.1/v1/supplier/purchase-orders/x"
    assert summary["query"]["bytes"] == len("secret=") + 60_000
    assert summary["body"]["bytes"] == 100_000
    assert set(summary["signature"]) == {"sha256", "bytes"}  # never the signature itself


def test_idempotency_keys_are_scoped_to_sub_role_and_supplier():
    a = idempotency_scope(Principal("portal", "supplier", "supplier-a"))
    b = idempotency_scope(Principal("portal", "supplier", "supplier-b"))
    staff = idempotency_scope(Principal("portal", "manager", None))
    assert len({a, b, staff}) == 3
    long = idempotency_scope(Principal("x" * 500, "supplier", "y" * 500))
    assert long.startswith("sha256:") and len(long) <= 200
    assert "\x00" not in idempotency_scope(Principal("a\x00b", "manager", None))


def test_a_replayed_answer_is_only_ever_the_caller_s_own_purchase_order():
    gendan = Gendan(Settings(database_url="memory:"))
    try:
        po = placed()
        gendan.store.save(po)
        # The same scope and key (as every key was scoped to sub alone before):
        # only the replay's own ownership check stands between B and A's PO.
        keyed = Preconditions(KeyedRequest("shared-sub", "k-1", "f" * 64))
        note = dict(reference="DN-1", lines=[{"line_no": 1, "quantity": "10"}], keyid="key-1",
                    evidence={}, actor=CALLER, cond=keyed)
        first = gendan.portal.declare_delivery(SUPPLIER, po.id, **note)
        assert not first.replayed
        again = gendan.portal.declare_delivery(SUPPLIER, po.id, **note)
        assert again.replayed and again.view == first.view
        with pytest.raises(NotFound):
            gendan.portal.declare_delivery(str(supplier_id("b")), po.id, **note)
    finally:
        gendan.close()


def test_a_purchase_order_takes_a_bounded_number_of_delivery_notes_a_day():
    po = placed()
    for n in range(3):
        po.declare_delivery(f"DN-{n}", [{"line_no": 1, "quantity": "1"}], "key-1", {}, CALLER,
                            per_day=3)
    with pytest.raises(InvalidState, match="3 delivery notes"):
        po.declare_delivery("DN-4", [{"line_no": 1, "quantity": "1"}], "key-1", {}, CALLER,
                            per_day=3)
    # Yesterday's notes do not count today.
    for note in po.delivery_notes:
        note["at"] -= timedelta(days=1)
    po.declare_delivery("DN-5", [{"line_no": 1, "quantity": "1"}], "key-1", {}, CALLER,
                        per_day=3)
