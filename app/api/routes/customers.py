"""Customers: who orders, and the region their country lies in (G3 needs it)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from app.api.auth import STAFF_ROLES, Principal, require_roles
from app.api.conditions import Keyed
from app.api.deps import GendanDep
from app.api.errors import PROBLEM_RESPONSES
from app.api.links import CUSTOMER_LINKS
from app.api.schemas import CustomerCreate, CustomerPublic
from app.domain.values import Actor

router = APIRouter(prefix="/v1", tags=["customers"])

Registrar = Annotated[Principal, Depends(require_roles("supervisor", "manager"))]
Reader = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, "bi"))]


def _responses(*codes: int) -> dict[int | str, dict]:
    return {code: PROBLEM_RESPONSES[code] for code in codes}


@router.post(
    "/customers", status_code=201, operation_id="createCustomer",
    responses={**_responses(401, 403, 413, 422), 201: {"links": CUSTOMER_LINKS}},
)
def create_customer(body: CustomerCreate, gendan: GendanDep, keyed: Keyed, principal: Registrar,
                    response: Response) -> CustomerPublic:
    """Register a customer; its region follows from the ISO 3166 country."""
    customer = gendan.register_customer(
        body.name, body.country, Actor(principal.sub, principal.role), keyed=keyed
    )
    response.headers["Location"] = f"/v1/customers/{customer['id']}"
    return CustomerPublic.model_validate(customer)


@router.get(
    "/customers/{customer_id}", operation_id="getCustomer",
    responses=_responses(401, 403, 404, 422),
)
def get_customer(customer_id: UUID, gendan: GendanDep, principal: Reader) -> CustomerPublic:
    """A customer, read from the event store."""
    return CustomerPublic.model_validate(gendan.get_customer(customer_id))
