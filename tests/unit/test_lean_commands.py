"""The command path's shortcuts (issue 14) keep the answers they replace.

A verified bearer token is remembered until it expires; command answers are
rendered once by ``answer()`` and returned as a Response, so each route must
hand it the model its return annotation documents and the status its
decorator declares (FastAPI no longer applies either to a returned Response).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import jwt
import pytest
from fastapi.routing import APIRoute

from app.api import auth
from app.api.auth import LEEWAY_SECONDS, AuthError, Principal, TokenVerifier, issue_token
from app.config import Settings
from app.main import create_app


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("GENDAN_JWT") or name == "GENDAN_VAR_DIR":
            monkeypatch.delenv(name)


def _clock_at(monkeypatch: pytest.MonkeyPatch, now: float) -> None:
    """Both clocks the verifier reads: ours and PyJWT's."""

    class _Datetime(datetime):
        @classmethod
        def now(cls, tz: timezone | None = None) -> datetime:  # type: ignore[override]
            return datetime.fromtimestamp(now, tz)

    monkeypatch.setattr(auth.time, "time", lambda: now)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _Datetime)


def test_a_remembered_token_is_refused_once_it_expires(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    verifier = TokenVerifier(settings)
    token = issue_token(settings, "alice", "manager", ttl=60)
    issued = time.time()
    assert verifier.verify(token) == Principal("alice", "manager", None)
    _clock_at(monkeypatch, issued + 50)
    assert verifier.verify(token) == Principal("alice", "manager", None)  # remembered
    _clock_at(monkeypatch, issued + 60 + LEEWAY_SECONDS + 2)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)  # and stays refused


def test_a_tampered_copy_of_a_remembered_token_is_refused(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    verifier = TokenVerifier(settings)
    token = issue_token(settings, "alice", "manager")
    verifier.verify(token)
    head, claims, signature = token.split(".")
    forged = jwt.encode({**jwt.decode(token, options={"verify_signature": False}),
                         "role": "bi"}, "another secret of thirty-two bytes!!", algorithm="HS256")
    with pytest.raises(AuthError, match="signature"):
        verifier.verify(forged)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    with pytest.raises(AuthError):
        verifier.verify(f"{head}.{claims}.{flipped}")


def test_the_remembered_tokens_are_bounded(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 3)
    settings = Settings(var_dir=tmp_path / "var")
    verifier = TokenVerifier(settings)
    for n in range(10):
        verifier.verify(issue_token(settings, f"user{n}", "manager"))
        assert len(verifier._verified) <= 3


def _routes(routes: list) -> list[APIRoute]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            found += _routes(route.routes)
    return found


def _answer_calls(route: APIRoute) -> list[ast.Call]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(route.endpoint)))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "answer"]


def test_every_command_answers_its_documented_model_and_status(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}",
                              var_dir=tmp_path / "var"))
    checked = 0
    for route in _routes(app.router.routes):
        for call in _answer_calls(route):
            names = route.endpoint.__globals__
            model = (eval(compile(ast.Expression(call.args[2]), "<answer>", "eval"), names)
                     if len(call.args) > 2 else names["OrderPublic"])
            status = next((k.value.value for k in call.keywords if k.arg == "status"), 200)
            where = f"{sorted(route.methods)} {route.path}"
            assert model is route.response_model, where
            assert status == (route.status_code or 200), where
            checked += 1
    assert checked >= 50  # every command of orders, production, POs, quality, suppliers, portal
