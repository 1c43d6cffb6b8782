"""Request-Id (issue 13, item 4): the client's when sane, else a new UUID4;
on the 500 of a crash too, which Starlette answers outside every middleware."""

from __future__ import annotations

import uuid

import httpx

from app.api.request_id import request_id_of
from app.config import Settings
from app.main import create_app


def test_a_sane_id_is_kept_and_any_other_replaced():
    assert request_id_of("req_8f3A.x:1-2") == "req_8f3A.x:1-2"
    for odd in (None, "", "a b", "x" * 129, "ид", "a\tb", "<script>"):
        assert uuid.UUID(request_id_of(odd)).version == 4, odd


async def test_a_crash_answers_500_with_the_request_id(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}", var_dir=tmp_path,
                              jwt_secret="x" * 40))

    def crash() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/crash", crash)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/crash", headers={"Request-Id": "crash-1"})
    assert r.status_code == 500 and r.headers["request-id"] == "crash-1"
    assert r.json()["title"] == "Internal Server Error" and "a bug" not in r.text
