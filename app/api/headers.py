"""``Cache-Control: no-store`` on every answer to a request with credentials.

What a token reads (an order, the audit trail, a supplier's PO) must not
stay in a browser's or a client library's cache, where the next user of the
machine or a proxy's disk could find it. Shared caches already may not store
answers to requests with ``Authorization`` (RFC 9111 §3.5); private caches
may, unless told ``no-store``. Every status is covered, errors included: a
403 or 404 tells something about the resource too. Answers to requests
without credentials (``/healthz``, ``/readyz``, the docs) are left alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = (b"cache-control", b"no-store")


class NoStore:
    """Pure ASGI (no body buffering): adds the header to the response start
    unless the route set a ``Cache-Control`` of its own."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(
                name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)
