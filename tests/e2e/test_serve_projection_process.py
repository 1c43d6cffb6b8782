"""`gendan serve` runs the projection worker as its own process on
PostgreSQL (issue 14, item 2), in the API process on SQLite: one command
for the operator, a supervised child, no orphan when serve stops or dies."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.live import free_port
from tests.processes import Processes, clean_env, wait_until

WORKER = "--until-stdin-closes"  # what serve's projection child is started with


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid`` and their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat.parent.name)] = cmdline
    return found


def workers(pid: int) -> list[int]:
    return [child for child, cmdline in children(pid).items() if WORKER in cmdline]


def apis(pid: int) -> list[int]:
    return [child for child, cmdline in children(pid).items() if "spawn_main" in cmdline]


def alive(pid: int) -> bool:
    """Running, not a zombie (the container's init may not reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def eventually(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


class Service:
    def __init__(self, procs: Processes, settings, *args: str, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = procs.start("serve", "--port", str(self.port), *args, **env)
        wait_until(f"{self.base}/readyz")
        from app.api.auth import issue_token

        token = issue_token(settings, "chen", "manager")
        self.headers = {"Authorization": f"Bearer {token}"}

    def command_shows_in_the_audit(self, name: str) -> None:
        """A new customer, read back from the audit read model once the
        projections reached its position (read-your-writes)."""
        created = self._call("POST", "/v1/customers", json={"name": name, "country": "DE"})
        assert created.status_code == 201, created.text
        events = self._call("GET", "/v1/events", params={"after": 0, "limit": 500})
        assert events.status_code == 200, events.text
        position = events.json()["data"][-1]["position"]
        audit = self._call("GET", "/v1/audit", params={"min_position": position})
        assert audit.status_code == 200, audit.text
        assert position in [row["position"] for row in audit.json()["data"]]

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        """As a client does: a 503 "starting" (with --workers N, /readyz
        answered from one process while another still starts) is retried."""
        deadline = time.monotonic() + 20
        while True:
            response = httpx.request(method, f"{self.base}{path}", headers=self.headers,
                                     timeout=30, **kwargs)
            if response.status_code != 503 or time.monotonic() > deadline:
                return response
            time.sleep(0.1)


@pytest.fixture
def service(databases, store, tmp_path):
    settings = databases.settings(store)
    procs = Processes(tmp_path, clean_env(GENDAN_DATABASE_URL=settings.database_url,
                                          GENDAN_JWT_SECRET=settings.jwt_secret,
                                          GENDAN_VAR_DIR=str(settings.var_dir)))
    yield lambda *args, **env: Service(procs, settings, *args, **env)
    procs.stop_all()


@pytest.mark.parametrize("forced", [None, "true", "false"])
def test_where_the_projections_run(service, store, forced):
    """By default a child on PostgreSQL and none on SQLite;
    GENDAN_PROJECTION_PROCESS forces either way on both stores."""
    api = service(**({"GENDAN_PROJECTION_PROCESS": forced} if forced else {}))
    in_a_child = store == "postgres" if forced is None else forced == "true"
    if in_a_child:
        assert eventually(lambda: len(workers(api.process.pid)) == 1, 10)
    api.command_shows_in_the_audit("Kiwi Ltd")
    assert len(workers(api.process.pid)) == (1 if in_a_child else 0)
    if not in_a_child:
        assert children(api.process.pid) == {}


def test_a_killed_worker_is_restarted_and_serve_stops_it(service, store):
    api = service(GENDAN_PROJECTION_PROCESS="true")
    [first] = eventually(lambda: workers(api.process.pid), 10)
    api.command_shows_in_the_audit("Before Ltd")
    os.kill(first, signal.SIGKILL)
    [second] = eventually(lambda: [w for w in workers(api.process.pid) if w != first], 30)
    api.command_shows_in_the_audit("After Ltd")

    api.process.send_signal(signal.SIGTERM)
    # Stopped in order, the exit status as without a child.
    assert api.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert not alive(second)
    errors = api.process.stderr.read().decode()  # serve's and its workers'
    assert "Traceback" not in errors and "Fatal Python error" not in errors, errors


def test_a_killed_serve_leaves_no_worker_behind(service, store):
    api = service(GENDAN_PROJECTION_PROCESS="true")
    [worker] = eventually(lambda: workers(api.process.pid), 10)
    api.process.kill()  # kill -9: serve cannot stop its child itself
    api.process.wait(timeout=30)
    assert eventually(lambda: not alive(worker), 15), "the worker outlived its server"


def test_several_api_processes_share_one_worker(service, store):
    api = service("--workers", "2", GENDAN_PROJECTION_PROCESS="true")
    [worker] = eventually(lambda: workers(api.process.pid), 10)
    # uvicorn's two API processes (multiprocessing spawns them), one worker.
    assert eventually(lambda: len(apis(api.process.pid)) == 2, 30)
    assert workers(api.process.pid) == [worker]
    started = [worker, *apis(api.process.pid)]
    for n in range(3):  # whichever API process answers
        api.command_shows_in_the_audit(f"Customer {n}")
    api.process.send_signal(signal.SIGTERM)
    api.process.wait(timeout=30)
    assert not any(alive(pid) for pid in started)
