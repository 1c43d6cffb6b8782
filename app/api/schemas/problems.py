"""The problem+json model (RFC 9457) as OpenAPI documents it, and the
``responses=`` a route lists for the problems it may answer. The answers
themselves are built in ``app.api.errors``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemFieldError(BaseModel):
    field: str
    message: str
    type: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    rule: str | None = None  # gate-violation and a gate's role refused: "G1".."G10"
    errors: list[ProblemFieldError] | None = None  # invalid-value, validation-error


_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def _doc(description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": dict(_REF)}},
    }
    if headers:
        doc["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return doc


# For a route's ``responses=``. The schema is a $ref that
# ``install_error_handlers`` adds to the components: FastAPI's ``model=``
# would document it under application/json instead.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc(
        "Missing or invalid bearer token (/problems/unauthorized)",
        {"WWW-Authenticate": 'Bearer realm="gendan"'},
    ),
    403: _doc("The caller's role may not do this (/problems/forbidden)"),
    404: _doc("Unknown id (/problems/not-found)"),
    409: _doc(
        "Refused: a gate (/problems/gate-violation, with `rule`), the order's "
        "state (/problems/invalid-state), a duplicate (/problems/conflict), or a "
        "request with the same Idempotency-Key still running "
        "(/problems/idempotency-in-flight, with Retry-After)",
        {"Retry-After": "Seconds to wait before retrying (idempotency-in-flight)"},
    ),
    412: _doc(
        "If-Match names another version (/problems/precondition-failed); "
        "ETag holds the current one",
        {"ETag": "The order's current version"},
    ),
    413: _doc("The request body is larger than the limit (/problems/too-large)"),
    422: _doc(
        "Invalid request (/problems/validation-error), a value the domain "
        "refuses (/problems/invalid-value; `errors` lists the fields) or an "
        "Idempotency-Key reused for another request (/problems/idempotency-key-reused)"
    ),
    503: _doc(
        "The read side has not caught up yet (/problems/not-ready)",
        {"Retry-After": "Seconds to wait before retrying"},
    ),
}

# What every command may answer besides its own problems: the service
# starting or its database not answering. Nothing was written; retry.
UNAVAILABLE = _doc(
    "The service is starting (/problems/not-ready) or the store does not answer "
    "(/problems/store-unavailable); nothing was written",
    {"Retry-After": "Seconds to wait before retrying"},
)


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


# The headers of a command's success answer (app.api.routes.order_common.answer).
COMMAND_HEADERS = {
    "ETag": _header('The version after the command, `"<version>"`: send it as If-Match '
                    "with the next command"),
    "Idempotency-Replayed": _header("`true` when this is the stored answer of an earlier "
                                    "request with the same Idempotency-Key"),
}
# For ``responses={201: CREATED}`` of a command that creates a resource.
CREATED: dict[str, Any] = {"headers": {"Location": _header("The created resource's path")}}
_COMMANDS = ("post", "put", "patch", "delete")


def declare_command_answers(schema: dict[str, Any]) -> None:
    """Every command (a write under /v1) documents the headers of its
    success answer and its 503, so a generated client knows them; a 429
    stays with the rate-limited portal routes, which declare it."""
    for path, path_item in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in path_item.items():
            if method not in _COMMANDS:
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if code.startswith("2"):  # a new dict: CREATED's is shared
                    response["headers"] = {**response.get("headers", {}), **COMMAND_HEADERS}
            responses.setdefault("503", UNAVAILABLE)
