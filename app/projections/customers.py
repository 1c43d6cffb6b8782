"""Customer names, so the board and finance rows can show who ordered."""

from __future__ import annotations

from typing import Any

from app.domain.customer import Customer
from app.projections.batch import Batch
from app.projections.tables import customers

NAME = "customers"


def rows(event: Any) -> tuple[()]:
    return ()  # only ever inserts


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if not isinstance(event, Customer.CustomerRegistered):
        return
    # Kept in the batch too: an order created later in the same batch finds
    # the name without a query.
    batch.add(customers, dict(
        id=str(event.originator_id), name=event.name, country=event.country,
        region=event.region, position=position, name_key=event.name.casefold(),
    ))
