"""A real uvicorn server on a free loopback port, in a thread of the test
process: the e2e tests talk to it over real HTTP."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from app.config import Settings
from app.main import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings, *, migrate: bool = True, port: int | None = None):
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings, migrate=migrate)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self, timeout: float = 60) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server on {self.url} not ready after {timeout}s")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


class Api:
    """An HTTP client of a live server, with tokens for any role."""

    def __init__(self, server: LiveServer, client: httpx.AsyncClient):
        self.server = server
        self.client = client
        self.settings = server.settings

    def headers(self, role: str, sub: str | None = None,
                supplier_id: str | None = None) -> dict[str, str]:
        from app.api.auth import issue_token

        token = issue_token(self.settings, sub or f"{role}-1", role, supplier_id=supplier_id)
        return {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, role: str = "manager", **kwargs) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(role), **kwargs)

    async def post(self, path: str, json: dict | None = None, role: str = "manager",
                   **kwargs) -> httpx.Response:
        return await self.client.post(path, json=json if json is not None else {},
                                      headers=self.headers(role), **kwargs)

    async def put(self, path: str, json: dict, role: str = "manager", **kwargs) -> httpx.Response:
        return await self.client.put(path, json=json, headers=self.headers(role), **kwargs)
