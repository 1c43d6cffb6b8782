"""What the order routes share: the problem answers they document, common
roles, the actor they record, and how a command's result becomes the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, Depends, Response

from app.api.auth import Principal, require_roles
from app.api.errors import PROBLEM_RESPONSES
from app.api.schemas import Empty, OrderPublic
from app.api.conditions import Preconditions
from app.application import CommandResult, Gendan
from app.domain.order import Order
from app.domain.values import Actor

RESPONSES: dict[int | str, dict[str, Any]] = {
    code: PROBLEM_RESPONSES[code] for code in (401, 403, 404, 409, 412, 413, 422)
}

# Roles that several rows of the HTTP contract table share.
SupervisorOrManager = Annotated[Principal, Depends(require_roles("supervisor", "manager"))]
Manager = Annotated[Principal, Depends(require_roles("manager"))]
# `{}` commands also accept an empty request body.
NoInput = Annotated[Empty | None, Body()]


def actor(principal: Principal) -> Actor:
    return Actor(principal.sub, principal.role)


def run(gendan: Gendan, order_id: UUID, cond: Preconditions, response: Response,
        command: Callable[[Order], Any], model: type[OrderPublic] = OrderPublic) -> Any:
    """One command on one order, honouring Idempotency-Key and If-Match."""
    result = gendan.update_order(order_id, command, keyed=cond.keyed, if_match=cond.if_match)
    return answer(response, result, model)


def answer(response: Response, result: CommandResult,
           model: type[OrderPublic] = OrderPublic) -> Any:
    """The order after the command, with ``ETag`` so a client can tell which
    version it holds (mobile apps retry; the version tells them what landed)."""
    response.headers["ETag"] = f'"{result.version}"'
    if result.replayed:  # the answer of an earlier request with this Idempotency-Key
        response.headers["Idempotency-Replayed"] = "true"
    return model.from_view(result.order, result.position, **(result.extra or {}))
