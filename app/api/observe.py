"""Every answer, measured once: the Prometheus counters (app/api/metrics.py)
and one access record on the ``gendan.access`` logger with the request id,
method, route template, status and duration (JSON with
``gendan serve --log-format json``, app/api/logging_json.py).

Pure ASGI, just inside ``RequestId``: it sees the status the client gets
(a 304, a 431, a CORS preflight) and the time to the answer's last byte.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.routing import Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import Metrics

access = logging.getLogger("gendan.access")
NO_ROUTE = "<none>"


def route_of(scope: Scope) -> tuple[str, str | None]:
    """The template of the route that answered, and its operationId when
    it answers this method (a 405 names the path's route, no operation)."""
    route: Any = scope.get("route")
    if route is None:
        # The app's own plain routes and mounts (the docs and their assets).
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if isinstance(candidate, (Route, Mount)) and \
                    candidate.matches(scope)[0] != Match.NONE:
                if isinstance(candidate, Mount):
                    return f"{candidate.path}/{{path}}", None
                return candidate.path_format, None
        return NO_ROUTE, None
    template = getattr(route, "path_format", None) or getattr(route, "path", NO_ROUTE)
    methods = getattr(route, "methods", None) or ()
    operation = getattr(route, "operation_id", None) or getattr(route, "name", None)
    return template, operation if scope["method"] in methods else None


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics | None):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what Starlette answers when the app raised before answering
        replayed = signature_refused = False

        async def send_observed(message: Message) -> None:
            nonlocal status, replayed, signature_refused
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    name = name.lower()
                    if name == b"idempotency-replayed":
                        replayed = value == b"true"
                    elif name == b"accept-signature" and status == 401:
                        signature_refused = True
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - start
            route, operation = route_of(scope)
            method = scope["method"]
            if self.metrics is not None:
                self.metrics.observe(method=method, route=route, operation=operation,
                                     status=status, seconds=seconds, replayed=replayed,
                                     signature_refused=signature_refused)
            if access.isEnabledFor(logging.INFO):
                duration_ms = round(seconds * 1000, 1)
                access.info("%s %s %d %.1fms", method, scope["path"], status, duration_ms,
                            extra={"request_id": scope.get("state", {}).get("request_id"),
                                   "method": method, "route": route, "path": scope["path"],
                                   "status": status, "duration_ms": duration_ms})
