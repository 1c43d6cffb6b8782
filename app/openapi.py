"""The committed ``openapi.json`` is rendered from the app by this function;
a test fails when the two drift (`gendan openapi` rewrites the file)."""

from __future__ import annotations

import json

from app.config import Settings


def render() -> str:
    from app.main import create_app

    # Any settings do: the document depends on the routes, not the store.
    app = create_app(Settings(database_url="memory:", jwt_secret="x" * 32))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
