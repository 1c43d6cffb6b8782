"""Queries on the read models, asynchronous (asyncpg / aiosqlite), for the
API's read routes. They read the rm_* tables only, never the event store.

Lists are keyset-paginated (app/projections/paging.py); the sourcing
queries are in app/projections/sourcing_reads.py, the QC board's in
app/projections/quality_reads.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import and_, bindparam, func, not_, or_, select, tuple_
from sqlalchemy.ext.asyncio import create_async_engine

from app.application.breaker import GuardedEngine, shared_breaker
from app.config import Settings
from app.domain.order import FINAL_STATES
from app.domain.values import utc_text
from app.projections import production
from app.projections.board import lc_blockers
from app.projections.lookups import LookupReads
from app.projections.common import DONE_STATES, from_minor
from app.projections.paging import _page, decode_cursor, encode_cursor
from app.projections.quality_reads import QualityReads
from app.projections.reports import ReportReads
from app.projections.sourcing_reads import SourcingReads
from app.projections.tables import audit, board, delays, finance, tracking
from app.projections.waiting import PositionAhead, PositionWatch

# How often the one shared poller reads the position while anyone waits.
_POLL_SECONDS = 0.02
__all__ = ["ReadModels", "board_query", "decode_cursor", "encode_cursor"]


def board_query(today: date, state: str | None = None, customer_id: str | None = None,
                overdue: bool | None = None, owner: str | None = None, limit: int = 50,
                cursor: str | None = None, risk: str | None = None) -> Any:
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
    if risk is not None:
        query = query.where(_risk_condition(risk, today))
    if cursor is not None:
        after_date, after_id = decode_cursor(cursor, (date, str))
        # A row value: both stores seek the index to it (an OR of the two
        # comparisons made them walk every row before the cursor).
        query = query.where(
            tuple_(board.c.delivery_date, board.c.order_id) > (after_date, after_id))
    return query


def _risk_condition(risk: str, today: date) -> Any:
    """production.risk() in SQL, on the stored columns (none is null but
    next_milestone_on, spelled out so that no condition is ever NULL)."""
    done = board.c.state.in_(_literals("risk_done", DONE_STATES))
    red = and_(not_(done), or_(board.c.plan_risk == production.RED, board.c.agreed_on < today))
    milestone_late = and_(board.c.next_milestone_on.is_not(None),
                          board.c.next_milestone_on < today)
    amber = and_(not_(done), board.c.plan_risk != production.RED, board.c.agreed_on >= today,
                 or_(board.c.plan_risk == production.AMBER, milestone_late))
    if risk == production.RED:
        return red
    if risk == production.AMBER:
        return amber
    return and_(not_(red), not_(amber))


def _literals(name: str, values: tuple[str, ...]) -> Any:
    """Constants written into the SQL text, not bound: a partial index
    (ix_rm_board_open) is used only when the query spells its condition."""
    return bindparam(name, values, expanding=True, literal_execute=True)


class ReadModels(SourcingReads, QualityReads, LookupReads, ReportReads):
    """The queries of every read route (the sourcing ones in SourcingReads,
    the QC board in QualityReads, the customer list and the order lookup in
    LookupReads, the reports in ReportReads)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.sqlalchemy_url(asynchronous=True)
        # PostgreSQL: behind the process's circuit breaker (refused at once
        # while the database is down), connecting and each statement bounded.
        self.breaker = shared_breaker(settings)
        if settings.is_postgres:
            self._engine = GuardedEngine(create_async_engine(
                url, pool_pre_ping=True,
                connect_args={"timeout": settings.postgres_connect_timeout_seconds,
                              "command_timeout": settings.read_statement_timeout_seconds},
            ), self.breaker)
        else:
            # The runner and the library write the same file: wait for locks.
            self._engine = create_async_engine(url, connect_args={"timeout": 30})
        self.watch = PositionWatch(self.position, poll_seconds=_POLL_SECONDS,
                                   max_waiters=settings.read_waiters_max)

    async def close(self) -> None:
        await self.watch.close()
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

    async def wait_for(self, min_position: int | None,
                       last_position: Callable[[], Awaitable[int]] | None = None) -> None:
        """Return once every read model has applied ``min_position``.

        A position past the event store's ``last_position`` was never
        handed out (a writer's is at most the last), so waiting could not
        reach it: PositionAhead at once. Otherwise wait on the shared
        watch: NotReady after ``read_wait_seconds``, TooManyWaiters past
        ``read_waiters_max``."""
        if not min_position:
            return
        reached = await self.position()
        self.watch.saw(reached)
        if reached >= min_position:
            return
        if last_position is not None and min_position > (last := await last_position()):
            raise PositionAhead(min_position, last)
        await self.watch.wait(min_position, self.settings.read_wait_seconds)

    # ---- the progress board ------------------------------------------------------
    @staticmethod
    def board_item(row: Any, today: date) -> dict[str, Any]:
        """A board row as the board answers it (the lookups answer it so too)."""
        return _board_item(row, today)

    async def board(self, state: str | None = None, customer_id: str | None = None,
                    overdue: bool | None = None, owner: str | None = None, limit: int = 50,
                    cursor: str | None = None, risk: str | None = None) -> dict[str, Any]:
        today = datetime.now(timezone.utc).date()
        rows = await self._all(board_query(today, state, customer_id, overdue, owner, limit,
                                           cursor, risk))
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

    # ---- production: the delay-cause report ------------------------------------------------
    async def delay_causes(self, since: date | None = None,
                           until: date | None = None) -> dict[str, Any]:
        """Delays reported from ``since`` to ``until`` (both inclusive, on
        the day reported), counted with their days lost per cause and per
        responsible party: the Pareto of issue 11."""
        window = []
        if since is not None:
            window.append(delays.c.reported_on >= since)
        if until is not None:
            window.append(delays.c.reported_on <= until)
        sums = (func.count().label("count"), func.sum(delays.c.days).label("days"))
        found = {}
        for column in (delays.c.cause, delays.c.responsible):
            rows = await self._all(select(column, *sums).where(*window).group_by(column))
            found[column.name] = {r[column.name]: (int(r["count"]), int(r["days"]))
                                  for r in rows}
        per_cause = found["cause"]
        return {
            "since": since, "until": until,
            "total": {"count": sum(c for c, _ in per_cause.values()),
                      "days": sum(d for _, d in per_cause.values())},
            "by_cause": production.pareto(per_cause, production.CAUSES, "cause"),
            "by_responsible": production.pareto(found["responsible"], production.RESPONSIBLE,
                                                "responsible"),
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
            query = query.where(audit.c.occurred_at >= utc_text(since))
        if until is not None:
            query = query.where(audit.c.occurred_at < utc_text(until))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(audit.c.position > after)
        rows = await self._all(query)
        return _page(rows, limit, _audit_item, lambda r: [r["position"]])


def _board_item(row: Any, today: date) -> dict[str, Any]:
    overdue = row["state"] not in DONE_STATES and row["delivery_date"] < today
    item = {k: v for k, v in row.items()
            if k not in ("facts", "total_minor", "plan_risk", "reference_key")}
    item.update(
        # Issue 10: an L/C's latest shipment date near, read on today's date.
        blockers=[*row["blockers"], *lc_blockers(row["state"], row["facts"], today)],
        total=from_minor(row["total_minor"], row["currency"]),
        overdue=overdue,
        # Issue 11: against the plan when there is one.
        days_late=production.days_late(row["state"], row["facts"], row["delivery_date"],
                                       row["next_milestone_on"], today),
        risk=production.risk(row["state"], row["plan_risk"], row["agreed_on"],
                             row["next_milestone_on"], today),
    )
    item["attention"] = production.attention(item["risk"], row["facts"])
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
