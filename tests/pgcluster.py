"""A throwaway PostgreSQL cluster that belongs to the tests.

The suite used to run on the machine's cluster on 5432, and the outage test
stopped it with pg_ctlcluster: `make test` stopped a developer's database.
A private cluster (`initdb` + `pg_ctl` in a temporary directory, on a free
port) needs PostgreSQL installed, not running, and the tests may stop it at
will. It starts in ~2 s (shared/FACTS.md).
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
                "apt-get install -y postgresql")
# pg_ctl's own wait is 60 s; a busy 2-core machine can need more.
WAIT_SECONDS = "120"


# Clusters not yet removed. The fixtures remove theirs; this is the net for
# a session cut short (Ctrl-C) before their teardown ran: a server left
# running would outlive pytest and keep its port and directory.
_ALIVE: set[PgCluster] = set()


@atexit.register
def _remove_leftovers() -> None:
    for cluster in list(_ALIVE):
        cluster.remove()


class PgClusterError(RuntimeError):
    """initdb or pg_ctl failed; the message carries their output."""


def find_bindir() -> Path | None:
    """The bin directory of the newest installed PostgreSQL (Debian's layout),
    else wherever `initdb` is on PATH, else None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)])
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One private cluster: superuser `postgres`, trust auth, TCP on
    127.0.0.1 only, its unix socket in its own directory (so it never meets
    the machine's /var/run/postgresql).

    The first start() runs initdb; stop() and start() again keep the data and
    the port (the outage test stops it under a live server); remove() stops it
    and deletes the directory.
    """

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir: Path | None = None
        self.port = 0
        self.running = False

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> PgCluster:
        if self.dir is None:
            return self._create()
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._pg_ctl("start", "-l", str(self.dir / "log"), "-o", options)
        self.running = True
        return self

    def stop(self) -> None:
        # The pid file also catches a start that timed out with the server up.
        if self.running or (self.dir and (self.dir / "data" / "postmaster.pid").exists()):
            self._pg_ctl("stop", "-m", "fast")
            self.running = False

    def remove(self) -> None:
        """Stop and delete; also after a failed start, so no directory leaks."""
        try:
            self.stop()
        except PgClusterError:
            pass  # already gone (a signal reached it): deleting is what matters
        finally:
            if self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            _ALIVE.discard(self)

    def _create(self) -> PgCluster:
        # Not under pytest's tmp_path: that is 0700 root's, and the server
        # runs as `postgres`.
        self.dir = Path(tempfile.mkdtemp(prefix="gendan-pg-"))
        _ALIVE.add(self)
        try:
            if os.geteuid() == 0:
                shutil.chown(self.dir, "postgres", "postgres")
            # C.UTF-8 like the machine's cluster: text sorts the same everywhere.
            self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C.UTF-8")
            return self._start_on_a_free_port()
        except BaseException:
            self.remove()
            raise

    def _start_on_a_free_port(self) -> PgCluster:
        # The port is free when chosen but another process may take it before
        # the server binds it: try a few.
        attempts = 3
        while True:
            attempts -= 1
            self.port = _free_port()
            try:
                return self.start()
            except PgClusterError:
                if not attempts:
                    raise

    def _pg_ctl(self, action: str, *args: str) -> None:
        assert self.dir is not None
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-w", "-t", WAIT_SECONDS,
                  action, *args)

    def _run(self, tool: str, *args: str) -> None:
        """Run a PostgreSQL tool as `postgres` (initdb and pg_ctl refuse root).
        A new session keeps the server out of the terminal's process group,
        so a Ctrl-C reaches pytest, which then stops the server itself."""
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            done = subprocess.run(command, cwd=self.dir, capture_output=True, text=True,
                                  check=False, start_new_session=True,
                                  timeout=int(WAIT_SECONDS) + 30)
        except subprocess.TimeoutExpired:
            raise PgClusterError(f"{shlex.join(command)} did not finish{self._log_tail()}")
        if done.returncode != 0:
            raise PgClusterError(f"{shlex.join(command)} failed ({done.returncode}): "
                                 f"{done.stderr.strip()}{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.dir / "log" if self.dir else None
        if log is None or not log.exists():
            return ""
        return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-5:])
