"""Request size limits: 431 for headers, 413 for bodies, problem+json,
before anything is parsed or authenticated.

``HeaderSizeLimit`` adds up every header's name and value as the server
delivers them (uvicorn with httptools bounds the request line, not the
headers: FACTS.md) and refuses past the limit before any route, so before
the bearer token is even read.

``BodySizeLimit`` is a pure ASGI middleware too, so it sees the body as
the server delivers it:

- a ``Content-Length`` above the limit is refused up front, without reading
  a byte of the body;
- a body without one (``Transfer-Encoding: chunked``), or one that lies
  about its length, is counted chunk by chunk as the app reads it: the read
  that crosses the limit raises, the app's own answer (FastAPI turns a body
  it cannot read into a 400) is dropped, and the client gets the 413.

Nothing reaches a route, so an oversized command never costs data.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, MutableMapping

from app.api.errors import problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Limit:
    """An ASGI middleware around ``app`` with a limit of ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.app = app
        self.max_bytes = max_bytes


class HeaderSizeLimit(_Limit):

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _header_bytes(scope) <= self.max_bytes:
            await self.app(scope, receive, send)
            return
        response = problem(
            431, "Request header fields too large",
            f"The request headers exceed the limit of {self.max_bytes} bytes "
            "(names and values together)",
            "/problems/headers-too-large", scope.get("path"),
            # The body, if any, is not read: the connection cannot be reused.
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _header_bytes(scope: Scope) -> int:
    return sum(len(name) + len(value) for name, value in scope.get("headers", ()))


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once the body has crossed the limit."""


class BodySizeLimit(_Limit):

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a body it could not read: replaced below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413, "Content too large",
            f"The request body exceeds the limit of {self.max_bytes} bytes",
            "/problems/too-large", scope.get("path"),
            # The rest of the body is not read: the connection cannot be reused.
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None
