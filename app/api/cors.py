"""CORS for the browser apps of ``GENDAN_CORS_ORIGINS`` (none by default).

Starlette's ``CORSMiddleware`` answers the preflights and adds the headers,
but only for a request from a listed origin: any other request passes by it
untouched, so an origin not on the list gets no CORS header at all (the
middleware alone would send it ``Access-Control-Expose-Headers``, and the
preflight's allowed methods and headers with its 400). Bearer tokens travel
in ``Authorization``, not cookies: no credentials mode.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# The methods the routes use (HEAD with GET: app/api/conditional.py).
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE")
# What a browser app sends: the token, JSON, retries and conditions, the
# supplier portal's signatures, its own request id.
REQUEST_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                   "If-None-Match", "Signature", "Signature-Input", "Content-Digest",
                   "Request-Id")
# What a browser app may read of an answer beyond the CORS-safelisted ones.
EXPOSED_HEADERS = ("ETag", "Location", "Idempotency-Replayed", "Retry-After", "Request-Id")
MAX_AGE_SECONDS = 600


class ListedOriginsCors:
    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.origins = frozenset(origins)
        self.any_origin = "*" in self.origins
        self.cors = CORSMiddleware(app, allow_origins=sorted(self.origins),
                                   allow_methods=METHODS, allow_headers=REQUEST_HEADERS,
                                   expose_headers=EXPOSED_HEADERS, max_age=MAX_AGE_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = None
        if scope["type"] == "http":
            origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"),
                          None)
        if origin is not None and (self.any_origin or origin in self.origins):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
