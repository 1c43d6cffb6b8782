"""The audit trail (SPEC.md §5): every event, who, when, what, which order;
the order file of Plan 5. Described exactly as the event feed describes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from app.eventlog import describe_event
from app.projections.common import iso
from app.projections.tables import audit

NAME = "audit"


def apply(conn: Connection, event: Any, position: int, settings: Any) -> None:
    described = describe_event(event, position)
    conn.execute(insert(audit).values(
        position=position,
        order_id=described["order_id"],
        aggregate_id=described["aggregate_id"],
        aggregate_type=described["aggregate_type"],
        type=described["type"],
        version=described["version"],
        actor_sub=described["actor"]["sub"],
        actor_role=described["actor"]["role"],
        occurred_at=iso(described["occurred_at"]),
        data=described["data"],
    ))
