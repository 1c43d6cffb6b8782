"""`gendan` as an operator runs it: real processes on real ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

GENDAN = str(Path(sys.executable).parent / "gendan")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
    env.update(extra)
    return env


def wait_until(url: str, status: int = 200, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer {status} within {timeout}s")


class Processes:
    """Starts `gendan` subcommands and kills whatever is left at the end."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.cwd, self.env, self.running = cwd, env, []

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen:
        process = subprocess.Popen([GENDAN, *args], cwd=self.cwd, env={**self.env, **extra_env},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.running.append(process)
        return process

    def run(self, *args: str) -> str:
        done = subprocess.run([GENDAN, *args], cwd=self.cwd, env=self.env, check=True,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.strip()

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
