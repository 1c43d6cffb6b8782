"""The docs render on a machine without internet (issue 13, item 1).

``/docs``, ``/redoc`` and the OAuth2 redirect page name no other host: every
``src``, ``href``, ReDoc's ``spec-url`` and URL of an inline script is local
and answers 200 with its type. Then headless Chromium, with every non-local fetch sent to a dead
proxy, renders ``/docs`` and ``/redoc`` into the operation list. Chromium is
Debian's (``.ci/run`` installs it); without it the test fails, never skips.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.e2e.browser import dump_dom

PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")
# Quoted absolute paths and URLs in inline scripts ('/openapi.json', "https://...").
_SCRIPT_URL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+|/[A-Za-z0-9_./-]+)["'`]""")
TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png",
         ".json": "application/json"}


@pytest.fixture(params=["sqlite"])
def store(request) -> str:
    """The pages do not depend on the store: the SQLite server only."""
    return request.param


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs
                      if name in ("src", "href", "spec-url") and value]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.urls += _SCRIPT_URL.findall(data)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


async def test_docs_name_only_local_assets_that_answer(api):
    base = api.server.url
    fetched: set[str] = set()
    for page in PAGES:
        r = await api.client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), page
        assert not re.search(r"https?://", r.text), (page, "names a host")
        for url in _links(r.text):
            absolute = urljoin(base + page, url)
            assert urlsplit(absolute).netloc == urlsplit(base).netloc, (page, url)
            fetched.add(urlsplit(absolute).path)
    assert {"/openapi.json", "/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css",
            "/docs-assets/redoc.standalone.js"} <= fetched
    for path in sorted(fetched):
        r = await api.client.get(path)
        assert r.status_code == 200, path
        suffix = path[path.rfind("."):] if "." in path else ""
        expected = TYPES.get(suffix, "text/html")  # a page: the OAuth2 redirect
        assert expected in r.headers["content-type"], (path, r.headers["content-type"])
        assert len(r.content) > 100, path


@pytest.mark.parametrize(("page", "rendered"), [
    # Swagger UI's section per tag and its operations' paths.
    ("/docs", ('id="operations-tag-orders"', "/v1/orders/{order_id}", "opblock-summary")),
    # ReDoc's menu and an operation's description.
    ("/redoc", ("orders", "createOrder", "The order's current state")),
])
def test_headless_chromium_renders_the_docs_with_the_network_off(server, tmp_path, page,
                                                                 rendered):
    """Any fetch beyond 127.0.0.1 goes to a proxy on the discard port, which
    refuses: a page that needed a CDN would stay white."""
    dom = dump_dom(f"{server.url}{page}", tmp_path / "profile")
    for text in rendered:
        assert text in dom, (page, text, dom[:2000])
    assert "Failed to load API definition" not in dom
