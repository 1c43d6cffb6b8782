"""Reports (issue 13, item 7): the three questions an analyst asked first,
from the projections, as JSON or CSV. Orders by state and late orders are
read as the board is (staff and bi); payments as finance is (the staff who
answer for money, and bi)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError

from app.api.csv_lists import Format, csv_responses, paged_or_csv, rows_csv, wants_csv
from app.api.deps import ReadsDep
from app.api.fields import IsoDate, PaymentGrouping
from app.api.permissions import ReadBoards, ReadMoney
from app.api.routes.reads import NO_CONTROLS, READ_PROBLEMS, Cursor, Limit, MinPosition, _caught_up
from app.api.schemas.reports import (
    LateOrdersPage,
    OrdersByState,
    OrdersInState,
    PaymentGroup,
    PaymentsReport,
)

router = APIRouter(prefix="/v1/reports", tags=["reports"])
RESPONSES = csv_responses(READ_PROBLEMS)


@router.get("/orders-by-state", operation_id="getOrdersByState", responses=RESPONSES)
async def orders_by_state(
    request: Request, _: ReadBoards, reads: ReadsDep, min_position: MinPosition = None,
    format_: Format = None,
) -> OrdersByState:
    """How many orders are in each state, and their total, per currency."""
    await _caught_up(request, reads, min_position)
    report = OrdersByState.model_validate(await reads.orders_by_state())
    if wants_csv(request, format_):
        return rows_csv(OrdersInState, report.data, "orders-by-state")
    return report


@router.get("/payments", operation_id="getPaymentsReport", responses=RESPONSES)
async def payments(
    request: Request, _: ReadMoney, reads: ReadsDep,
    since: Annotated[IsoDate | None, Query(
        description="Inclusive: payments received on or after this day")] = None,
    until: Annotated[IsoDate | None, Query(
        description="Inclusive: payments received on or before this day")] = None,
    group_by: PaymentGrouping = "currency",
    min_position: MinPosition = None, format_: Format = None,
) -> PaymentsReport:
    """Deposits, balances and fees received in the window (by the day each
    was received, not the day it was recorded), counted and summed exactly
    per currency, per customer and currency, or per kind and currency."""
    if since is not None and until is not None and since > until:
        raise RequestValidationError([{
            "loc": ("query", "until"), "type": "date_before_since",
            "msg": f"until ({until}) is before since ({since})"}])
    await _caught_up(request, reads, min_position)
    report = PaymentsReport.model_validate(await reads.payments(since, until, group_by))
    if wants_csv(request, format_):
        return rows_csv(PaymentGroup, report.data, f"payments-by-{group_by}")
    return report


@router.get("/late-orders", operation_id="listLateOrders", responses=RESPONSES)
async def late_orders(
    request: Request, _: ReadBoards, reads: ReadsDep,
    owner: Annotated[str | None, Query(
        max_length=500, pattern=NO_CONTROLS, description="Only this owner's orders")] = None,
    customer_id: UUID | None = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> LateOrdersPage:
    """Orders not shipped (nor closed or cancelled) past the ex-factory date
    the customer agreed to, with their days late, owner and customer; most
    days late first."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, LateOrdersPage, lambda limit, cursor: reads.late_orders(
            owner=owner, customer_id=str(customer_id) if customer_id else None,
            limit=limit, cursor=cursor), limit, cursor, "late-orders")
