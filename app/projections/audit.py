"""The audit trail (SPEC.md §5): every event, who, when, what, which order;
the order file of Plan 5. Described exactly as the event feed describes it."""

from __future__ import annotations

from typing import Any

from app.application.feed import describe_event
from app.domain.values import utc_text
from app.projections.batch import Batch
from app.projections.tables import audit

NAME = "audit"


def rows(event: Any) -> tuple[()]:
    return ()  # append-only: reads nothing


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    batch.append(audit, entry(event, position))


def entry(event: Any, position: int) -> dict[str, Any]:
    described = describe_event(event, position)
    return dict(
        position=position,
        order_id=described["order_id"],
        aggregate_id=described["aggregate_id"],
        aggregate_type=described["aggregate_type"],
        type=described["type"],
        version=described["version"],
        actor_sub=described["actor"]["sub"],
        actor_role=described["actor"]["role"],
        occurred_at=utc_text(described["occurred_at"]),
        data=described["data"],
    )
