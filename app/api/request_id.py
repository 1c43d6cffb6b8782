"""``Request-Id`` on every answer, as Stripe and GitHub send one.

The client's own ``Request-Id`` is kept when it is sane (1 to 128 of
``A-Z a-z 0-9 . _ : -``), so a mobile app can quote the id it logged;
anything else (too long, spaces, quotes, other scripts) is replaced by a new
UUID4 rather than echoed into headers and logs. The id lives in a context
variable for the request's task (and the threads it hands work to), where
``problem()`` puts it into problem+json bodies and the JSON log formatter
into every record; ``scope["state"]`` carries it to anything holding the
request.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_current: ContextVar[str | None] = ContextVar("gendan_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being answered in this context, if any."""
    return _current.get()


def request_id_of(value: str | None) -> str:
    """The client's id when sane, else a new one."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return str(uuid.uuid4())


class RequestId:
    """Pure ASGI, outermost: every answer carries the header, the 431 of an
    oversized request and the 500 of a crash included (the 500 handler,
    which Starlette runs outside every middleware, adds it from the context)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope["headers"]:
            if name == b"request-id":
                sent = value.decode("latin-1")
                break
        rid = request_id_of(sent)
        # Each request is its own task (uvicorn), so the value is never reset.
        _current.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        header = (b"request-id", rid.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"request-id"]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        await self.app(scope, receive, send_with_id)
