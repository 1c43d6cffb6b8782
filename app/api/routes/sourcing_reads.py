"""The sourcing reads (SPEC.md §5): suppliers, the PO board, the supplier
portal's list of POs, supplier performance and payables, from the read
models. Every read accepts ``min_position`` as the other read routes do."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from app.api.csv_lists import Format, csv_responses, paged_or_csv, rows_csv, wants_csv
from app.api.deps import ReadsDep
from app.api.fields import PurchaseOrderState
from app.api.permissions import ActAsSupplier, ReadBoards, ReadMoney
from app.api.ratelimit import TOO_MANY_REQUESTS, portal_rate_limit
from app.api.routes.reads import READ_PROBLEMS, Cursor, Limit, MinPosition, _caught_up
from app.api.schemas.problems import PROBLEM_RESPONSES
from app.api.schemas.sourcing_reads import (
    Payables,
    PurchaseOrderRowsPage,
    SupplierPayables,
    SupplierPerformance,
    SupplierPortalPurchaseOrdersPage,
    SuppliersPage,
)

router = APIRouter(prefix="/v1", tags=["sourcing reads"])


@router.get("/suppliers", operation_id="listSuppliers", responses=csv_responses(READ_PROBLEMS))
async def list_suppliers(
    request: Request, _: ReadBoards, reads: ReadsDep,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> SuppliersPage:
    """The suppliers, by name."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(request, format_, SuppliersPage, lambda limit, cursor:
                              reads.suppliers(limit=limit, cursor=cursor),
                              limit, cursor, "suppliers")


@router.get("/purchase-orders", operation_id="listPurchaseOrders",
            responses=csv_responses(READ_PROBLEMS))
async def list_purchase_orders(
    request: Request, _: ReadBoards, reads: ReadsDep,
    supplier_id: UUID | None = None,
    order_id: Annotated[UUID | None, Query(
        description="Only the POs serving this customer order")] = None,
    state: PurchaseOrderState | None = None,
    signed: Annotated[bool | None, Query(
        description="true: placed (the current revision is signed back); false: the others"
    )] = None,
    overdue: Annotated[bool | None, Query(
        description="true: past the earliest delivery date, not every line received and "
                    "not cancelled; false: the others")] = None,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> PurchaseOrderRowsPage:
    """The PO board, one row per purchase order, in order of drafting: state,
    revisions sent and signed back, receipts, invoiced, paid and open alerts."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, PurchaseOrderRowsPage, lambda limit, cursor: reads.purchase_orders(
            supplier_id=str(supplier_id) if supplier_id else None,
            order_id=str(order_id) if order_id else None, state=state, signed=signed,
            overdue=overdue, limit=limit, cursor=cursor,
        ), limit, cursor, "purchase-orders")


# Rate limited like every other portal request (app/api/ratelimit.py).
@router.get("/supplier/purchase-orders", operation_id="listMyPurchaseOrders",
            tags=["supplier portal"],
            responses=csv_responses({**READ_PROBLEMS, 429: TOO_MANY_REQUESTS}),
            dependencies=[Depends(portal_rate_limit)])
async def list_my_purchase_orders(
    request: Request, principal: ActAsSupplier, reads: ReadsDep,
    limit: Limit = 50, cursor: Cursor = None, min_position: MinPosition = None,
    format_: Format = None,
) -> SupplierPortalPurchaseOrdersPage:
    """The purchase orders sent to you, in order of drafting, each as its
    latest revision sent: its `status`, `content_hash` and total. Open one
    with `getMyPurchaseOrder` to read the content you sign."""
    await _caught_up(request, reads, min_position)
    return await paged_or_csv(
        request, format_, SupplierPortalPurchaseOrdersPage,
        lambda limit, cursor: reads.supplier_purchase_orders(
            principal.supplier_id or "", limit=limit, cursor=cursor),
        limit, cursor, "my-purchase-orders")


@router.get("/suppliers/{supplier_id}/performance", operation_id="getSupplierPerformance",
            responses={**READ_PROBLEMS, 404: PROBLEM_RESPONSES[404]})
async def get_supplier_performance(
    request: Request, supplier_id: UUID, _: ReadBoards, reads: ReadsDep,
    min_position: MinPosition = None,
) -> SupplierPerformance:
    """A supplier's delivery record: on-time and fill rates, short and over
    deliveries, price deviations, counter-proposals, and its POs sent but
    not signed back with their age in days."""
    await _caught_up(request, reads, min_position)
    return SupplierPerformance.model_validate(await reads.supplier_performance(str(supplier_id)))


@router.get("/finance/payables", operation_id="getPayables",
            responses=csv_responses(READ_PROBLEMS))
async def get_payables(
    request: Request, _: ReadMoney, reads: ReadsDep, min_position: MinPosition = None,
    format_: Format = None,
) -> Payables:
    """What is owed to suppliers: invoiced, paid, adjusted (withheld) and
    outstanding, per supplier and currency and per currency. POs never sent
    are left out; cancelled POs count what was invoiced or paid on them. As
    CSV, the rows per supplier and currency."""
    await _caught_up(request, reads, min_position)
    payables = Payables.model_validate(await reads.payables())
    if wants_csv(request, format_):
        return rows_csv(SupplierPayables, payables.suppliers, "payables")
    return payables
