"""What the command routes share: the problem answers they document, the
empty body of commands that take none, and how a command's result becomes
the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Response

from app.api.schemas.common import Empty
from app.api.schemas.orders import OrderPublic
from app.api.schemas.problems import PROBLEM_RESPONSES
from app.application.dto import CommandResult

RESPONSES: dict[int | str, dict[str, Any]] = {
    code: PROBLEM_RESPONSES[code] for code in (401, 403, 404, 409, 412, 413, 422)
}

# `{}` commands also accept an empty request body: an optional `Empty`
# object, not `anyOf[Empty, null]`, which a generated Python client could
# not call (openapi-python-client 0.29). JSON `null` is refused.
NoInput = Annotated[Empty, Body(description="Nothing to send: `{}` or no body at all")]


def answer(response: Response, result: CommandResult,
           model: type[OrderPublic] = OrderPublic) -> Any:
    """The aggregate after the command, with ``ETag`` so a client can tell
    which version it holds (mobile apps retry; the version tells them what
    landed)."""
    response.headers["ETag"] = f'"{result.version}"'
    if result.replayed:  # the answer of an earlier request with this Idempotency-Key
        response.headers["Idempotency-Replayed"] = "true"
    return model.from_view(result.view, result.position, **(result.extra or {}))
