"""Customers: who orders, and the region their country lies in (G3 needs it)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from app.api.conditions import Keyed
from app.api.deps import GendanDep
from app.api.links import CUSTOMER_LINKS
from app.api.permissions import ReadOrders, RegisterCustomers, actor
from app.api.routes.order_common import rendered
from app.api.schemas.customers import CustomerCreate, CustomerPublic
from app.api.schemas.problems import CREATED, PROBLEM_RESPONSES

router = APIRouter(prefix="/v1", tags=["customers"])


def _responses(*codes: int) -> dict[int | str, dict]:
    return {code: PROBLEM_RESPONSES[code] for code in codes}


@router.post(
    "/customers", status_code=201, operation_id="createCustomer",
    responses={**_responses(401, 403, 413, 422), 201: {"links": CUSTOMER_LINKS, **CREATED}},
)
def create_customer(body: CustomerCreate, gendan: GendanDep, keyed: Keyed,
                    principal: RegisterCustomers, response: Response) -> CustomerPublic:
    """Register a customer; its region follows from the ISO 3166 country."""
    result = gendan.customers.register_customer(body.name, body.country, actor(principal),
                                                keyed)
    response.headers["Location"] = f"/v1/customers/{result.view['id']}"
    response.headers["ETag"] = f'"{result.version}"'  # as every command answers
    if result.replayed:  # the answer of an earlier request with this Idempotency-Key
        response.headers["Idempotency-Replayed"] = "true"
    return rendered(CustomerPublic.model_validate(result.view), response, 201)


@router.get(
    "/customers/{customer_id}", operation_id="getCustomer",
    responses=_responses(401, 403, 404, 422),
)
def get_customer(customer_id: UUID, gendan: GendanDep, principal: ReadOrders,
                 response: Response) -> CustomerPublic:
    """A customer, read from the event store."""
    view = gendan.customers.get_customer(customer_id)
    response.headers["ETag"] = f'"{view["version"]}"'  # If-None-Match: 304 (app.api.conditional)
    return CustomerPublic.model_validate(view)
