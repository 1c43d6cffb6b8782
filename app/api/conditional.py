"""``HEAD`` wherever ``GET`` is, and ``If-None-Match`` answered 304.

FastAPI's routes declared with ``@router.get`` answer ``HEAD`` with 405
(only Starlette's plain routes add it), so a ``HEAD`` is run as the ``GET``
it stands for and its body dropped: the headers, ``Content-Length`` and
``ETag`` included, are the ``GET``'s (RFC 9110 §9.3.2).

A ``GET`` whose ``If-None-Match`` names the answer's ``ETag`` (weak
comparison, RFC 9110 §13.1.2; ``*`` matches any) gets 304 with no body, so
a mobile client revalidating an order it holds downloads nothing. Only a 200
with an ``ETag`` is turned into a 304: an error is always sent in full.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What a 304 keeps of the 200's header fields (RFC 9110 §15.4.5), with ours.
_KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"date", b"expires",
                b"content-location", b"request-id"}


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def none_match(if_none_match: str, etag: str) -> bool:
    """True when ``If-None-Match`` names ``etag``: the client has it."""
    tags = [t for t in if_none_match.split(",") if t.strip()]
    return any(t.strip() == "*" or _opaque(t) == _opaque(etag) for t in tags)


class Conditional:
    """Pure ASGI; the body of a HEAD or of a 304 is never sent."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        inner = scope
        if method == "HEAD":
            # A copy: the server keeps its scope's HEAD and sends no body.
            inner = {**scope, "method": "GET"}
        dropping = method == "HEAD"

        async def send_conditionally(message: Message) -> None:
            nonlocal dropping
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                etag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"),
                            None)
                if (if_none_match is not None and etag is not None
                        and message["status"] == 200 and none_match(if_none_match, etag)):
                    dropping = True
                    message = {**message, "status": 304, "headers": [
                        (k, v) for k, v in headers if k.lower() in _KEPT_ON_304]}
            elif message["type"] == "http.response.body" and dropping:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(inner, receive, send_conditionally)
        if inner is not scope and "route" in inner:
            scope["route"] = inner["route"]  # for the metrics and logs outside
