"""Lookups (issue 13, item 4): the customer list with a name search, and an
order found by its reference. Both read the projections (staff and bi, as
the board), accept ``min_position`` and answer CSV as every list does."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from app.api.csv_lists import Format, csv_responses, paged_or_csv
from app.api.deps import ReadsDep
from app.api.permissions import ReadBoards
from app.api.routes.reads import NO_CONTROLS, READ_PROBLEMS, Cursor, Limit, MinPosition, _caught_up
from app.api.schemas.lists import CustomersPage
from app.api.schemas.reads import BoardPage

router = APIRouter(prefix="/v1")


@router.get("/customers", operation_id="listCustomers", tags=["customers"],
            responses=csv_responses(READ_PROBLEMS))
async def list_customers(
    request: Request, _: ReadBoards, reads: ReadsDep,
    name: Annotated[str | None, Query(
        min_length=1, max_length=200, pattern=NO_CONTROLS,
        description="Only customers whose name holds this text, case aside (Unicode case "
                    "folding: `strasse` finds `Straße`)")] = None,
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$",
                                         description="ISO 3166-1 alpha-2")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> CustomersPage:
    """The customers, by name (from the customers' read model)."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(request, format_, CustomersPage, lambda limit, cursor:
                              reads.customers(name=name, country=country, limit=limit,
                                              cursor=cursor), limit, cursor, "customers")


@router.get("/orders", operation_id="findOrders", tags=["orders"],
            responses=csv_responses(READ_PROBLEMS))
async def find_orders(
    request: Request, _: ReadBoards, reads: ReadsDep,
    reference: Annotated[str, Query(
        min_length=1, max_length=100, pattern=NO_CONTROLS,
        description="The order's reference, exactly but for case")],
    customer_id: Annotated[UUID | None, Query(
        description="Only this customer's order (a reference is unique per customer)")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> BoardPage:
    """The orders with this reference (case aside; closed and cancelled ones
    too), as their board rows: state, owner, dates, risk, blockers. Open one
    with `getOrder` (its `order_id`) for the whole order."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, BoardPage, lambda limit, cursor: reads.orders_by_reference(
            reference, customer_id=str(customer_id) if customer_id else None,
            limit=limit, cursor=cursor), limit, cursor, "orders")
