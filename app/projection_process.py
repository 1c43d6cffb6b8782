"""`gendan serve`'s projection worker in a process of its own (issue 14, item 2).

In the API process the projection runner shares the GIL with the requests:
issue 3 measured it as one of the two big costs of a command. On PostgreSQL
`gendan serve` therefore starts ``gendan projections run --until-stdin-closes``
as a child and supervises it: restarted with a backoff when it dies, stopped
(SIGTERM, then SIGKILL) when serve stops. The child's standard input is a pipe
whose only writer is serve: when serve dies, even by ``kill -9``, the kernel
closes it and the child stops on the end of file, so no worker outlives
its server. The child wakes on PostgreSQL's NOTIFY (app/projections/runner.py),
so it needs nothing else from serve.

Why not on SQLite by default: see ``projection_process`` in app/cli.py.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping

from app.config import Settings

log = logging.getLogger("gendan.projections")

COMMAND = ("-m", "app.cli", "projections", "run", "--until-stdin-closes")
# The first restart comes soon (a killed worker); one that keeps dying at
# once (the database is gone) is restarted less and less often.
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 10.0
# A worker that lived this long was healthy: the next restart is quick again.
HEALTHY_SECONDS = 30.0
# run_forever stops within about half a second (its LISTEN waits 0.5 s).
STOP_SECONDS = 5.0


def stop_when_stdin_closes(stop: threading.Event) -> None:
    """In the child: set ``stop`` once standard input reaches its end, that
    is once the parent that holds the pipe's other end is gone."""

    def watch() -> None:
        # The raw descriptor, not sys.stdin: a daemon thread blocked in a
        # buffered read aborts the interpreter's shutdown (its lock is held).
        try:
            while os.read(0, 4096):
                pass  # serve never writes; anything read is ignored
        except OSError:
            pass
        if not stop.is_set():
            log.info("projection worker: the server is gone, stopping")
        stop.set()

    threading.Thread(target=watch, name="gendan-parent-watch", daemon=True).start()


def migrate_until_done(settings: Settings, stop: threading.Event) -> None:
    """In the child: the schema up to date before the runner reads it,
    retried while the database does not answer (as the API's boot does).
    serve's API migrates at the same time; PostgreSQL's advisory lock makes
    the two take turns and the second finds nothing to do."""
    from app.application.migrate import migrate

    delay = FIRST_BACKOFF
    while not stop.is_set():
        try:
            migrate(settings)
            return
        except Exception as exc:  # noqa: BLE001 - retried until the database answers
            log.warning("projection worker: migration failed, retrying in %.1fs: %s",
                        delay, exc)
            stop.wait(delay)
            delay = min(delay * 2, MAX_BACKOFF)


class ProjectionProcess:
    """One supervised child running the projection worker."""

    def __init__(self, env: Mapping[str, str], *, migrate: bool = True):
        self.env = dict(env)
        self.command = [sys.executable, *COMMAND, *(["--migrate"] if migrate else [])]
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="gendan-projection-process",
                                        daemon=True)

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """SIGTERM the worker, wait for it, SIGKILL it if it does not stop."""
        self._stopping.set()
        with self._lock:  # no new child after this point
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning("projection worker [%s] did not stop; killing it", process.pid)
                process.kill()
                process.wait()
        self._thread.join(STOP_SECONDS)

    def _spawn(self) -> subprocess.Popen | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            # Its own session: a Ctrl-C in the terminal reaches serve, which
            # stops the worker in order, not both at once.
            self._process = subprocess.Popen(self.command, env=self.env,
                                             stdin=subprocess.PIPE, start_new_session=True)
            return self._process

    def _supervise(self) -> None:
        backoff = FIRST_BACKOFF
        while (process := self._spawn()) is not None:
            log.info("projection worker [%s] started", process.pid)
            started = time.monotonic()
            code = process.wait()
            process.stdin.close()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > HEALTHY_SECONDS:
                backoff = FIRST_BACKOFF
            log.warning("projection worker [%s] exited with %s; restarting in %.1fs",
                        process.pid, code, backoff)
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
