"""The read side (SPEC.md §5): progress board, finance tracking, audit trail,
the delay-cause report and the QC board from the projections, and the event
feed straight from the event store.

Every projection read accepts ``min_position``: it answers once the read
models have applied that global position (a client reads its own writes),
or with 503 + Retry-After after ``read_wait_seconds``. A position the event
store has not reached yet is a 422 at once (no write was answered with it),
and past ``read_waiters_max`` waiting reads a 503 at once.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from app.api.csv_lists import (
    Format,
    csv_responses,
    paged_or_csv,
    rows_csv,
    streamed_csv,
    wants_csv,
)
from app.api.deps import GendanDep, ReadsDep
from app.api.feed_wait import MAX_WAIT_SECONDS, FeedWatchDep
from app.api.fields import InspectionResult, IsoDate, IsoDateTime, OrderState, Risk
from app.api.permissions import ReadAudit, ReadBoards, ReadFeed, ReadMoney, as_seen_by
from app.api.schemas.lists import DelayCauseRow
from app.api.schemas.problems import PROBLEM_RESPONSES
from app.api.schemas.reads import (
    AuditPage,
    BoardPage,
    DelayCauses,
    EventsPage,
    FeedEvent,
    FinanceOrdersPage,
    FinanceSummary,
    InspectionsPage,
    InspectionStage,
)
from app.projections.reads import ReadModels

router = APIRouter(prefix="/v1", tags=["reads"])

Limit = Annotated[int, Query(ge=1, le=500, description="Page size, at most 500")]
# Positions are 64-bit integers in both stores; a larger one is a 422, not a 500.
MAX_POSITION = 2**63 - 1
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
MinPosition = Annotated[int | None, Query(
    ge=0, le=MAX_POSITION,
    description="Answer once the projections have applied this global position "
                "(the `position` of a command's answer), else 503 after a few seconds. "
                "A position past the event store's last one is refused at once (422): "
                "no command was answered with it. 503 at once when too many reads wait.",
)]
# Free text compared with what the read models hold: no control character
# (PostgreSQL cannot hold NUL: asyncpg refused it with a 500, SQLite looked),
# so both stores answer the same 422.
NO_CONTROLS = r"^[^\x00-\x1F\x7F]*$"
READ_PROBLEMS = {code: PROBLEM_RESPONSES[code] for code in (401, 403, 422, 503)}


async def _caught_up(request: Request, reads: ReadModels, min_position: int | None) -> None:
    if min_position is None:
        return
    boot = request.app.state.boot
    # An in-process runner would see the new events at its next poll; poke it.
    if boot.runner is not None:
        boot.runner.wake()
    # Asked only when the read models are behind min_position.
    await reads.wait_for(min_position, lambda: run_in_threadpool(boot.gendan.last_position))


@router.get("/board", operation_id="getBoard", responses=csv_responses(READ_PROBLEMS))
async def get_board(
    request: Request, _: ReadBoards, reads: ReadsDep,
    state: Annotated[OrderState | None, Query(
        description="Only orders in this state (closed and cancelled included); "
                    "default: every open order")] = None,
    customer_id: UUID | None = None,
    overdue: Annotated[bool | None, Query(
        description="true: past the delivery date and not shipped/closed/cancelled; "
                    "false: the others")] = None,
    owner: Annotated[str | None, Query(
        max_length=500, pattern=NO_CONTROLS, description="The `sub` who created the order",
    )] = None,
    risk: Annotated[Risk | None, Query(
        description="Only orders at this risk on today's date (see `risk` in the rows)",
    )] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> BoardPage:
    """The progress board, one row per order, by delivery date."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(request, format_, BoardPage, lambda limit, cursor: reads.board(
        state=state, customer_id=str(customer_id) if customer_id else None,
        overdue=overdue, owner=owner, limit=limit, cursor=cursor, risk=risk,
    ), limit, cursor, "board")


@router.get("/production/delay-causes", operation_id="getDelayCauses",
            responses=csv_responses(READ_PROBLEMS))
async def get_delay_causes(
    request: Request, _: ReadBoards, reads: ReadsDep,
    since: Annotated[IsoDate | None, Query(
        description="Inclusive: delays reported on or after this day (UTC)")] = None,
    until: Annotated[IsoDate | None, Query(
        description="Inclusive: delays reported on or before this day (UTC)")] = None,
    min_position: MinPosition = None, format_: Format = None,
) -> DelayCauses:
    """Delays and days lost per cause and per responsible party (issue 11):
    the merchandiser's "find the cause" and the weekly review's Pareto. As
    CSV, a row per cause and then per responsible party (`by`: `cause` or
    `responsible`)."""
    if since is not None and until is not None and since > until:
        raise RequestValidationError([{
            "loc": ("query", "until"), "type": "date_before_since",
            "msg": f"until ({until}) is before since ({since})"}])
    await _caught_up(request, reads, min_position)
    causes = DelayCauses.model_validate(await reads.delay_causes(since, until))
    if wants_csv(request, format_):
        return rows_csv(DelayCauseRow, [
            *({"by": "cause", "name": c.cause, "count": c.count, "days": c.days}
              for c in causes.by_cause),
            *({"by": "responsible", "name": r.responsible, "count": r.count, "days": r.days}
              for r in causes.by_responsible)], "delay-causes")
    return causes


def _factory_id(value: str | None) -> str | None:
    """A supplier's id as the read models hold it, or ``own``; else 422."""
    if value is None or value == "own":
        return value
    try:
        return str(UUID(value))
    except ValueError:
        raise RequestValidationError([{
            "loc": ("query", "factory_id"), "type": "factory_id",
            "msg": "a supplier's id, or 'own' for the own workshops"}]) from None


@router.get("/inspections", operation_id="listInspections",
            responses=csv_responses(READ_PROBLEMS))
async def list_inspections(
    request: Request, _: ReadBoards, reads: ReadsDep,
    stage: Annotated[InspectionStage | None, Query(
        description="Only inspections of this stage (`incoming`: a PO's delivery)")] = None,
    result: InspectionResult | None = None,
    factory_id: Annotated[str | None, Query(
        max_length=64, pattern=NO_CONTROLS,
        description="Only lots made by this supplier (its id), or `own` for the company's "
                    "own workshops")] = None,
    since: Annotated[IsoDate | None, Query(
        description="Inclusive: inspected on or after this day")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> InspectionsPage:
    """The QC board (issue 12): every inspection of an order or of a PO's
    delivery, in the order recorded, with its result, defects per class,
    corrective actions still open and any concession."""
    factory = _factory_id(factory_id)
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, InspectionsPage,
        lambda limit, cursor: reads.inspections(stage=stage, result=result, factory_id=factory,
                                                since=since, limit=limit, cursor=cursor),
        limit, cursor, "inspections")


@router.get("/finance/orders", operation_id="listFinanceOrders",
            responses=csv_responses(READ_PROBLEMS))
async def list_finance_orders(
    request: Request, _: ReadMoney, reads: ReadsDep,
    customer_id: UUID | None = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> FinanceOrdersPage:
    """Money per order, in order of creation."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, FinanceOrdersPage, lambda limit, cursor: reads.finance_orders(
            customer_id=str(customer_id) if customer_id else None, currency=currency,
            limit=limit, cursor=cursor,
        ), limit, cursor, "finance-orders")


@router.get("/finance/summary", operation_id="getFinanceSummary", responses=READ_PROBLEMS)
async def get_finance_summary(
    request: Request, _: ReadMoney, reads: ReadsDep, min_position: MinPosition = None,
) -> FinanceSummary:
    """Totals per currency and per customer and currency (cancelled orders left out)."""
    await _caught_up(request, reads, min_position)
    return FinanceSummary.model_validate(await reads.finance_summary())


@router.get("/audit", operation_id="listAudit", responses=csv_responses(READ_PROBLEMS))
async def list_audit(
    request: Request, principal: ReadAudit, reads: ReadsDep,
    order_id: UUID | None = None,
    actor: Annotated[str | None, Query(
        max_length=500, pattern=NO_CONTROLS, description="The actor's `sub`")] = None,
    type_: Annotated[str | None, Query(
        alias="type", max_length=64, pattern=NO_CONTROLS,
        description="Event type, e.g. `OrderConfirmed`")] = None,
    since: Annotated[IsoDateTime | None, Query(
        description="Inclusive; ISO 8601 with a UTC offset (a naive time is refused)")] = None,
    until: Annotated[IsoDateTime | None, Query(
        description="Exclusive; ISO 8601 with a UTC offset")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> AuditPage:
    """Every event: who, when, what, which order; in position order. To a
    `bi` token a signed request's `evidence` reads `{"redacted": true,
    "sha256": <hex SHA-256 of its RFC 8785 JSON>}`."""
    await _caught_up(request, reads, min_position)

    async def fetch(limit: int, cursor: str | None) -> dict:
        page = await reads.audit(
            order_id=str(order_id) if order_id else None, actor=actor, type_=type_,
            since=since, until=until, limit=limit, cursor=cursor,
        )
        return {**page, "data": as_seen_by(principal, page["data"])}

    return await paged_or_csv(request, format_, AuditPage, fetch, limit, cursor, "audit")


# The feed as CSV: one row per event, its payload as compact JSON in one cell.
FEED_COLUMNS: list[tuple[str, str, str | None]] = [
    (name, name, None) for name in
    ("position", "type", "aggregate_type", "aggregate_id", "order_id", "version", "occurred_at")
] + [("actor_sub", "actor", "sub"), ("actor_role", "actor", "role"),
     ("class_version", "class_version", None), ("data", "data", None)]


@router.get("/events", operation_id="listEvents", responses=csv_responses(READ_PROBLEMS))
async def list_events(
    request: Request, principal: ReadFeed, gendan: GendanDep, watch: FeedWatchDep,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                description="A position: events after it")] = 0,
    limit: Limit = 50,
    wait: Annotated[int, Query(
        ge=0, le=MAX_WAIT_SECONDS,
        description=f"Long-poll: with no event after `after` yet, answer as soon as one is "
                    f"recorded, or an empty page after this many seconds (at most "
                    f"{MAX_WAIT_SECONDS}). 503 at once when too many requests wait. "
                    f"Not with CSV (422).")] = 0,
    format_: Format = None,
) -> EventsPage:
    """The event feed, from the event store itself, in strictly increasing
    position. Pass `next_cursor` as `after` for the next page; at the end,
    `wait=` holds the request until the next event. To a `bi` token a
    signed request's `evidence` reads `{"redacted": true, "sha256": <hex
    SHA-256 of its RFC 8785 JSON>}`.

    As CSV (`?format=csv` or `Accept: text/csv`): every event after `after`
    up to the CSV row limit (`CSV-Max-Rows`), streamed; columns position,
    type, aggregate_type, aggregate_id, order_id, version, occurred_at,
    actor_sub, actor_role, class_version and data (the payload as compact
    JSON). A download does not wait: `wait` with CSV is a 422."""

    async def fetch(limit: int, after: int) -> dict:
        # one more: has_more is exact
        events = await run_in_threadpool(gendan.feed.read, after, limit + 1)
        return _page(events, limit)

    def _page(events: list, limit: int) -> dict:
        has_more = len(events) > limit
        events = events[:limit]
        next_cursor = events[-1]["position"] if len(events) == limit else None
        return {"data": as_seen_by(principal, events), "next_cursor": next_cursor,
                "has_more": has_more}

    if wants_csv(request, format_):
        if wait:
            raise RequestValidationError([{
                "loc": ("query", "wait"), "type": "wait_with_csv",
                "msg": "a CSV download does not wait: leave out wait, or ask for JSON"}])
        return streamed_csv(request, FeedEvent, fetch, after, "events", spread=FEED_COLUMNS)
    events = await run_in_threadpool(gendan.feed.read, after, limit + 1)
    if not events and wait and await watch.wait_past(after, wait):
        events = await run_in_threadpool(gendan.feed.read, after, limit + 1)
    return EventsPage.model_validate(_page(events, limit))
