"""Customer names, so the board and finance rows can show who ordered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from app.projections.common import event_name
from app.projections.tables import customers

NAME = "customers"


def apply(conn: Connection, event: Any, position: int, settings: Any) -> None:
    if event_name(event) != "CustomerRegistered":
        return
    conn.execute(insert(customers).values(
        id=str(event.originator_id), name=event.name, country=event.country,
        region=event.region, position=position,
    ))
