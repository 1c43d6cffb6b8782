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
        "(/problems/idempotency-in-flight, with Retry-After)"
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
