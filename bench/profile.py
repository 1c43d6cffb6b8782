"""Optional profiling (``--profile DIR``): py-spy samples the server during
the maximum-rate phase and this process during the rebuild, and the
functions that dominate are printed. py-spy is not a project dependency:
``.venv/bin/pip install py-spy`` first."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import progress


def py_spy() -> str | None:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


@contextmanager
def sampled(pid: int, out: Path | None, rate: int = 250, gil: bool = False) -> Iterator[None]:
    """py-spy record of ``pid`` while the block runs (nothing when out is None).
    ``gil``: only the thread holding the GIL (where the CPU goes) instead of
    every thread that is not idle (where the time goes, waits included)."""
    exe = py_spy() if out is not None else None
    if out is not None and exe is None:
        progress("--profile: py-spy not found (.venv/bin/pip install py-spy); not profiling")
    if exe is None:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([exe, "record", "--pid", str(pid), "--rate", str(rate),
                             "--format", "raw", "--output", str(out), "--nonblocking",
                             "--subprocesses", *(["--gil"] if gil else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if out.exists():
        # The summary beside the raw stacks too: the closing note quotes its top entries.
        summary = summarise(out)
        out.with_suffix(".summary.txt").write_text(summary + "\n")
        progress(f"profile written to {out}\n{summary}")


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    parts = Path(path).parts
    if "site-packages" in parts:
        path = "/".join(parts[parts.index("site-packages") + 1:])
    elif "app" in parts:
        path = "/".join(parts[parts.index("app"):])
    else:
        path = Path(path).name
    return f"{name} ({path})"


def _idle(frames: list[str]) -> bool:
    """A thread parked waiting for work (threadpool queue, runner wake-up,
    event loop poll), not a request waiting for the database."""
    leaf = frames[-1]
    if not leaf.startswith(("Condition.wait", "select", "poll", "_run_once")):
        return False
    joined = ";".join(frames)
    return any(k in joined for k in ("Queue.get", "Event.wait", "BaseEventLoop.run_forever",
                                     "notifies", "Server.serve"))


def summarise(path: Path, top: int = 20) -> str:
    """Where the non-idle samples are: self time, inclusive time of the
    project's and libraries' functions, and (deepest app/ frame -> leaf)."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    total = idle = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";")[1:]]  # [0] is the thread
        if not frames:
            continue
        if _idle(frames):
            idle += n
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            incl[frame] += n
        app = [f for f in frames if "(app/" in f]
        pairs[f"{app[-1] if app else '-'}  ->  {frames[-1]}"] += n
    if not total:
        return "(no samples)"
    lines = [f"{total} busy samples ({idle} idle left out); self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("inclusive (app, eventsourcing, sqlalchemy, fastapi, pydantic, psycopg, ...):")
    keys = ("app/", "eventsourcing/", "sqlalchemy/", "fastapi/", "pydantic", "psycopg/",
            "json", "starlette/", "uvicorn/", "alembic/", "jwt/")
    shown = [(f, n) for f, n in incl.most_common() if any(k in f for k in keys)][:top]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in shown]
    lines.append("deepest app frame -> leaf:")
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in pairs.most_common(top)]
    return "\n".join(lines)
