"""How a stored event reads outside the domain: the event feed, the audit
trail and the projections all describe an event the same way."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from app.application.store import Store
from app.domain.canonical import content_hash
from app.domain.customer import Customer
from app.domain.item import Item
from app.domain.order import Order
from app.domain.portal import PortalRefusal
from app.domain.purchase_order import PurchaseOrder
from app.domain.quality_record import QualityRecord
from app.domain.rfq import Rfq
from app.domain.supplier import Supplier

# Attributes every event has; they are reported beside ``data``, not in it.
# What describe_event reports beside ``data``, never in it.
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic",
                      "actor_sub", "actor_role"})
# Events of other aggregates that belong to a customer order by their ``order_id``.
SERVES_ORDER = (PurchaseOrder.Event, Rfq.QuoteRequested)


_AS_IS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Decimals as strings (never floats), dates ISO 8601, UUIDs as text."""
    # Exact types first (the projections describe every event): the same
    # results as the isinstance() chain below, which handles the rest.
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {k: v if type(v) in _AS_IS else jsonable(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _AS_IS else jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def event_type(event: Any) -> str:
    return type(event).__name__


# The audit trail's aggregate_type for each kind of event (String(16) there).
_AGGREGATE_TYPES = (
    (Order.Event, "order"), (Customer.Event, "customer"),
    (PurchaseOrder.Event, "purchase_order"), (Supplier.Event, "supplier"),
    (Rfq.Event, "rfq"), (Item.Event, "item"), (PortalRefusal.Event, "portal_refusal"),
    (QualityRecord.Event, "quality_record"),
)


def aggregate_type(event: Any) -> str:
    if isinstance(event, Order.Event):  # by far the most common: first
        return "order"
    for cls, name in _AGGREGATE_TYPES:
        if isinstance(event, cls):
            return name
    return "other"


def order_of(event: Any) -> str | None:
    """The customer order an event belongs to: an order's own events, and
    those of the purchase orders and RFQs that serve it (Plan 5: one file
    per order holding all its documents)."""
    if isinstance(event, Order.Event):
        return str(event.originator_id)
    order_id = getattr(event, "order_id", None)
    if isinstance(event, SERVES_ORDER) and order_id is not None:
        return str(order_id)
    return None


def describe_event(event: Any, position: int) -> dict[str, Any]:
    aggregate_id = str(event.originator_id)
    return {
        "position": position,
        "type": event_type(event),
        "order_id": order_of(event),
        "aggregate_id": aggregate_id,
        "aggregate_type": aggregate_type(event),
        "version": event.originator_version,
        "occurred_at": event.timestamp,
        "actor": {"sub": event.actor_sub, "role": event.actor_role},
        # jsonable() of the attributes, in one pass (the projections describe every event).
        "data": {k: v if type(v) in _AS_IS else jsonable(v)
                 for k, v in vars(event).items() if k not in ENVELOPE},
    }


def withhold_evidence(described: dict[str, Any]) -> dict[str, Any]:
    """An event as ``bi`` reads it (SPEC.md §2: projections and the feed,
    no signatures): the evidence of a signed request (signature, signature
    base, the body and headers as sent) becomes ``{"redacted": true,
    "sha256": ...}``, the SHA-256 of its RFC 8785 JSON, which staff can
    recompute from the evidence they read. Everything else as staff see it;
    the stored event and audit row keep the evidence whole."""
    evidence = described["data"].get("evidence")
    if not isinstance(evidence, dict):
        return described
    marker = {"redacted": True, "sha256": content_hash(evidence)}
    return {**described, "data": {**described["data"], "evidence": marker}}


# ---- the payload of each event type, as JSON Schema -------------------------
# Read from the event classes' annotations, so the contract cannot drift from
# what the domain records. Values as ``jsonable`` writes them.
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
    float: {"type": "number"}, Decimal: {"type": "string", "format": "decimal"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
    UUID: {"type": "string", "format": "uuid"}, type(None): {"type": "null"},
}


def value_schema(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of a value of this annotation (``{}``: anything)."""
    if annotation in _SCALARS:
        return dict(_SCALARS[annotation])
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [value_schema(arg) for arg in args]}
    if origin in (list, tuple, set, frozenset):
        return {"type": "array", "items": value_schema(args[0]) if args else {}}
    if origin is dict:
        return {"type": "object", "additionalProperties": value_schema(args[1]) if args else {}}
    return {}


def event_classes() -> list[type]:
    """Every concrete event class of every aggregate the feed carries."""
    found: list[type] = []
    pending = [cls for cls, _ in _AGGREGATE_TYPES]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return sorted(found, key=lambda cls: (cls.__name__, cls.__qualname__))


def class_version(cls: type) -> int:
    """The event class's version (the library's upcasting version; 1 when unset)."""
    return int(getattr(cls, "class_version", 1))


def payload_schema(cls: type) -> dict[str, Any]:
    """An event's ``data`` (its attributes but the envelope) as JSON Schema."""
    fields = {name: hint for name, hint in typing.get_type_hints(cls).items()
              if name not in ENVELOPE and typing.get_origin(hint) is not ClassVar}
    return {"type": "object", "properties": {name: value_schema(hint)
                                             for name, hint in fields.items()},
            "required": list(fields)}


class Feed:
    """The ordered stream of every event after a position (BI, downstream
    services, the audit trail's source)."""

    def __init__(self, store: Store):
        self._store = store

    def read(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Events after global position ``after``, in position order.

        On PostgreSQL the library inserts under a table lock, so positions
        become visible in order and a reader never skips a late commit."""
        notifications = self._store.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False)
        to_domain_event = self._store.mapper.to_domain_event
        described = []
        for notification in notifications:
            event = to_domain_event(notification)
            described.append({**describe_event(event, notification.id),
                              "class_version": class_version(type(event))})
        return described

    def last_position(self) -> int:
        return self._store.last_position()
