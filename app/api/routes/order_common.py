"""What the command routes share: the problem answers they document, the
empty body of commands that take none, and how a command's result becomes
the answer.

The answer is rendered here, once, and returned as a ``Response``: FastAPI
then sends it as it is. A returned model would be validated again against
the route's response model and, for a plain ``def`` route, in one more trip
through the threadpool before FastAPI dumps it (issue 14). The route's
return annotation still names the model, so openapi.json is unchanged, and
the bytes are those FastAPI writes: pydantic's JSON of the model by alias
(tests/unit/test_lean_commands.py checks each route's model and status)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Response
from pydantic import BaseModel

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
           model: type[OrderPublic] = OrderPublic, *, status: int = 200) -> Any:
    """The aggregate after the command, with ``ETag`` so a client can tell
    which version it holds (mobile apps retry; the version tells them what
    landed). ``status``: the route's own (201 for the creating ones), since
    a returned Response carries its status."""
    response.headers["ETag"] = f'"{result.version}"'
    if result.replayed:  # the answer of an earlier request with this Idempotency-Key
        response.headers["Idempotency-Replayed"] = "true"
    return rendered(model.from_view(result.view, result.position, **(result.extra or {})),
                    response, status)


def rendered(body: BaseModel, response: Response, status: int = 200) -> Response:
    """``body`` as FastAPI would send it (JSON by alias), with the headers a
    route set on its injected ``response`` (Location, ETag...)."""
    out = Response(body.__pydantic_serializer__.to_json(body, by_alias=True),
                   status_code=status, media_type="application/json")
    out.headers.raw.extend(response.headers.raw)  # as FastAPI merges them
    return out
