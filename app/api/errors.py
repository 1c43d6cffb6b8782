"""Every error answer is RFC 9457 problem+json, built here and only here.

Problem types are relative URIs ``/problems/<slug>`` (resolved against the
API's base URL); framework errors (unknown route, wrong method...) keep
``about:blank`` with the HTTP reason phrase as title, as RFC 9457 §4.2.1 asks.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import sqlalchemy.exc
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.api.auth import Forbidden, Unauthorized
from app.api.httpsig import ACCEPT_SIGNATURE, SignatureRejected
from app.application.dto import PreconditionFailed
from app.application.idempotency import IdempotencyInFlight, IdempotencyKeyReused
from app.domain.errors import (
    Conflict,
    DomainError,
    GateViolation,
    InvalidState,
    InvalidValue,
    NotFound,
)
from app.projections.reads import NotReady

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("gendan.api")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


# --- OpenAPI -----------------------------------------------------------------


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
    rule: str | None = None  # gate-violation only: "G1".."G10"
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


# Models a route reads by hand (the signed portal bodies are parsed after
# their signature verified), added to the components so that the
# ``requestBody`` ``$ref`` of their ``openapi_extra`` resolves.
OPENAPI_MODELS: list[type[BaseModel]] = []


def _install_openapi_components(app: FastAPI) -> None:
    """Add ProblemDetails to the schema components and document FastAPI's
    automatic 422 answers with our shape, since our handler replaces them."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ProblemFieldError, ProblemDetails, *OPENAPI_MODELS):
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components[model.__name__] = model_schema
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses") if isinstance(operation, dict) else None
                default_422 = (responses or {}).get("422", {})
                ref = (
                    default_422.get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                )
                if ref.endswith("/HTTPValidationError"):
                    responses["422"] = PROBLEM_RESPONSES[422]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- handlers ----------------------------------------------------------------


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _gate_violation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GateViolation)
    return problem(
        409, "Gate violation", exc.detail, "/problems/gate-violation", request.url.path,
        rule=exc.rule,
    )


async def _invalid_state(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(409, "Invalid state", exc.detail, "/problems/invalid-state", request.url.path)


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Conflict)
    return problem(409, "Conflict", exc.detail, "/problems/conflict", request.url.path)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return problem(404, "Not found", exc.detail, "/problems/not-found", request.url.path)


async def _invalid_value(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidValue)
    return problem(
        422, "Invalid value", exc.detail, "/problems/invalid-value", request.url.path,
        errors=[{"field": exc.field, "message": exc.detail}],
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # No "input" echoed back: it may be large or hold what should not be logged.
    errors = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    count = len(errors)
    detail = f"{count} invalid field{'s' if count != 1 else ''}"
    return problem(
        422, "Validation error", detail, "/problems/validation-error", request.url.path,
        errors=errors,
    )


async def _unauthorized(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unauthorized)
    challenge = 'Bearer realm="gendan"'
    if exc.invalid_token:
        challenge += ', error="invalid_token"'
    return problem(
        401, "Unauthorized", exc.detail, "/problems/unauthorized", request.url.path,
        headers={"WWW-Authenticate": challenge},
    )


async def _signature_rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SignatureRejected)
    return problem(
        401, "Signature refused", exc.detail, "/problems/signature-refused", request.url.path,
        code=exc.code, headers={"Accept-Signature": ACCEPT_SIGNATURE},
    )


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Forbidden)
    return problem(403, "Forbidden", exc.detail, "/problems/forbidden", request.url.path)


async def _not_ready(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotReady)
    return problem(
        503, "Not ready", exc.detail, "/problems/not-ready", request.url.path,
        headers={"Retry-After": str(max(0, int(exc.retry_after)))},
    )


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI's 400 for a JSON body that is not UTF-8: as invalid JSON, a 422.
        return problem(
            422, "Validation error", "1 invalid field", "/problems/validation-error",
            request.url.path, errors=[{"field": "body", "message": "JSON decode error: "
                                       "the body is not UTF-8", "type": "json_invalid"}],
        )
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    detail = exc.detail if exc.detail and exc.detail != title else None
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(exc.status_code, title, detail, instance=request.url.path, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method of every route on this path. Starlette's own ``Allow``
    names only the first route's, and a path may have routes in two routers
    (POST /v1/suppliers commands, GET /v1/suppliers reads)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "\0"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _in_flight(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdempotencyInFlight)
    return problem(409, "Request in flight", str(exc), "/problems/idempotency-in-flight",
                   request.url.path, headers={"Retry-After": str(exc.retry_after)})


async def _key_reused(request: Request, exc: Exception) -> JSONResponse:
    return problem(422, "Idempotency-Key reused", str(exc),
                   "/problems/idempotency-key-reused", request.url.path)


async def _precondition_failed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PreconditionFailed)
    return problem(412, "Precondition failed",
                   f"If-Match does not name the current version {exc.current_version}",
                   "/problems/precondition-failed", request.url.path,
                   headers={"ETag": f'"{exc.current_version}"'})


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is down or restarting: nothing was written, try again.
    log.warning("store unavailable on %s %s: %r", request.method, request.url.path, exc)
    return problem(
        503, "Store unavailable", "The event store does not answer; retry shortly",
        "/problems/store-unavailable", request.url.path, headers={"Retry-After": "2"},
    )


async def _write_conflict(request: Request, exc: Exception) -> JSONResponse:
    # Concurrent writers kept taking the version this command was based on.
    return problem(
        409, "Conflict", "The order kept changing under this command; retry it",
        "/problems/conflict", request.url.path,
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware re-raises after this, so the server
    # still logs the traceback; the client gets no internals.
    return problem(500, "Internal Server Error", instance=request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    # Starlette picks the handler of the nearest class in the MRO, so the
    # DomainError fallback only catches subclasses not listed here.
    app.add_exception_handler(GateViolation, _gate_violation)
    app.add_exception_handler(InvalidState, _invalid_state)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(InvalidValue, _invalid_value)
    app.add_exception_handler(DomainError, _invalid_state)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(SignatureRejected, _signature_rejected)
    app.add_exception_handler(NotReady, _not_ready)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(IdempotencyInFlight, _in_flight)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.add_exception_handler(PreconditionFailed, _precondition_failed)
    app.add_exception_handler(OperationalError, _store_unavailable)
    app.add_exception_handler(InterfaceError, _store_unavailable)
    # The same outage seen by SQLAlchemy (read models, idempotency keys) and
    # by asyncpg connecting (a refused connection is an OSError).
    app.add_exception_handler(sqlalchemy.exc.OperationalError, _store_unavailable)
    app.add_exception_handler(sqlalchemy.exc.InterfaceError, _store_unavailable)
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, _store_unavailable)
    app.add_exception_handler(OSError, _store_unavailable)
    app.add_exception_handler(IntegrityError, _write_conflict)
    app.add_exception_handler(Exception, _unhandled)
    _install_openapi_components(app)
