"""One commands-only run against a server that is already up: the phase
that the issue-14 comparisons repeat (``--workers 2``, group commit off, a
small and a large store), measured as bench.run's own commands-only phase
is: a warm-up, then the plan at a fixed concurrency with the CPU meter
running, then a wait for the projections; and the comparisons themselves."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.load import COMMANDS_ONLY, Driver, Pool, make_plan
from bench.profile import sampled
from bench.report import CpuMeter, Report, percentile, progress
from bench.server import Server
from bench.stores import Store
from bench.targets import TargetTable


@dataclass(frozen=True)
class CommandsRun:
    count: int
    ok: int
    seconds: float
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def cpu_ms(self, who: str = "server") -> float:
        """CPU of ``who`` per request, in ms."""
        return self.cpu[who] / 100 * self.seconds / self.count * 1000


@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float


def run_commands(server: Server, driver: Driver, pool: Pool, rng: random.Random, *,
                 count: int, warmup: int, concurrency: int, postgres: bool,
                 quiet: Callable[[str], None], label: str, manager_token: str,
                 run: Callable, profile: Path | None = None,
                 ) -> tuple[CommandsRun, Latency]:
    """``run`` runs a coroutine to completion (bench.run.run_async)."""
    run(driver.closed_loop(make_plan(rng, warmup, pool, COMMANDS_ONLY), concurrency))
    server.wait_projections(manager_token)
    plan = make_plan(rng, count, pool, COMMANDS_ONLY)
    quiet(label)
    meter = CpuMeter(server.pid, postgres)
    with sampled(server.pid, profile):
        meter.start()
        results, elapsed = run(driver.closed_loop(plan, concurrency))
        cpu = meter.stop()
    server.wait_projections(manager_token)
    ok = [r.latency * 1000 for r in results if 200 <= r.status < 300]
    return (CommandsRun(len(results), len(ok), elapsed, cpu),
            Latency(percentile(ok, 50), percentile(ok, 99)))


def compare_servers(store: Store, pool: Pool, tokens: dict[str, str], rng: random.Random,
                    sizes, report: Report, table: TargetTable, one_rate: float,
                    *, client: str, serve_args: tuple[str, ...],
                    quiet: Callable[[str], None], run: Callable) -> dict[str, float]:
    """PostgreSQL: the commands-only run again on the same store and pool,
    with `--workers 2` and with group commit off (issue 14): their rates."""
    rates = {}
    runs = {"workers2": (("--workers", "2"), {}),
            "single_commit": (serve_args, {"GENDAN_GROUP_COMMIT": "false"})}
    for name, (args, env) in runs.items():
        progress(f"postgres: commands only, {name}: `gendan serve {' '.join(args)}` "
                 + " ".join(f"{k}={v}" for k, v in env.items()))
        with Server(store, *args, env=env) as server:
            result, latency = run_commands(
                server, Driver(server.base, tokens, client), pool, rng,
                count=sizes.commands_only, warmup=sizes.warmup, concurrency=sizes.concurrency,
                postgres=True, quiet=quiet, label=f"commands only, {name}",
                manager_token=tokens["manager"], run=run)
        p = f"postgres.http.commands_only.{name}"
        report.figure(f"{p}.commands_per_s", result.rate, "1/s")
        report.figure(f"{p}.command.p99", latency.p99, "ms")
        report.figure(f"{p}.cpu.server_per_request", result.cpu_ms(), "ms")
        report.figure(f"{p}.cpu.db", result.cpu["db"], "%core")
        report.figure(f"{p}.cpu.other", result.cpu["other"], "%core")
        report.figure(f"{p}.errors", result.count - result.ok, "count")
        rates[name] = result.rate
        if name == "workers2":
            ratio = result.rate / one_rate
            report.figure("postgres.ratio.workers2_vs_one", ratio, "ratio",
                          table.row("workers").target)
            if serve_args:
                table.not_measured("workers", "postgres",
                                   f"the run's own server is {' '.join(serve_args)}")
            else:
                table.record("workers", "postgres", ratio,
                             f"{result.rate:.0f}/s vs {one_rate:.0f}/s (commands-only above)")
    return rates
