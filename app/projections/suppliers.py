"""Supplier names, so the PO board and the supplier reads can show who
supplies (and know which suppliers exist)."""

from __future__ import annotations

from typing import Any

from app.domain.supplier import Supplier
from app.projections.batch import Batch
from app.projections.common import text_id
from app.projections.tables import suppliers

NAME = "suppliers"


def rows(event: Any) -> tuple[()]:
    return ()  # only ever inserts


def apply(batch: Batch, event: Any, position: int, settings: Any) -> None:
    if not isinstance(event, Supplier.SupplierRegistered):
        return
    # Kept in the batch too: a PO drafted later in the same batch finds the
    # name without a query.
    batch.add(suppliers, dict(
        id=text_id(event.originator_id), name=event.name, country=event.country,
        position=position,
    ))


def supplier_name(batch: Batch, supplier_id: Any) -> str | None:
    row = batch.get(suppliers, text_id(supplier_id))
    return None if row is None else row["name"]
