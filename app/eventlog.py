"""How a stored event reads outside the domain: the event feed, the audit
trail and the projections all describe an event the same way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.domain.customer import Customer
from app.domain.order import Order

# Attributes every event has; they are reported beside ``data``, not in it.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "actor_sub", "actor_role"}


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


def describe_event(event: Any, position: int) -> dict[str, Any]:
    is_order = isinstance(event, Order.Event)
    aggregate_id = str(event.originator_id)
    return {
        "position": position,
        "type": event_type(event),
        "order_id": aggregate_id if is_order else None,
        "aggregate_id": aggregate_id,
        "aggregate_type": "order" if is_order else (
            "customer" if isinstance(event, Customer.Event) else "other"),
        "version": event.originator_version,
        "occurred_at": event.timestamp,
        "actor": {"sub": event.actor_sub, "role": event.actor_role},
        # jsonable() of the attributes, in one pass (the projections describe every event).
        "data": {k: v if type(v) in _AS_IS else jsonable(v)
                 for k, v in vars(event).items() if k not in _ENVELOPE},
    }
