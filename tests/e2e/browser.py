"""Headless Chromium for the e2e tests: load a page, let its scripts run, and
return the DOM they leave (``--dump-dom``).

A fresh profile per run; every fetch beyond 127.0.0.1 goes to a proxy on the
discard port, which refuses, so a page that needed the internet shows it.
Chromium is Debian's (``.ci/run`` installs it); without it the test fails,
never skips.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed: `apt-get install -y chromium` (.ci/run does it)",
                pytrace=False)


def dump_dom(url: str, profile: Path, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The DOM of ``url`` once the page is idle or ``budget_ms`` of virtual
    time has passed (virtual time stands still while a fetch is pending)."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", f"--user-data-dir={profile}",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
         f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
