"""`gendan` as an operator runs it: real processes, real ports, signals."""

from __future__ import annotations

import signal
import stat
import subprocess
import time

import httpx
import pytest

from tests.live import free_port
from tests.processes import GENDAN, Processes, clean_env, wait_until


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path, clean_env())
    yield procs
    procs.stop_all()


def test_serve_on_the_embedded_default(processes, tmp_path):
    """No settings at all: ./var/gendan.db and a secret made once, mode 0600."""
    port = free_port()
    server = processes.start("serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_until(f"{base}/healthz")
    ready = wait_until(f"{base}/readyz").json()
    assert ready == {"status": "ready"}  # nothing more to an anonymous caller
    secret = tmp_path / "var" / "jwt-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert (tmp_path / "var" / "gendan.db").exists()

    token = processes.run("token", "--sub", "chen", "--role", "manager")
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{base}/v1/customers", json={"name": "Kiwi Ltd", "country": "NZ"},
                         headers=headers)
    assert created.status_code == 201 and created.json()["region"] == "Oceania"
    anonymous = httpx.post(f"{base}/v1/customers", json={"name": "x", "country": "NZ"})
    assert anonymous.status_code == 401

    server.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    assert b"Finished server process" in server.stderr.read()
    # The same secret and data after a restart.
    processes.start("serve", "--port", str(port))
    wait_until(f"{base}/readyz")
    got = httpx.get(f"{base}/v1/customers/{created.json()['id']}", headers=headers)
    assert got.status_code == 200 and got.json()["name"] == "Kiwi Ltd"


def test_token_refuses_a_lifetime_past_the_maximum(tmp_path):
    """`gendan token --ttl` beyond GENDAN_TOKEN_MAX_TTL_HOURS (24 h): one
    line, exit 1, no token."""
    def token(ttl: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([GENDAN, "token", "--sub", "chen", "--role", "manager",
                               "--ttl", ttl], cwd=tmp_path, env=clean_env(**env),
                              capture_output=True, text=True, timeout=120)

    refused = token("90000")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "gendan token: ttl 90000 s is longer than the 24 h a token may live "
        "(GENDAN_TOKEN_MAX_TTL_HOURS)"]
    assert token("86400").returncode == 0
    assert token("90000", GENDAN_TOKEN_MAX_TTL_HOURS="48").returncode == 0


def test_scaled_out_on_postgres(databases, tmp_path):
    """Two API processes without projections, one projection worker that is
    killed and replaced: reads catch up exactly, nothing applied twice."""
    settings = databases.settings("postgres")
    env = clean_env(GENDAN_DATABASE_URL=settings.database_url,
                    GENDAN_JWT_SECRET=settings.jwt_secret,
                    GENDAN_RUN_PROJECTIONS="false", GENDAN_READ_WAIT_SECONDS="1")
    procs = Processes(tmp_path, env)
    try:
        procs.run("migrate")
        ports = [free_port(), free_port()]
        for port in ports:
            procs.start("serve", "--no-migrate", "--port", str(port))
        worker = procs.start("projections", "run")
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_until(f"{base}/readyz")
        token = procs.run("token", "--sub", "chen", "--role", "manager")
        headers = {"Authorization": f"Bearer {token}"}

        def create_customer(base: str, n: int) -> int:
            response = httpx.post(f"{base}/v1/customers", headers=headers,
                                  json={"name": f"Customer {n}", "country": "DE"})
            assert response.status_code == 201
            return n

        for n in range(4):
            create_customer(bases[n % 2], n)
        position = httpx.get(f"{bases[0]}/v1/events", params={"after": 0, "limit": 100},
                             headers=headers).json()["data"][-1]["position"]
        audit = httpx.get(f"{bases[1]}/v1/audit", params={"min_position": position},
                          headers=headers)
        assert audit.status_code == 200 and len(audit.json()["data"]) == 4

        worker.kill()
        worker.wait(timeout=30)
        create_customer(bases[0], 4)
        stale = httpx.get(f"{bases[1]}/v1/audit", params={"min_position": position + 1},
                          headers=headers)
        assert stale.status_code == 503 and stale.headers["Retry-After"]
        procs.start("projections", "run")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            audit = httpx.get(f"{bases[1]}/v1/audit", params={"min_position": position + 1},
                              headers=headers)
            if audit.status_code == 200:
                break
        assert [row["position"] for row in audit.json()["data"]] == [1, 2, 3, 4, 5]
    finally:
        procs.stop_all()
