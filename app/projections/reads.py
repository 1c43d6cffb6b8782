"""Queries on the read models, asynchronous (asyncpg / aiosqlite), for the
API's read routes. They read the rm_* tables only, never the event store.

Lists are keyset-paginated: the cursor is the last row's sort key, opaque to
clients (urlsafe base64 of JSON), so pages stay stable while rows are added.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, case, func, not_, or_, select, tuple_
from sqlalchemy.ext.asyncio import create_async_engine

from app.api.errors import NotReady
from app.config import Settings
from app.domain.errors import InvalidValue, NotFound
from app.domain.order import FINAL_STATES
from app.projections.common import DONE_STATES, from_minor, iso
from app.projections.tables import (
    audit,
    board,
    finance,
    purchase_orders,
    supplier_performance,
    suppliers,
    tracking,
)

_POLL_SECONDS = 0.02


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The sort key in a cursor; 422 for anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
        if not isinstance(key, list) or len(key) != len(types):
            raise ValueError("wrong shape")
        pairs = zip(key, types, strict=True)
        values = [date.fromisoformat(v) if t is date else t(v) for v, t in pairs]
        if any(isinstance(v, int) and not 0 <= v < 2**63 for v in values):
            raise ValueError("outside the 64-bit positions")  # else SQL overflows: 500
        return values
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidValue("cursor", "not a cursor this endpoint returned") from None


def board_query(today: date, state: str | None = None, customer_id: str | None = None,
                overdue: bool | None = None, owner: str | None = None, limit: int = 50,
                cursor: str | None = None) -> Any:
    """The board's page query. Each has one of the two state conditions, and
    an index in its order behind each: ix_rm_board_open (the open orders)
    and ix_rm_board_state_delivery_date_order_id (tables.py)."""
    query = select(board).order_by(board.c.delivery_date, board.c.order_id).limit(limit + 1)
    if state is None:
        query = query.where(board.c.state.not_in(_literals("final", FINAL_STATES)))
    else:
        query = query.where(board.c.state == state)
    if customer_id is not None:
        query = query.where(board.c.customer_id == customer_id)
    if owner is not None:
        query = query.where(board.c.owner == owner)
    if overdue is not None:
        late = and_(board.c.delivery_date < today,
                    board.c.state.not_in(_literals("done", DONE_STATES)))
        query = query.where(late if overdue else not_(late))
    if cursor is not None:
        after_date, after_id = decode_cursor(cursor, (date, str))
        # A row value: both stores seek the index to it (an OR of the two
        # comparisons made them walk every row before the cursor).
        query = query.where(
            tuple_(board.c.delivery_date, board.c.order_id) > (after_date, after_id))
    return query


def _literals(name: str, values: tuple[str, ...]) -> Any:
    """Constants written into the SQL text, not bound: a partial index
    (ix_rm_board_open) is used only when the query spells its condition."""
    return bindparam(name, values, expanding=True, literal_execute=True)


def _page(rows: list[Any], limit: int, item: Any, key: Any) -> dict[str, Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": [item(r) for r in rows],
            "next_cursor": encode_cursor(key(rows[-1])) if more else None}


class ReadModels:
    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.sqlalchemy_url(asynchronous=True)
        if settings.is_postgres:
            self._engine = create_async_engine(url, pool_pre_ping=True)
        else:
            # The runner and the library write the same file: wait for locks.
            self._engine = create_async_engine(url, connect_args={"timeout": 30})

    async def close(self) -> None:
        await self._engine.dispose()

    async def _all(self, query: Any) -> list[Any]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).mappings().all())

    # ---- read-your-writes ------------------------------------------------------
    async def position(self) -> int:
        """The position every read model has reached."""
        async with self._engine.connect() as conn:
            value = (await conn.execute(select(func.min(tracking.c.position)))).scalar()
        return int(value or 0)

    async def wait_for(self, min_position: int | None) -> None:
        if not min_position:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.read_wait_seconds
        while (reached := await self.position()) < min_position:
            if loop.time() >= deadline:
                raise NotReady(
                    f"The read models are at position {reached}, not yet {min_position}",
                    retry_after=1,
                )
            await asyncio.sleep(_POLL_SECONDS)

    # ---- the progress board ------------------------------------------------------
    async def board(self, state: str | None = None, customer_id: str | None = None,
                    overdue: bool | None = None, owner: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict[str, Any]:
        today = datetime.now(timezone.utc).date()
        rows = await self._all(board_query(today, state, customer_id, overdue, owner, limit,
                                           cursor))
        return _page(rows, limit, lambda r: _board_item(r, today),
                     lambda r: [r["delivery_date"].isoformat(), r["order_id"]])

    # ---- finance -------------------------------------------------------------------
    async def finance_orders(self, customer_id: str | None = None, currency: str | None = None,
                             limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        query = select(finance).order_by(finance.c.created_position).limit(limit + 1)
        if customer_id is not None:
            query = query.where(finance.c.customer_id == customer_id)
        if currency is not None:
            query = query.where(finance.c.currency == currency)
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(finance.c.created_position > after)
        rows = await self._all(query)
        return _page(rows, limit, _finance_item, lambda r: [r["created_position"]])

    async def finance_summary(self) -> dict[str, Any]:
        """Totals per currency and per customer and currency. Cancelled orders
        are left out: their contract no longer stands (their rows remain in
        the per-order list, with any money received)."""
        sums = (
            func.count().label("orders"),
            func.sum(finance.c.contract_minor).label("contract"),
            func.sum(finance.c.paid_minor).label("paid"),
            func.sum(finance.c.balance_due_minor).label("balance_due"),
            func.sum(finance.c.fees_received_minor).label("fees"),
        )
        standing = finance.c.state != "cancelled"
        per_currency = await self._all(
            select(finance.c.currency, *sums).where(standing)
            .group_by(finance.c.currency).order_by(finance.c.currency)
        )
        per_customer = await self._all(
            select(finance.c.customer_id, finance.c.customer_name, finance.c.currency, *sums)
            .where(standing)
            .group_by(finance.c.customer_id, finance.c.customer_name, finance.c.currency)
            .order_by(finance.c.customer_name, finance.c.customer_id, finance.c.currency)
        )
        return {
            "currencies": [_totals(r) for r in per_currency],
            "customers": [{"customer_id": r["customer_id"], "customer_name": r["customer_name"],
                           **_totals(r)} for r in per_customer],
            "position": await self.position(),
        }

    # ---- the audit trail -------------------------------------------------------------
    async def audit(self, order_id: str | None = None, actor: str | None = None,
                    type_: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict[str, Any]:
        """``since`` is inclusive, ``until`` exclusive: consecutive windows
        never show an event twice."""
        query = select(audit).order_by(audit.c.position).limit(limit + 1)
        if order_id is not None:
            query = query.where(audit.c.order_id == order_id)
        if actor is not None:
            query = query.where(audit.c.actor_sub == actor)
        if type_ is not None:
            query = query.where(audit.c.type == type_)
        # occurred_at is ISO text in UTC with microseconds: it sorts as time.
        if since is not None:
            query = query.where(audit.c.occurred_at >= iso(since))
        if until is not None:
            query = query.where(audit.c.occurred_at < iso(until))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(audit.c.position > after)
        rows = await self._all(query)
        return _page(rows, limit, _audit_item, lambda r: [r["position"]])

    # ---- sourcing: suppliers, the PO board, performance, payables ---------------
    async def suppliers(self, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        query = (select(suppliers.c.id, suppliers.c.name, suppliers.c.country)
                 .order_by(suppliers.c.name, suppliers.c.id).limit(limit + 1))
        if cursor is not None:
            after_name, after_id = decode_cursor(cursor, (str, str))
            query = query.where(tuple_(suppliers.c.name, suppliers.c.id) > (after_name, after_id))
        rows = await self._all(query)
        return _page(rows, limit, dict, lambda r: [r["name"], r["id"]])

    async def purchase_orders(self, supplier_id: str | None = None, order_id: str | None = None,
                              state: str | None = None, signed: bool | None = None,
                              overdue: bool | None = None, limit: int = 50,
                              cursor: str | None = None) -> dict[str, Any]:
        """The PO board, in order of drafting. ``overdue``: past the earliest
        delivery date, not every line received, not cancelled."""
        po = purchase_orders.c
        today = datetime.now(timezone.utc).date()
        query = select(purchase_orders).order_by(po.created_position).limit(limit + 1)
        if supplier_id is not None:
            query = query.where(po.supplier_id == supplier_id)
        if order_id is not None:
            query = query.where(po.order_id == order_id)
        if state is not None:
            query = query.where(po.state == state)
        if signed is not None:
            query = query.where(po.signed if signed else not_(po.signed))
        if overdue is not None:
            late = and_(po.due_date < today, not_(po.fully_received), po.state != "cancelled")
            query = query.where(late if overdue else not_(late))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(po.created_position > after)
        rows = await self._all(query)
        return _page(rows, limit, lambda r: _po_item(r, today), lambda r: [r["created_position"]])

    async def supplier_purchase_orders(self, supplier_id: str, limit: int = 50,
                                       cursor: str | None = None) -> dict[str, Any]:
        """The POs sent to one supplier (the supplier portal): the latest
        revision sent of each, never a draft nor another supplier's PO."""
        po = purchase_orders.c
        query = (select(po.id, po.state, po.signed, po.sent_revision, po.content_hash,
                        po.last_sent_at, po.sent_due_date, po.currency, po.sent_total_minor,
                        po.created_position)
                 .where(po.supplier_id == _canonical_id(supplier_id),
                        po.sent_revision.is_not(None))
                 .order_by(po.created_position).limit(limit + 1))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(po.created_position > after)
        rows = await self._all(query)
        return _page(rows, limit, _supplier_po_item, lambda r: [r["created_position"]])

    async def supplier_performance(self, supplier_id: str) -> dict[str, Any]:
        """The supplier's counters, with what follows from its POs' states
        now: POs sent, signed back, placed, the unsigned ones and their age
        in days (today's date: computed here, never stored)."""
        po = purchase_orders.c
        perf = supplier_performance.c
        sid = _canonical_id(supplier_id)
        now = datetime.now(timezone.utc)
        async with self._engine.connect() as conn:
            row = (await conn.execute(
                select(supplier_performance, suppliers.c.name, suppliers.c.country)
                .join(suppliers, suppliers.c.id == perf.supplier_id)
                .where(perf.supplier_id == sid))).mappings().first()
            if row is None:
                raise NotFound(f"Supplier {supplier_id} not found")
            counts = (await conn.execute(
                select(func.count(po.sent_revision).label("sent"),
                       func.count(po.signed_revision).label("signed_back"),
                       func.coalesce(func.sum(case((po.signed, 1), else_=0)), 0).label("placed"),
                       func.coalesce(func.sum(po.open_alerts), 0).label("open_alerts"))
                .where(po.supplier_id == sid))).mappings().one()
            unsigned = (await conn.execute(
                select(po.id, po.revision, po.state, po.sent_at)
                .where(po.supplier_id == sid, po.state.in_(("sent", "countered")))
                .order_by(po.sent_at, po.id))).mappings().all()
        return _performance(row, counts, unsigned, now)

    async def payables(self) -> dict[str, Any]:
        """What is owed to suppliers, per supplier and currency and per
        currency. Cancelled POs count what was invoiced, paid or adjusted on
        them; POs never sent have nothing payable and are left out."""
        po = purchase_orders.c
        counted = and_(po.sent_revision.is_not(None), or_(
            po.state != "cancelled", po.invoiced_minor != 0, po.paid_minor != 0,
            po.adjusted_minor != 0))
        sums = (
            func.count().label("purchase_orders"),
            func.sum(po.invoiced_minor).label("invoiced"),
            func.sum(po.paid_minor).label("paid"),
            func.sum(po.adjusted_minor).label("adjusted"),
        )
        per_supplier = await self._all(
            select(po.supplier_id, po.supplier_name, po.currency, *sums).where(counted)
            .group_by(po.supplier_id, po.supplier_name, po.currency)
            .order_by(po.supplier_name, po.supplier_id, po.currency))
        per_currency = await self._all(
            select(po.currency, *sums).where(counted).group_by(po.currency)
            .order_by(po.currency))
        return {
            "suppliers": [{"supplier_id": r["supplier_id"], "supplier_name": r["supplier_name"],
                           **_payable(r)} for r in per_supplier],
            "currencies": [_payable(r) for r in per_currency],
            "position": await self.position(),
        }


def _canonical_id(value: str) -> str:
    """An id as the read models store it (lower-case UUID text); anything
    else matches no row."""
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError):
        return value


def _ratio(part: Decimal | int, whole: Decimal | int) -> str | None:
    if not whole:
        return None
    return format((Decimal(part) / Decimal(whole)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP), "f")


def supplier_status(state: str, signed: bool) -> str:
    """What the supplier is asked to do (as app/sourcing_views.py says it)."""
    if state == "cancelled":
        return "cancelled"
    if signed:
        return "signed"
    if state == "countered":
        return "countered"
    if state == "sent":
        return "awaiting_signature"
    return "revision_in_preparation"  # amended: the next revision is not sent yet


def _po_item(row: Any, today: date) -> dict[str, Any]:
    currency = row["currency"]
    item = {k: v for k, v in row.items()
            if not k.endswith("_minor") and k not in (
                "received", "created_position", "open_alerts", "last_sent_at", "sent_due_date")}
    outstanding = row["invoiced_minor"] - row["paid_minor"] - row["adjusted_minor"]
    item.update(
        total=from_minor(row["total_minor"], currency),
        invoiced=from_minor(row["invoiced_minor"], currency),
        paid=from_minor(row["paid_minor"], currency),
        adjusted=from_minor(row["adjusted_minor"], currency),
        outstanding=from_minor(outstanding, currency),
        overdue=(row["due_date"] < today and not row["fully_received"]
                 and row["state"] != "cancelled"),
    )
    return item


def _supplier_po_item(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"], "revision": row["sent_revision"],
        "status": supplier_status(row["state"], row["signed"]),
        "content_hash": row["content_hash"], "sent_at": row["last_sent_at"],
        "due_date": row["sent_due_date"], "currency": row["currency"],
        "total": from_minor(row["sent_total_minor"], row["currency"]),
    }


def _performance(row: Any, counts: Any, unsigned: Any, now: datetime) -> dict[str, Any]:
    ordered = Decimal(row["ordered_quantity"])
    accepted = Decimal(row["accepted_quantity"])
    return {
        "supplier_id": row["supplier_id"], "supplier_name": row["name"],
        "country": row["country"], "receipts": row["receipts"],
        "lines_due_received": row["lines_due_received"], "lines_on_time": row["lines_on_time"],
        "on_time_rate": _ratio(row["lines_on_time"], row["lines_due_received"]),
        "ordered_quantity": row["ordered_quantity"], "accepted_quantity": row["accepted_quantity"],
        "fill_rate": _ratio(accepted, ordered),
        "rejected_quantity": row["rejected_quantity"],
        "short_deliveries": row["short_deliveries"], "over_deliveries": row["over_deliveries"],
        "price_deviations": row["price_deviations"],
        "invoice_price_deviations": row["invoice_price_deviations"],
        "counter_proposals": row["counter_proposals"], "alerts_raised": row["alerts_raised"],
        "open_alerts": int(counts["open_alerts"]),
        "purchase_orders_sent": int(counts["sent"]),
        "purchase_orders_signed": int(counts["signed_back"]),
        "purchase_orders_placed": int(counts["placed"]),
        "unsigned_purchase_orders": [{
            "id": u["id"], "revision": u["revision"], "state": u["state"],
            "sent_at": u["sent_at"],
            "age_days": (now - datetime.fromisoformat(u["sent_at"])).days,
        } for u in unsigned],
        "position": row["position"],
    }


def _payable(row: Any) -> dict[str, Any]:
    currency = row["currency"]
    invoiced, paid, adjusted = (int(row[k]) for k in ("invoiced", "paid", "adjusted"))
    return {
        "currency": currency, "purchase_orders": int(row["purchase_orders"]),
        "invoiced": from_minor(invoiced, currency), "paid": from_minor(paid, currency),
        "adjusted": from_minor(adjusted, currency),
        "outstanding": from_minor(invoiced - paid - adjusted, currency),
    }


def _board_item(row: Any, today: date) -> dict[str, Any]:
    overdue = row["state"] not in DONE_STATES and row["delivery_date"] < today
    item = {k: v for k, v in row.items() if k not in ("facts", "total_minor")}
    item.update(
        total=from_minor(row["total_minor"], row["currency"]),
        overdue=overdue,
        days_late=(today - row["delivery_date"]).days if overdue else 0,
    )
    return item


def _finance_item(row: Any) -> dict[str, Any]:
    item = {k: v for k, v in row.items() if not k.endswith("_minor")}
    currency = row["currency"]
    for name in ("deposit_due", "deposit_received", "balance_received", "paid",
                 "balance_due", "fees_received"):
        item[name] = from_minor(row[f"{name}_minor"], currency)
    item["contract_amount"] = from_minor(row["contract_minor"], currency)
    return item


def _totals(row: Any) -> dict[str, Any]:
    currency = row["currency"]
    return {
        "currency": currency,
        "orders": int(row["orders"]),
        "contract_amount": from_minor(row["contract"], currency),
        "paid": from_minor(row["paid"], currency),
        "balance_due": from_minor(row["balance_due"], currency),
        "fees_received": from_minor(row["fees"], currency),
    }


def _audit_item(row: Any) -> dict[str, Any]:
    return {
        "position": row["position"], "type": row["type"], "order_id": row["order_id"],
        "aggregate_id": row["aggregate_id"], "aggregate_type": row["aggregate_type"],
        "version": row["version"], "occurred_at": row["occurred_at"],
        "actor": {"sub": row["actor_sub"], "role": row["actor_role"]}, "data": row["data"],
    }
