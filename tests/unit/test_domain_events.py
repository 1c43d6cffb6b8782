"""The domain's events as the store and the read models see them.

- Events never inherit from one another: the read models dispatch on the
  class with ``isinstance``, which would also match a subclass.
- The state an event leads to (``leads_to``) is one of its aggregate's.
- Both aggregates raise and clear alerts by one mechanism.
- No read model names an event by a string: they dispatch on the classes.
- The events and snapshots written before issue 8 (tests/legacy) still
  decode into today's classes with every field, and replaying the events
  rebuilds exactly the state the old code snapshotted.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, StoredEvent, Transcoding

from app.domain import alerts
from app.domain.customer import Customer
from app.domain.item import Item
from app.domain.order import STATES, Order
from app.domain.portal import PortalRefusal
from app.domain.purchase_order import PO_STATES, PurchaseOrder
from app.domain.rfq import Rfq
from app.domain.supplier import Supplier
from app.domain.values import Actor

AGGREGATES: tuple[type[Aggregate], ...] = (Order, PurchaseOrder, Customer, Supplier, Rfq, Item,
                                           PortalRefusal)
ROOT = Path(__file__).resolve().parents[2]
# Stores written by earlier code: at 6c41cfc (before issue 8 moved the event
# classes) and at 3bed399 (issue 10, before issues 11 and 12 added fields).
LEGACY = {rev: ROOT / "tests" / "legacy" / f"store-{rev}.json" for rev in ("6c41cfc", "3bed399")}


def event_classes() -> list[type]:
    return [value for aggregate in AGGREGATES for value in vars(aggregate).values()
            if isinstance(value, type) and issubclass(value, aggregate.Event)
            and value is not aggregate.Event]


def test_no_event_inherits_from_another_event():
    events = set(event_classes())
    assert len(events) > 50
    for cls in events:
        assert [b for b in cls.__mro__[1:] if b in events] == [], cls.__qualname__


@pytest.mark.parametrize(("aggregate", "states"), [
    (Order, (*STATES, "cancelled")), (PurchaseOrder, PO_STATES)])
def test_every_state_an_event_leads_to_is_one_of_its_aggregate(aggregate, states):
    leading = {cls.__name__: cls.leads_to for cls in event_classes()
               if issubclass(cls, aggregate.Event) and cls.leads_to is not None}
    assert leading and set(leading.values()) <= set(states)


def test_both_aggregates_alerts_are_the_one_mechanism():
    for aggregate in (Order, PurchaseOrder):
        assert issubclass(aggregate, alerts.Alerting)
        assert issubclass(aggregate.AlertRaised, alerts.AlertRaised)
        assert issubclass(aggregate.AlertCleared, alerts.AlertCleared)
        own = {f.name for f in dataclasses.fields(aggregate.Event)}
        assert {f.name for f in dataclasses.fields(aggregate.AlertRaised)} - own == {
            "code", "message", "for_role"}
        assert {f.name for f in dataclasses.fields(aggregate.AlertCleared)} - own == {
            "code", "reason"}


def test_an_alert_is_raised_once_and_cleared_once():
    qc = Actor("quinn", "qc")
    po = PurchaseOrder.draft(
        supplier_id=uuid.uuid4(), order_id=None, rfq_id=None, currency="USD", terms=None,
        lines=[{"line_no": 1, "item": "zip", "quantity": "100", "unit": "pcs",
                "unit_price": "0.10", "delivery_date": date(2027, 1, 15)}],
        waiver_reason=None, actor=Actor("pia", "purchaser"))
    po._raise_alert("x", "first", qc)
    po._raise_alert("x", "again", qc)  # open already: nothing new
    po._clear_alert("x", "settled", qc)
    po._clear_alert("x", "settled again", qc)  # not open: nothing
    kinds = [type(e) for e in po.collect_events()][1:]
    assert kinds == [PurchaseOrder.AlertRaised, PurchaseOrder.AlertCleared]
    assert po.alerts == {}


def _strings(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_no_read_model_names_an_event_by_a_string():
    names = {cls.__name__ for cls in event_classes()}
    for path in sorted((ROOT / "app" / "projections").glob("*.py")):
        assert not _strings(path) & names, path.name


# ---- the store written before issue 8 ------------------------------------------------
class _DateAsISO(Transcoding):
    type = date
    name = "date_iso"  # as the service registers it

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _Store(Application):
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_DateAsISO())


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(originator_id=uuid.UUID(row["originator_id"]),
                       originator_version=row["originator_version"], topic=row["topic"],
                       state=base64.b64decode(row["state"]))


@pytest.fixture(scope="module", params=sorted(LEGACY))
def legacy(request) -> tuple[list[Any], list[Any]]:
    data = json.loads(LEGACY[request.param].read_text())
    mapper = _Store().mapper
    return ([mapper.to_domain_event(_stored(r)) for r in data["stored_events"]],
            [mapper.to_domain_event(_stored(r)) for r in data["stored_snapshots"]])


def test_old_events_decode_into_todays_classes_with_every_field(legacy):
    events, _ = legacy
    ours = set(event_classes())
    for event in events:
        assert type(event) in ours, type(event)
        missing = [f.name for f in dataclasses.fields(event) if f.name not in vars(event)]
        assert missing == [], (type(event).__qualname__, missing)


def test_replaying_old_events_rebuilds_what_the_old_code_snapshotted(legacy):
    events, snapshots = legacy
    for snapshot in snapshots:
        aggregate = None
        for event in events:
            if (event.originator_id == snapshot.originator_id
                    and event.originator_version <= snapshot.originator_version):
                aggregate = event.mutate(aggregate)
        expected = snapshot.mutate(None)
        assert vars(aggregate) | {"_pending_events": []} == vars(expected) | {
            "_pending_events": []}, (snapshot.topic, snapshot.originator_version)
