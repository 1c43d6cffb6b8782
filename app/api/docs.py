"""``/docs`` (Swagger UI) and ``/redoc`` served with no other host.

FastAPI's own pages load Swagger UI and ReDoc from a CDN with floating
versions: on a factory LAN without internet they are white pages
(FACTS.md). The pages here load the same assets from ``/docs-assets/``,
which serves the files shipped in the ``fastapi-offline`` wheel, pinned in
pyproject.toml (its 1.7.x bundles Swagger UI 5 and ReDoc 2 standalone);
ReDoc's Google fonts are left out. Upgrading the wheel upgrades the UIs.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
DOCS_URL, REDOC_URL, OAUTH2_REDIRECT_URL = "/docs", "/redoc", "/docs/oauth2-redirect"


def install_docs(app: FastAPI) -> None:
    """The three pages and their assets; the app is built with
    ``docs_url=None, redoc_url=None`` so FastAPI adds no CDN page of its own."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    def base(request: Request) -> str:
        return request.scope.get("root_path", "")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = base(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            # No badge fetched from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None, **(app.swagger_ui_parameters or {})},
        )

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = base(request)
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png", with_google_fonts=False,
        )

    for url, page in ((DOCS_URL, swagger_ui), (OAUTH2_REDIRECT_URL, oauth2_redirect),
                      (REDOC_URL, redoc)):
        app.add_api_route(url, page, methods=["GET"], include_in_schema=False,
                          response_class=HTMLResponse)
