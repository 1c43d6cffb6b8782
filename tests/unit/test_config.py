"""Settings refuse a store the service cannot run on when they load, not
with an IndexError deep in the first request or migration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.cli import main
from app.config import Settings

SUPPORTED = ("sqlite:///", "postgresql://", "memory:")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", [
    "sqlite:///./var/gendan.db",
    "sqlite:////srv/gendan/gendan.db",
    "postgresql://gendan:secret@db.internal:5432/gendan",
    "postgresql+psycopg://gendan@127.0.0.1/gendan",
    "postgres://gendan@127.0.0.1/gendan",
    "memory:",
])
def test_supported_stores_load(url: str) -> None:
    assert Settings(database_url=url).database_url == url


@pytest.mark.parametrize("url", [
    "mysql://h/db", "foo", "sqlite://", "sqlite:relative.db", "postgresql:gendan", "memory",
])
def test_an_unsupported_store_is_refused_naming_the_supported_ones(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(database_url=url)
    assert isinstance(refused.value, ValueError)
    message = str(refused.value)
    assert "unsupported database URL" in message
    assert all(scheme in message for scheme in SUPPORTED)


def test_the_cli_exits_with_the_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GENDAN_DATABASE_URL", "mysql://gendan:secret@h/db")
    with pytest.raises(SystemExit) as exited:
        main(["migrate"])
    message = exited.value.code
    assert isinstance(message, str)  # printed to stderr, exit status 1
    assert message.startswith("gendan: GENDAN_DATABASE_URL: unsupported database URL 'mysql:...'")
    assert all(scheme in message for scheme in SUPPORTED)
    assert "secret" not in message


def test_gendan_migrate_with_an_unsupported_store_fails_at_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
    env["GENDAN_DATABASE_URL"] = "mysql://gendan:secret@h/db"
    done = subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "GENDAN_DATABASE_URL: unsupported database URL 'mysql:...'" in done.stderr
    assert "secret" not in done.stderr
