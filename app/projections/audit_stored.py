"""The audit row of a stored event, read straight from its stored JSON
(issue 14, item 4: a rebuild decodes the JSON once, without rebuilding the
domain object where the read model does not need one).

``audit.entry`` describes a domain event: the mapper decodes the state
through the transcoder's Python object hook (a Decimal, datetime, date or
UUID object per typed value), then ``describe_event`` turns those objects
back into text. Here the state is parsed once by the C decoder and each
typed value ``{"_type_": name, "_data_": text}`` (parsed by orjson) becomes the text
``describe_event`` would give: a Decimal's and a date's stored text is
already their ``str``/``isoformat`` (both round-trip exactly); a UUID is
stored as hex and described with dashes. 20 us -> ~5 us an event.

Anything this reading does not cover exactly (an event stored at an older
class version, whose upcasters work on domain values; a transcoding other
than these four) gives None: the caller describes the domain event then.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import orjson
from eventsourcing.utils import resolve_topic

from app.application.feed import ENVELOPE, SERVES_ORDER, aggregate_type, event_type
from app.domain.order import Order
from app.domain.values import utc_text

# describe_event's envelope, and the class version the stored state carries.
_ENVELOPE = ENVELOPE | {"class_version"}
_TEXT_AS_STORED = frozenset({"decimal_str", "datetime_iso", "date_iso"})


class NotCovered(Exception):
    """A value this reading does not turn into text exactly."""


@cache
def _kind(topic: str) -> tuple[str, str, int, bool, bool]:
    """Per topic: the type name, the aggregate type, the class version, and
    whether its order is the originator (an order's event) or ``order_id``."""
    cls = resolve_topic(topic)
    probe = object.__new__(cls)  # aggregate_type/event_type look at the class only
    return (event_type(probe), aggregate_type(probe), getattr(cls, "class_version", 1),
            issubclass(cls, Order.Event),
            issubclass(cls, SERVES_ORDER))


def _uuid_text(hex_: str) -> str:
    if len(hex_) != 32:
        raise NotCovered(hex_)
    h = hex_.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _text(value: Any) -> Any:
    """A stored value as describe_event's ``jsonable`` writes the decoded one."""
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            name, data = value["_type_"], value["_data_"]
            if name in _TEXT_AS_STORED and type(data) is str:
                return data
            if name == "uuid_hex" and type(data) is str:
                return _uuid_text(data)
            raise NotCovered(name)
        return {k: _text(v) for k, v in value.items()}
    if kind is list:
        return [_text(v) for v in value]
    return value


def entry(notification: Any) -> dict[str, Any] | None:
    """``audit.entry(event, position)`` from the stored notification, or
    None where only the domain event gives it exactly."""
    name, aggregate, class_version, of_order, serves_order = _kind(notification.topic)
    try:
        state = orjson.loads(notification.state)
    except orjson.JSONDecodeError:
        return None  # one orjson refuses (an integer beyond 64 bits, NaN...)
    if type(state) is not dict or state.get("class_version", 1) != class_version:
        return None  # upcast first: the domain path
    try:
        data = {k: _text(v) for k, v in state.items() if k not in _ENVELOPE}
        if of_order:
            order_id = str(notification.originator_id)
        elif serves_order and state.get("order_id") is not None:
            order_id = str(_text(state["order_id"]))
        else:
            order_id = None
        timestamp = state["timestamp"]
        if type(timestamp) is not dict or timestamp.get("_type_") != "datetime_iso":
            return None
        occurred_at = utc_text(datetime.fromisoformat(timestamp["_data_"]))
        actor_sub, actor_role = state["actor_sub"], state["actor_role"]
    except (NotCovered, KeyError):
        return None
    return dict(
        position=notification.id, order_id=order_id,
        aggregate_id=str(notification.originator_id), aggregate_type=aggregate, type=name,
        version=notification.originator_version, actor_sub=actor_sub, actor_role=actor_role,
        occurred_at=occurred_at, data=data,
    )
