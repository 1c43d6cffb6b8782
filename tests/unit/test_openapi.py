"""openapi.json is what mobile apps are written against: it must be the
app's own document. Regenerate with `make openapi` after changing routes."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli import render_openapi as render

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


def test_committed_openapi_matches_the_app():
    assert COMMITTED.exists(), "openapi.json is missing: run `make openapi`"
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == json.loads(render()), (
        "openapi.json drifted from the app: run `make openapi` and commit it"
    )


def test_every_operation_has_a_stable_id_and_documents_problems():
    spec = json.loads(render())
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op.get("operationId"), f"{method.upper()} {path} has no operationId"
            assert "_" not in op["operationId"], f"{op['operationId']} is not camelCase"
            if path.startswith("/v1"):
                assert "401" in op["responses"], f"{method.upper()} {path} lacks 401"
