"""The analyst's first three questions (issue 13, item 7), mixed into
``ReadModels`` (app/projections/reads.py): orders by state, payments
received in a window, and the late orders. Each reads the read models
already kept; none needs a table of its own.

Payments come from the audit trail (rm_audit: every deposit, balance and
fee received, with its amount, currency and the day it was received), joined to the board for the order's customer. Their
amounts are summed as decimals in Python: SQLite has no exact decimal sum.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, tuple_

from app.domain.order import STATES, Order
from app.domain.reference import quantize_money
from app.domain.values import decimal_text
from app.projections.common import DONE_STATES, from_minor
from app.projections.paging import _page, decode_cursor
from app.projections.tables import audit, board

# The audit's payment events (by their type there, the class's name) and
# the kind each records (a fee names its own).
PAYMENT_KINDS = {Order.DepositReceived.__name__: "deposit",
                 Order.BalanceReceived.__name__: "balance", Order.FeeReceived.__name__: None}
KINDS = ("deposit", "balance", "sample_fee", "mould_fee")
GROUPS = ("currency", "customer", "kind")


class ReportReads:
    async def orders_by_state(self) -> dict[str, Any]:
        """Every order (closed and cancelled included) counted and totalled
        per state and currency, the states in lifecycle order."""
        rows = await self._all(
            select(board.c.state, board.c.currency, func.count().label("orders"),
                   func.sum(board.c.total_minor).label("total"))
            .group_by(board.c.state, board.c.currency))
        order = {state: i for i, state in enumerate(STATES)}
        rows.sort(key=lambda r: (order.get(r["state"], len(order)), r["currency"]))
        return {"data": [{"state": r["state"], "currency": r["currency"],
                          "orders": int(r["orders"]),
                          "total": from_minor(r["total"], r["currency"])} for r in rows],
                "position": await self.position()}

    async def payments(self, since: date | None = None, until: date | None = None,
                       group_by: str = "currency") -> dict[str, Any]:
        """Payments received from ``since`` to ``until`` (both inclusive, on
        the day received), counted and summed per currency, per customer
        and currency, or per kind and currency."""
        received = audit.c.data["received_on"].as_string()  # ISO dates sort as days
        query = (select(audit.c.type, audit.c.data, board.c.customer_id, board.c.customer_name)
                 .select_from(audit.outerjoin(board, board.c.order_id == audit.c.order_id))
                 .where(audit.c.type.in_(tuple(PAYMENT_KINDS))))
        if since is not None:
            query = query.where(received >= since.isoformat())
        if until is not None:
            query = query.where(received <= until.isoformat())
        groups: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
        for row in await self._all(query):
            data = row["data"]
            kind = PAYMENT_KINDS[row["type"]] or data.get("kind")
            key = {"currency": (), "kind": (kind,),
                   "customer": (row["customer_id"], row["customer_name"])}[group_by]
            group = groups[(*key, data["currency"])]
            group[0] += 1
            group[1] += Decimal(data["amount"])
        return {"since": since, "until": until, "group_by": group_by,
                "data": sorted((_payment_group(group_by, key, count, amount)
                                for key, (count, amount) in groups.items()), key=_group_order),
                "position": await self.position()}

    async def late_orders(self, owner: str | None = None, customer_id: str | None = None,
                          limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """Orders not shipped (nor closed, nor cancelled) past the date the
        customer agreed to, the latest agreed first: most days late first."""
        today = datetime.now(timezone.utc).date()
        b = board.c
        query = (select(b.order_id, b.reference, b.customer_id, b.customer_name, b.owner,
                        b.state, b.currency, b.total_minor, b.delivery_date, b.agreed_on,
                        b.forecast_ex_factory, b.next_milestone)
                 .where(and_(b.agreed_on < today, b.state.not_in(DONE_STATES)))
                 .order_by(b.agreed_on, b.order_id).limit(limit + 1))
        if owner is not None:
            query = query.where(b.owner == owner)
        if customer_id is not None:
            query = query.where(b.customer_id == customer_id)
        if cursor is not None:
            after_date, after_id = decode_cursor(cursor, (date, str))
            query = query.where(tuple_(b.agreed_on, b.order_id) > (after_date, after_id))
        rows = await self._all(query)
        return _page(rows, limit, lambda r: _late_item(r, today),
                     lambda r: [r["agreed_on"].isoformat(), r["order_id"]])


def _payment_group(group_by: str, key: tuple, count: int, amount: Decimal) -> dict[str, Any]:
    *named, currency = key
    item: dict[str, Any] = {"currency": currency, "payments": count,
                            "amount": decimal_text(quantize_money(amount, currency)),
                            "customer_id": None, "customer_name": None, "kind": None}
    if group_by == "customer":
        item["customer_id"], item["customer_name"] = named
    elif group_by == "kind":
        (item["kind"],) = named
    return item


def _group_order(item: dict[str, Any]) -> tuple:
    kind = item["kind"]
    return (item["customer_name"] or "", item["customer_id"] or "",
            KINDS.index(kind) if kind in KINDS else len(KINDS), kind or "", item["currency"])


def _late_item(row: Any, today: date) -> dict[str, Any]:
    item = {k: v for k, v in row.items() if k != "total_minor"}
    item["total"] = from_minor(row["total_minor"], row["currency"])
    item["days_late"] = (today - row["agreed_on"]).days
    return item
