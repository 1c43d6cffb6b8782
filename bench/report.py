"""Output: one ``name value unit`` line per figure on stdout (easy to diff),
with the target and PASS/MISS in a trailing comment; progress on stderr."""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

_T0 = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass(frozen=True)
class Target:
    op: str          # ">=", "<" or "<="
    bound: float
    text: str        # how the README/issue states it

    def check(self, value: float) -> tuple[bool, str]:
        if math.isnan(value):
            return False, "MISS (no value)"
        ok = {">=": value >= self.bound, "<": value < self.bound,
              "<=": value <= self.bound}[self.op]
        if ok:
            return True, "PASS"
        if self.op == ">=":
            return False, f"MISS ({value / self.bound:.2f}x of target)"
        return False, f"MISS ({value / self.bound:.1f}x the limit)"


class Report:
    def __init__(self) -> None:
        self.figures: list[tuple[str, float, str]] = []
        self.verdicts: list[tuple[str, float, str, Target, bool, str]] = []

    def fact(self, text: str) -> None:
        print(f"# {text}", flush=True)

    def figure(self, name: str, value: float, unit: str, target: Target | None = None,
               note: str = "") -> None:
        self.figures.append((name, value, unit))
        shown = f"{value:.1f}" if abs(value) >= 100 else f"{value:.3g}" if value else "0"
        if unit in ("count", "events", "orders"):
            shown = str(int(value))
        line = f"{name:<46} {shown:>10} {unit}"
        comment = []
        if target is not None:
            ok, verdict = target.check(value)
            self.verdicts.append((name, value, unit, target, ok, verdict))
            comment.append(f"target {target.text}: {verdict}")
        if note:
            comment.append(note)
        if comment:
            line = f"{line:<66} # {'; '.join(comment)}"
        print(line, flush=True)

    def summary(self) -> None:
        print("# ---- targets ----", flush=True)
        for name, value, unit, target, ok, verdict in self.verdicts:
            print(f"# {'PASS' if ok else 'MISS'}  {name} = {value:.4g} {unit} "
                  f"(target {target.text}) {'' if ok else verdict}", flush=True)


# ---- CPU accounting (Linux /proc): who uses the two cores during a phase ----------
_HZ = os.sysconf("SC_CLK_TCK")


def _proc_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: uvicorn's workers, and the projection
    worker when `gendan serve` starts one (and whatever that one starts)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _tree_ticks(pid: int) -> int:
    """CPU of a process and everything below it."""
    return _proc_ticks(pid) + sum(_proc_ticks(p) for p in descendants(pid))


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_rss_mib(pid: int) -> tuple[float, int]:
    """Resident memory of a process and everything below it (the sum of
    VmRSS: pages shared between forked processes count once per process),
    and how many processes that is."""
    pids = [pid, *descendants(pid)]
    return sum(_rss_kib(p) for p in pids) / 1024, len(pids)


def _postgres_ticks() -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.find(b"(") + 1:raw.rfind(b")")]
        if comm.startswith(b"postgres"):
            fields = raw.rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def _machine_busy_ticks() -> int:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts[:8]) - idle


class CpuMeter:
    """CPU of the client (this process), the server (the process started and
    everything below it; ``api``: the started process alone), the PostgreSQL
    processes and the whole machine between ``start()`` and ``stop()``, in %
    of one core (200 % = both cores busy)."""

    def __init__(self, server_pid: int | None, postgres: bool):
        self.server_pid, self.postgres = server_pid, postgres

    def _snap(self) -> dict[str, float]:
        t = os.times()
        return {
            "wall": time.monotonic(),
            "client": t.user + t.system,
            "server": _tree_ticks(self.server_pid) / _HZ if self.server_pid else 0.0,
            "api": _proc_ticks(self.server_pid) / _HZ if self.server_pid else 0.0,
            "db": _postgres_ticks() / _HZ if self.postgres else 0.0,
            "machine": _machine_busy_ticks() / _HZ,
        }

    def start(self) -> None:
        self._a = self._snap()

    def stop(self) -> dict[str, float]:
        b = self._snap()
        wall = max(b["wall"] - self._a["wall"], 1e-9)
        used = {k: 100 * (b[k] - self._a[k]) / wall
                for k in ("client", "server", "api", "db", "machine")}
        used["other"] = max(0.0, used["machine"] - used["client"] - used["server"] - used["db"])
        return used


def _all_ticks() -> dict[int, tuple[str, int]]:
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = raw.rsplit(b")", 1)[1].split()
        comm = raw[raw.find(b"(") + 1:raw.rfind(b")")].decode(errors="replace")
        ticks[int(entry)] = (cmd[:80] or comm, int(fields[11]) + int(fields[12]))
    return ticks


def wait_for_quiet(max_wait: float, threshold: float = 30.0) -> float:
    """Wait (at most ``max_wait`` s) until the machine's busy CPU over one
    second is below ``threshold`` % of a core: other work on these two cores
    (a test run, a build) would distort every figure. The last busy share;
    the busiest processes are named on stderr when it is not quiet."""
    deadline = time.monotonic() + max_wait
    warned = False
    while True:
        a, t0, before = _machine_busy_ticks(), time.monotonic(), _all_ticks()
        time.sleep(1.0)
        wall = time.monotonic() - t0
        busy = 100 * (_machine_busy_ticks() - a) / _HZ / wall
        if busy >= threshold and (not warned or time.monotonic() >= deadline):
            after = _all_ticks()
            top = sorted(((100 * (t - before[pid][1]) / _HZ / wall, pid, cmd)
                          for pid, (cmd, t) in after.items() if pid in before), reverse=True)[:3]
            named = [f"{pct:.0f}% pid {pid} {cmd}" for pct, pid, cmd in top if pct >= 5]
            if named:
                progress("busiest: " + "; ".join(named))
        if busy < threshold or time.monotonic() >= deadline:
            if busy >= threshold:
                progress(f"machine still {busy:.0f} %core busy with other work; measuring anyway")
            return busy
        if not warned:
            progress(f"machine {busy:.0f} %core busy with other work; waiting up to "
                     f"{max_wait:.0f} s for it to calm down")
            warned = True
