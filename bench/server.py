"""The real server, started as production starts it (`gendan serve --port P`:
auth on, projections as serve runs them by default, migrations by serve), and
its tokens (`gendan token`)."""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from bench.stores import Store

GENDAN = str(Path(sys.executable).parent / "gendan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: the server is killed if the benchmark itself is killed (-9).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    def __init__(self, store: Store, *extra_args: str, env: dict[str, str] | None = None):
        self.store = store
        # Settings for this server only (e.g. GENDAN_GROUP_COMMIT=false).
        self.extra_env = dict(env or {})
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self.log_path = store.var_dir / f"server-{self.port}.log"

    def __enter__(self) -> Server:
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [GENDAN, "serve", "--port", str(self.port), *self.extra_args],
            cwd=self.store.var_dir, env={**self.store.env(), **self.extra_env}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
        )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def wait_ready(self, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                r = httpx.get(f"{self.base}/readyz", timeout=5)
                if r.status_code == 200:
                    return r.json()
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready within {timeout}s:\n{self.log_tail()}")

    def wait_projections(self, token: str, timeout: float = 600) -> None:
        """Until every projection has applied the store's last event: a read
        with ``min_position`` answers 200 then (503 until; /readyz no longer
        tells strangers the positions)."""
        from app.application.store import Store as EventStore

        events = EventStore(self.store.settings())
        try:
            last = events.last_position()
        finally:
            events.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = httpx.get(f"{self.base}/v1/board", params={"limit": 1, "min_position": last},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
            if r.status_code == 200:
                return
            time.sleep(0.05)
        raise RuntimeError("the projections did not catch up")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self._log is not None:
            self._log.close()
            self._log = None


def token(store: Store, sub: str, role: str) -> str:
    done = subprocess.run([GENDAN, "token", "--sub", sub, "--role", role], cwd=store.var_dir,
                          env=store.env(), check=True, capture_output=True, text=True,
                          timeout=60)
    return done.stdout.strip()
