"""Every error answer is RFC 9457 problem+json, built here and only here.

Problem types are relative URIs ``/problems/<slug>`` (resolved against the
API's base URL); framework errors (unknown route, wrong method...) keep
``about:blank`` with the HTTP reason phrase as title, as RFC 9457 §4.2.1 asks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from app.api.auth import Forbidden, Unauthorized
from app.api.httpsig import ACCEPT_SIGNATURE, SignatureRejected
from app.api.ratelimit import TooManyRequests
from app.api.request_id import current_request_id
from app.api.schemas.events import add_event_schemas
from app.api.schemas.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    ProblemDetails,
    ProblemFieldError,
    declare_command_answers,
)
from app.application.dto import PreconditionFailed
from app.application.idempotency import IdempotencyInFlight, IdempotencyKeyReused
from app.domain.errors import (
    Conflict,
    DomainError,
    GateViolation,
    InvalidState,
    InvalidValue,
    NotFound,
    RoleRefused,
)
from app.projections.waiting import NotReady, PositionAhead, TooManyWaiters

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
        declare_command_answers(schema)
        add_event_schemas(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- handlers ----------------------------------------------------------------


def _detail(exc: Any) -> str:
    return exc.detail


def _none(exc: Any) -> None:
    return None


@dataclass(frozen=True)
class Answer:
    """How the exceptions of one class are answered: ``/problems/<slug>``
    with this status and title; the detail, extension members and headers
    taken from the exception."""

    status: int
    title: str
    slug: str
    detail: Callable[[Any], str] = _detail
    extensions: Callable[[Any], dict[str, Any] | None] = _none
    headers: Callable[[Any], dict[str, str] | None] = _none


def _challenge(exc: Unauthorized) -> dict[str, str]:
    challenge = 'Bearer realm="gendan"'
    if exc.invalid_token:
        challenge += ', error="invalid_token"'
    return {"WWW-Authenticate": challenge}


# One row per exception class. Starlette picks the handler of the nearest
# class in the exception's MRO, and ``_answer`` the row the same way, so the
# DomainError row only catches subclasses not listed here.
ANSWERS: dict[type[Exception], Answer] = {
    GateViolation: Answer(409, "Gate violation", "gate-violation",
                          extensions=lambda exc: {"rule": exc.rule}),
    # The role half of a gate, refused by the domain: a 403 like the
    # routes' own refusal at the door, naming the rule as a gate does.
    RoleRefused: Answer(403, "Forbidden", "forbidden", extensions=lambda exc: {"rule": exc.rule}),
    InvalidState: Answer(409, "Invalid state", "invalid-state"),
    Conflict: Answer(409, "Conflict", "conflict"),
    NotFound: Answer(404, "Not found", "not-found"),
    InvalidValue: Answer(422, "Invalid value", "invalid-value", extensions=lambda exc: {
        "errors": [{"field": exc.field, "message": exc.detail}]}),
    DomainError: Answer(409, "Invalid state", "invalid-state"),
    Unauthorized: Answer(401, "Unauthorized", "unauthorized", headers=_challenge),
    Forbidden: Answer(403, "Forbidden", "forbidden"),
    SignatureRejected: Answer(401, "Signature refused", "signature-refused",
                              extensions=lambda exc: {"code": exc.code},
                              headers=lambda exc: {"Accept-Signature": ACCEPT_SIGNATURE}),
    NotReady: Answer(503, "Not ready", "not-ready",
                     headers=lambda exc: {"Retry-After": str(max(0, int(exc.retry_after)))}),
    TooManyWaiters: Answer(503, "Too many waiting reads", "too-many-waiting-reads",
                           headers=lambda exc: {"Retry-After": str(exc.retry_after)}),
    # A refused query parameter, answered as FastAPI's own validation does.
    PositionAhead: Answer(422, "Validation error", "validation-error",
                          detail=lambda _: "1 invalid field", extensions=lambda exc: {
                              "last_position": exc.last_position,
                              "errors": [{"field": "query.min_position", "message": exc.detail,
                                          "type": "position_ahead"}]}),
    TooManyRequests: Answer(429, "Too many requests", "too-many-requests",
                            headers=lambda exc: {"Retry-After": str(exc.retry_after)}),
    IdempotencyInFlight: Answer(409, "Request in flight", "idempotency-in-flight", detail=str,
                                headers=lambda exc: {"Retry-After": str(exc.retry_after)}),
    IdempotencyKeyReused: Answer(422, "Idempotency-Key reused", "idempotency-key-reused",
                                 detail=str),
    PreconditionFailed: Answer(
        412, "Precondition failed", "precondition-failed",
        detail=lambda exc: f"If-Match does not name the current version {exc.current_version}",
        headers=lambda exc: {"ETag": f'"{exc.current_version}"'}),
    # Concurrent writers kept taking the version this command was based on.
    IntegrityError: Answer(409, "Conflict", "conflict",
                           detail=lambda _: "The order kept changing under this command; retry it"),
}


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    answer = next(ANSWERS[cls] for cls in type(exc).__mro__ if cls in ANSWERS)
    return problem(
        answer.status, answer.title, answer.detail(exc), f"/problems/{answer.slug}",
        request.url.path, headers=answer.headers(exc), **(answer.extensions(exc) or {}),
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


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


# The methods a route may have; HEAD is answered wherever GET is
# (app.api.conditional), OPTIONS by the CORS preflight when it is on.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route on this path answers. Starlette's own
    ``Allow`` names only the first route's, and a path may have routes in
    two routers (POST /v1/suppliers commands, GET /v1/suppliers reads).

    Each method is tried against the app's routes rather than read from
    ``route.methods``: FastAPI 0.16x mounts an included router as one
    wrapper without ``methods`` (FACTS.md), which left ``Allow`` empty."""
    # Matched as the app sees the path: inside a mount the scope's root_path
    # has grown by the mount's prefix.
    scope = {**request.scope,
             "root_path": request.scope.get("app_root_path", request.scope.get("root_path", ""))}
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Mount):
            # The one mount serves the docs' static files: GET (and HEAD).
            if route.matches(scope)[0] != Match.NONE:
                methods.add("GET")
            continue
        methods.update(method for method in _METHODS
                       if route.matches({**scope, "method": method})[0] == Match.FULL)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


# The database is down or restarting, as the event store sees it, as
# SQLAlchemy sees it (read models, idempotency keys) and as asyncpg sees it
# connecting (a refused connection is an OSError).
_OUTAGES: tuple[type[Exception], ...] = (
    OperationalError, InterfaceError, sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError, OSError,
)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # Nothing was written: the client may simply try again.
    log.warning("store unavailable on %s %s: %r", request.method, request.url.path, exc)
    return problem(
        503, "Store unavailable", "The event store does not answer; retry shortly",
        "/problems/store-unavailable", request.url.path, headers={"Retry-After": "2"},
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware re-raises after this, so the server
    # still logs the traceback; the client gets no internals. It sends this
    # answer outside every middleware, hence the Request-Id added here.
    rid = current_request_id()
    return problem(500, "Internal Server Error", instance=request.url.path,
                   headers={"Request-Id": rid} if rid else None)


def install_error_handlers(app: FastAPI) -> None:
    for cls in ANSWERS:
        app.add_exception_handler(cls, _answer)
    for cls in _OUTAGES:
        app.add_exception_handler(cls, _store_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unhandled)
    _install_openapi_components(app)
