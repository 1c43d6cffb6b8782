"""Queries of the quality read models (issue 12), mixed into ``ReadModels``
(app/projections/reads.py), whose engine and helpers they use: the QC
board (GET /v1/inspections). A supplier's incoming lots and severities are
read with its performance (app/projections/sourcing_reads.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.projections.paging import _page, decode_cursor
from app.projections.quality import OWN_PREFIX, SUPPLIER_PREFIX, supplier_of
from app.projections.tables import inspections

# factory_id=own: every own workshop (the factory "own:<name>").
OWN = "own"


class QualityReads:
    async def inspections(self, stage: str | None = None, result: str | None = None,
                          factory_id: str | None = None, since: date | None = None,
                          limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """The QC board, in the order the inspections were recorded.
        ``factory_id``: a supplier's id (lower-case UUID text), or ``own``
        for the company's own workshops; ``since``: inspected on or after."""
        c = inspections.c
        query = select(inspections).order_by(c.recorded_position).limit(limit + 1)
        if stage is not None:
            query = query.where(c.stage == stage)
        if result is not None:
            query = query.where(c.result == result)
        if factory_id == OWN:
            query = query.where(c.factory.startswith(OWN_PREFIX, autoescape=True))
        elif factory_id is not None:
            query = query.where(c.factory == f"{SUPPLIER_PREFIX}{factory_id}")
        if since is not None:
            query = query.where(c.inspected_on >= since)
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(c.recorded_position > after)
        rows = await self._all(query)
        return _page(rows, limit, inspection_item, lambda r: [r["recorded_position"]])


def inspection_item(row: Any) -> dict[str, Any]:
    item = {k: v for k, v in row.items()
            if not k.startswith("defects_") and k != "recorded_position"}
    item["supplier_id"] = supplier_of(row["factory"])
    item["defects"] = {cls: row[f"defects_{cls}"] for cls in ("critical", "major", "minor")}
    return item
