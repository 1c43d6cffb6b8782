from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict

from app.api.auth import Forbidden, Unauthorized
from app.api.errors import install_error_handlers, problem
from app.api.httpsig import ACCEPT_SIGNATURE, SignatureRejected
from app.api.schemas.problems import PROBLEM_RESPONSES
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
from app.projections.waiting import NotReady

PROBLEM = "application/problem+json"


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str
    lines: list[Line]


def build_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    errors = {
        "gate": GateViolation("G1", "no deposit recorded"),
        "state": InvalidState("the order is shipped"),
        "conflict": Conflict("reference PO-1 exists"),
        "missing": NotFound("no order o-1"),
        "value": InvalidValue("currency", "unknown currency ABC"),
        "domain": DomainError("refused"),
        "unauthorized": Unauthorized("a bearer token is required"),
        "bad-token": Unauthorized("expired", invalid_token=True),
        "forbidden": Forbidden("role 'bi' may not do this"),
        "not-ready": NotReady("projection at 3, wanted 7", retry_after=2),
        "teapot": HTTPException(418, "short and stout", headers={"X-Tea": "earl grey"}),
        "boom": RuntimeError("secret internals"),
        "role": RoleRefused("G1", "merchandiser", ("manager",), "only a manager confirms"),
        "signature": SignatureRejected("digest_mismatch", "Content-Digest does not match"),
        "in-flight": IdempotencyInFlight(retry_after=3),
        "key-reused": IdempotencyKeyReused(),
        "precondition": PreconditionFailed(current_version=4),
        "outage": OperationalError("connection refused"),
        "write-race": IntegrityError("version taken"),
    }

    @app.get("/raise/{name}", responses=PROBLEM_RESPONSES)
    def raise_(name: str) -> dict:
        raise errors[name]

    @app.post("/orders", status_code=201, responses=PROBLEM_RESPONSES)
    def create(order: Order) -> dict:
        return order.model_dump()

    @app.post("/plain")
    def plain(order: Order) -> dict:  # no responses=: FastAPI's default 422
        return {}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: the 500 handler answers, then Starlette
    # re-raises for the server's log; here we only want the answer.
    transport = httpx.ASGITransport(build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


@pytest.mark.parametrize(
    ("name", "status", "type_"),
    [
        ("gate", 409, "/problems/gate-violation"),
        ("state", 409, "/problems/invalid-state"),
        ("conflict", 409, "/problems/conflict"),
        ("missing", 404, "/problems/not-found"),
        ("value", 422, "/problems/invalid-value"),
        ("domain", 409, "/problems/invalid-state"),
        ("unauthorized", 401, "/problems/unauthorized"),
        ("forbidden", 403, "/problems/forbidden"),
        ("not-ready", 503, "/problems/not-ready"),
        ("teapot", 418, "about:blank"),
        ("boom", 500, "about:blank"),
        ("role", 403, "/problems/forbidden"),
        ("signature", 401, "/problems/signature-refused"),
        ("in-flight", 409, "/problems/idempotency-in-flight"),
        ("key-reused", 422, "/problems/idempotency-key-reused"),
        ("precondition", 412, "/problems/precondition-failed"),
        ("outage", 503, "/problems/store-unavailable"),
        ("write-race", 409, "/problems/conflict"),
    ],
)
async def test_problem_shape(client: httpx.AsyncClient, name: str, status: int, type_: str) -> None:
    r = await client.get(f"/raise/{name}")
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == type_
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == f"/raise/{name}"


async def test_gate_violation_rule(client: httpx.AsyncClient) -> None:
    body = (await client.get("/raise/gate")).json()
    assert body["rule"] == "G1"
    assert body["detail"] == "no deposit recorded"


async def test_role_refused_by_the_domain_is_forbidden_with_its_rule(
    client: httpx.AsyncClient,
) -> None:
    # A DomainError subclass: it must not fall into the DomainError 409.
    r = await client.get("/raise/role")
    assert r.json() == {
        "type": "/problems/forbidden", "title": "Forbidden", "status": 403,
        "detail": "only a manager confirms", "instance": "/raise/role", "rule": "G1",
    }


async def test_extensions_and_headers_of_the_other_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/raise/signature")
    assert r.json()["code"] == "digest_mismatch"
    assert r.headers["accept-signature"] == ACCEPT_SIGNATURE
    r = await client.get("/raise/in-flight")
    assert r.headers["retry-after"] == "3"
    assert r.json()["detail"] == "a request with this Idempotency-Key is still being processed"
    r = await client.get("/raise/precondition")
    assert r.headers["etag"] == '"4"'
    assert r.json()["detail"] == "If-Match does not name the current version 4"
    r = await client.get("/raise/outage")
    assert r.headers["retry-after"] == "2"
    assert "refused" not in r.text
    r = await client.get("/raise/write-race")
    assert r.json()["detail"] == "The order kept changing under this command; retry it"


async def test_invalid_value_errors(client: httpx.AsyncClient) -> None:
    body = (await client.get("/raise/value")).json()
    assert body["errors"] == [{"field": "currency", "message": "unknown currency ABC"}]


async def test_unauthorized_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/raise/unauthorized")
    assert r.headers["www-authenticate"] == 'Bearer realm="gendan"'
    r = await client.get("/raise/bad-token")
    assert r.headers["www-authenticate"] == 'Bearer realm="gendan", error="invalid_token"'


async def test_not_ready_retry_after(client: httpx.AsyncClient) -> None:
    r = await client.get("/raise/not-ready")
    assert r.headers["retry-after"] == "2"


async def test_http_exception_keeps_headers_and_detail(client: httpx.AsyncClient) -> None:
    r = await client.get("/raise/teapot")
    assert r.headers["x-tea"] == "earl grey"
    assert r.json()["title"] == "I'm a Teapot"
    assert r.json()["detail"] == "short and stout"


async def test_500_hides_internals(client: httpx.AsyncClient) -> None:
    r = await client.get("/raise/boom")
    assert "secret" not in r.text


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    r = await client.get("/nowhere")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "instance": "/nowhere",
    }
    r = await client.delete("/orders")
    assert r.status_code == 405
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["allow"] == "POST"


async def test_validation_error_fields(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/orders",
        json={"reference": "PO-1", "lines": [{"sku": "A", "quantity": "many"}], "colour": "red"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "/problems/validation-error"
    by_field = {e["field"]: e for e in body["errors"]}
    assert by_field["body.lines.0.quantity"]["type"] == "int_parsing"
    assert by_field["body.colour"]["type"] == "extra_forbidden"  # unknown field reported
    assert all(set(e) == {"field", "message", "type"} for e in body["errors"])


async def test_invalid_json_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/orders", content=b'{"reference": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "/problems/validation-error"
    assert body["errors"][0]["type"] == "json_invalid"


def test_problem_helper_extensions() -> None:
    r = problem(409, "Gate violation", "x", "/problems/gate-violation", "/o/1", rule="G2")
    assert r.media_type == PROBLEM
    assert r.status_code == 409
    assert b'"rule":"G2"' in r.body


async def test_openapi_documents_problems(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["ProblemDetails"]["properties"]) == {
        "type", "title", "status", "detail", "instance", "rule", "errors",
    }
    assert "ProblemFieldError" in schemas
    responses = spec["paths"]["/orders"]["post"]["responses"]
    for status in ("401", "403", "404", "409", "422", "503"):
        content = responses[status]["content"]
        assert list(content) == [PROBLEM]
        assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
    assert "Retry-After" in responses["503"]["headers"]
    # FastAPI's default 422 (HTTPValidationError) is replaced by ours.
    plain_422 = spec["paths"]["/plain"]["post"]["responses"]["422"]
    assert list(plain_422["content"]) == [PROBLEM]
