"""Lookups on the read models (issue 13, item 4), mixed into ``ReadModels``
(app/projections/reads.py): the customer list with its name search, and
orders found by their reference. Both compare case-folded keys the
projections write (``str.casefold``, migration 0010), so the two stores
answer alike whatever the script: SQLite's ``lower()`` folds ASCII only.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select, tuple_

from app.projections.paging import _page, decode_cursor
from app.projections.tables import board, customers


class LookupReads:
    async def customers(self, name: str | None = None, country: str | None = None,
                        limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """Customers by name (then id). ``name``: its case-folded text
        anywhere in the name (``%`` and ``_`` are literal)."""
        c = customers.c
        query = (select(c.id, c.name, c.country, c.region)
                 .order_by(c.name, c.id).limit(limit + 1))
        if name is not None:
            query = query.where(c.name_key.contains(name.casefold(), autoescape=True))
        if country is not None:
            query = query.where(c.country == country)
        if cursor is not None:
            after_name, after_id = decode_cursor(cursor, (str, str))
            query = query.where(tuple_(c.name, c.id) > (after_name, after_id))
        rows = await self._all(query)
        return _page(rows, limit, dict, lambda r: [r["name"], r["id"]])

    async def orders_by_reference(self, reference: str, customer_id: str | None = None,
                                  limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """The board rows of the orders with this reference, case aside,
        closed and cancelled ones included (a reference is unique per
        customer, so across customers there may be several), in the board's
        order."""
        today = datetime.now(timezone.utc).date()
        query = (select(board).where(board.c.reference_key == reference.casefold())
                 .order_by(board.c.delivery_date, board.c.order_id).limit(limit + 1))
        if customer_id is not None:
            query = query.where(board.c.customer_id == customer_id)
        if cursor is not None:
            after_date, after_id = decode_cursor(cursor, (date, str))
            query = query.where(
                tuple_(board.c.delivery_date, board.c.order_id) > (after_date, after_id))
        rows = await self._all(query)
        return _page(rows, limit, lambda r: self.board_item(r, today),
                     lambda r: [r["delivery_date"].isoformat(), r["order_id"]])
