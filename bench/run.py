"""The benchmark of issues 3 and 14 ("Speed, measured against the limit";
"Speed of the command path").

    make bench                                  # both stores, full sizes (~25 min)
    python -m bench.run --store sqlite|postgres|both [--quick]

For each store, in one run: the library's in-process baseline, the real
server (`gendan serve`) driven over loopback HTTP with the 70/20/10 mix at a
fixed concurrency (maximum rate) and then open-loop at half that rate,
projection lag, board query latency at 10k and 100k orders, and the rebuild
rate of all projections; then issue 14's: PostgreSQL's commands-only run
again with `--workers 2` and with group commit off, command latency and CPU
at 10k and 1M stored events (bench.growth), the resident memory of the
server at 100k orders, and a database outage on a private cluster
(bench.outage). The run ends with the issue-14 targets table
(bench.targets): every figure of the issue with its target and PASS/MISS.
Figures go to stdout as ``name value unit`` lines
(targets and PASS/MISS in a trailing comment); progress goes to stderr.
Client, server and database share this machine's cores: the CPU lines say
who used how much of them during each HTTP phase.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import psycopg

# The server gets a clean GENDAN_* environment; so does this process.
for _key in [k for k in os.environ if k.startswith("GENDAN_") and not k.startswith("GENDAN_BENCH")]:
    del os.environ[_key]

from app.application import Gendan  # noqa: E402
from app.projections.runner import ProjectionRunner, rebuild_all  # noqa: E402
from app.application.migrate import migrate  # noqa: E402
from bench import library  # noqa: E402
from bench.commands import compare_servers  # noqa: E402
from bench.growth import growth_phase  # noqa: E402
from bench.load import COMMANDS_ONLY, MIX, Driver, LagProbe, make_plan  # noqa: E402
from bench.outage import outage_phase  # noqa: E402
from bench.profile import sampled  # noqa: E402
from bench.report import (  # noqa: E402
    CpuMeter, Report, Target, percentile, progress, tree_rss_mib, wait_for_quiet,
)
from bench.server import Server, token  # noqa: E402
from bench.stores import Store, fresh_store, pg_admin_check  # noqa: E402
from bench.targets import TargetTable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

RATIO = Target(">=", 0.60, ">= 0.60 of library")
P99_HALF = Target("<", 50.0, "< 50 ms")
LAG_P99 = Target("<", 250.0, "< 250 ms")
BOARD_P99 = Target("<", 20.0, "< 20 ms at 100k orders")
# Issue 14 raised issue 3's 20,000 events/s (bench.targets).
REBUILD = Target(">=", 30_000.0, ">= 30,000 events/s")

BOARD_QUERIES = {
    "all": "/v1/board?limit=50",
    "in_production": "/v1/board?state=in_production&limit=50",
    "overdue": "/v1/board?overdue=true&limit=50",
    "in_production_overdue": "/v1/board?state=in_production&overdue=true&limit=50",
}


@dataclass(frozen=True)
class Sizes:
    library: int = 2000          # creates, then commands, in-process
    concurrency: int = 16
    pool_orders: int = 300
    pool_customers: int = 20
    warmup: int = 100
    max_requests: int = 3000     # the mix at fixed concurrency
    commands_only: int = 1000    # 100 % commands at fixed concurrency (for the ratio)
    half_requests: int = 1500    # the mix, open loop at half the maximum rate
    board_requests: int = 300
    board_small: int = 10_000
    board_large: int = 100_000
    growth_small: int = 10_000       # stored events (issue 14, item 6)
    growth_large: int = 1_000_000
    growth_templates: int = 300      # seeded orders the growth filler copies


QUICK = Sizes(library=500, pool_orders=100, warmup=50, max_requests=600, commands_only=300,
              half_requests=400, board_requests=100, board_small=2_000, board_large=10_000,
              growth_large=100_000)


def machine_facts(report: Report, kinds: list[str], sizes: Sizes, quick: bool,
                  client: str, workers: int = 1) -> None:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "-"

    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), platform.machine())
    mem = next((line.split()[1] for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), "0")
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        head = "-"
    report.fact(f"gendan bench, {'--quick' if quick else 'full'} run of {', '.join(kinds)} "
                f"at {time.strftime('%Y-%m-%d %H:%M:%S %z')}, git {head}")
    report.fact(f"nproc {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); {model}; "
                f"{int(mem) / 1024 / 1024:.1f} GiB; load average {os.getloadavg()[0]:.2f} "
                f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    report.fact(f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
                + (f"PostgreSQL {pg_admin_check()} on loopback; " if "postgres" in kinds else "")
                + f"eventsourcing {version('eventsourcing')}, fastapi {version('fastapi')}, "
                f"uvicorn {version('uvicorn')}, httpx {version('httpx')}")
    report.fact(f"sizes: library {sizes.library} creates + {sizes.library} commands; HTTP mix "
                f"{sizes.max_requests} requests at concurrency {sizes.concurrency}, "
                f"{sizes.commands_only} commands-only, {sizes.half_requests} open-loop at half "
                f"rate; pool {sizes.pool_orders} orders; board {sizes.board_requests} GETs per "
                f"query at {sizes.board_small} and {sizes.board_large} orders; growth "
                f"{sizes.growth_small} and {sizes.growth_large} stored events")
    serve = "`gendan serve`, one process" if workers == 1 else f"`gendan serve --workers {workers}`"
    report.fact(f"client ({client}, this process), server ({serve}, its default settings: "
                "projections and group commit as it runs them) and database share these "
                "cores; every POST carries its own Idempotency-Key")


def run_async(coro):
    try:
        import uvloop
        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


def ms(seconds: float) -> float:
    return seconds * 1000


def k_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def count_board_rows(store: Store) -> int:
    if store.kind == "postgres":
        with psycopg.connect(store.url) as conn:
            return conn.execute("SELECT count(*) FROM rm_board").fetchone()[0]
    with sqlite3.connect(store.url.split("sqlite:///", 1)[1]) as conn:
        return conn.execute("SELECT count(*) FROM rm_board").fetchone()[0]


def latency_figures(report: Report, prefix: str, results, target_p99: Target | None = None):
    commands = [ms(r.latency) for r in results if r.kind == "command" and 200 <= r.status < 300]
    p = {q: percentile(commands, q) for q in (50, 95, 99)}
    report.figure(f"{prefix}.command.p50", p[50], "ms")
    report.figure(f"{prefix}.command.p95", p[95], "ms")
    report.figure(f"{prefix}.command.p99", p[99], "ms", target_p99)
    return p


def cpu_figures(report: Report, prefix: str, cpu: dict[str, float]) -> None:
    for who in ("client", "server", "db", "other", "machine"):
        report.figure(f"{prefix}.cpu.{who}", cpu[who], "%core",
                      note="of 200 %core" if who == "machine" else "")


def bench_store(kind: str, sizes: Sizes, report: Report, table: TargetTable, seed: int,
                profile_dir: Path | None = None, quiet_wait: float = 60,
                client: str = "raw", profile_gil: bool = False,
                serve_args: tuple[str, ...] = ()) -> None:
    rng = random.Random(seed)
    p = kind

    waited = [0.0]

    def prof(label: str) -> Path | None:
        return profile_dir / f"{kind}-{label}.txt" if profile_dir else None

    def quiet(label: str) -> None:
        # At most ``quiet_wait`` s per phase and twice that per store in all,
        # so a busy machine cannot stretch the run past its time budget.
        t0 = time.monotonic()
        busy = wait_for_quiet(min(quiet_wait, max(0.0, 2 * quiet_wait - waited[0])))
        waited[0] += time.monotonic() - t0
        report.fact(f"{kind} {label}: machine {busy:.0f} %core busy just before")

    # ---- 1. the library's own rate, in-process ------------------------------------------
    with fresh_store(kind, "lib") as store:
        progress(f"{kind}: library baseline ({sizes.library} creates, {sizes.library} commands)")
        migrate(store.settings())
        quiet("library baseline")
        lib = library.baseline(store.settings(), sizes.library, seed)
    report.figure(f"{p}.library.create_per_s", lib["create_per_s"], "1/s")
    report.figure(f"{p}.library.command_per_s", lib["command_per_s"], "1/s",
                  note="load + one command + save")
    report.figure(f"{p}.library.command_cpu", lib["command_cpu_ms"], "ms",
                  note="CPU of this process per command")
    if kind == "postgres":
        report.figure(f"{p}.library.command_db_cpu", lib["command_db_cpu_ms"], "ms",
                      note="CPU of PostgreSQL per command")
    report.figure(f"{p}.library.cpu.other", lib["other"], "%core")

    with fresh_store(kind, "http") as store:
        # ---- 2. the real server over HTTP -------------------------------------------------
        progress(f"{kind}: starting `gendan serve` (fresh store, migrated by serve)")
        known_orders = 0
        with Server(store, *serve_args) as server:
            tokens = {role: token(store, f"bench.{role}", role)
                      for role in ("manager", "accountant", "merchandiser")}
            driver = Driver(server.base, tokens, client)
            progress(f"{kind}: pool of {sizes.pool_orders} orders over HTTP")
            pool = run_async(driver.setup_pool(sizes.pool_customers, sizes.pool_orders, rng))
            known_orders += len(pool.orders)
            run_async(driver.closed_loop(make_plan(rng, sizes.warmup, pool, MIX),
                                         sizes.concurrency))
            server.wait_projections(tokens["manager"])

            def phase(label: str, plan, *, rate: float | None = None, probe_every: int = 0):
                quiet(label)
                meter = CpuMeter(server.pid, kind == "postgres")
                probe = LagProbe(store) if probe_every else None
                if probe:
                    probe.__enter__()
                try:
                    with sampled(server.pid, prof(label), gil=profile_gil):
                        meter.start()
                        if rate is None:
                            results, elapsed = run_async(
                                driver.closed_loop(plan, sizes.concurrency, probe))
                        else:
                            results, elapsed = run_async(driver.open_loop(plan, rate, probe=probe))
                        cpu = meter.stop()
                finally:
                    if probe:
                        probe.__exit__(None, None, None)
                server.wait_projections(tokens["manager"])
                return results, elapsed, cpu, probe

            progress(f"{kind}: maximum rate, {sizes.max_requests} requests of the mix at "
                     f"concurrency {sizes.concurrency}")
            plan = make_plan(rng, sizes.max_requests, pool, MIX, probe_every=10)
            results, elapsed, cpu, probe = phase("max", plan, probe_every=10)
            ok = [r for r in results if 200 <= r.status < 300]
            commands = sum(1 for r in ok if r.kind == "command")
            creates = sum(1 for r in ok if r.kind == "create")
            known_orders += creates
            max_rps = len(results) / elapsed
            cmd_rate = commands / elapsed
            report.figure(f"{p}.http.requests_per_s", max_rps, "1/s")
            report.figure(f"{p}.http.commands_per_s", cmd_rate, "1/s",
                          note="commands on existing orders only")
            report.figure(f"{p}.http.writes_per_s", (commands + creates) / elapsed, "1/s",
                          note="commands + new orders")
            report.figure(f"{p}.ratio.http_vs_library", cmd_rate / lib["command_per_s"], "ratio",
                          RATIO if kind == "postgres" else None,
                          note="" if kind == "postgres" else "target applies to PostgreSQL")
            latency_figures(report, f"{p}.http", results)
            reads = [ms(r.latency) for r in ok if r.kind == "read"]
            report.figure(f"{p}.http.read.p99", percentile(reads, 99), "ms")
            cpu_figures(report, f"{p}.http", cpu)
            report.figure(f"{p}.http.cpu.server_per_request",
                          cpu["server"] / 100 * elapsed / len(results) * 1000, "ms")
            report.figure(f"{p}.http.cpu.client_per_request",
                          cpu["client"] / 100 * elapsed / len(results) * 1000, "ms",
                          note=f"{client} client, lag probe included")
            report.figure(f"{p}.lag.at_max.p50", ms(percentile(probe.lags, 50)), "ms",
                          note=f"{len(probe.lags)} samples")
            lag_max = ms(percentile(probe.lags, 99))
            report.figure(f"{p}.lag.at_max.p99", lag_max, "ms", table.row("lag_p99").target)
            table.record("lag_p99", kind, lag_max,
                         f"{len(probe.lags)} samples at {max_rps:.0f} requests/s")
            report.figure(f"{p}.http.errors", len(results) - len(ok), "count")

            progress(f"{kind}: maximum rate, {sizes.commands_only} commands only")
            plan = make_plan(rng, sizes.commands_only, pool, COMMANDS_ONLY)
            results, elapsed, cpu, _ = phase("commands_only", plan)
            only = sum(1 for r in results if 200 <= r.status < 300) / elapsed
            report.figure(f"{p}.http.commands_only.commands_per_s", only, "1/s")
            report.figure(f"{p}.ratio.commands_only_vs_library", only / lib["command_per_s"],
                          "ratio", table.row("group_commit_vs_library").target
                          if kind == "postgres" else None,
                          note="100 % commands, no reads or creates; issue 14 also >= 0.60")
            report.figure(f"{p}.http.commands_only.command.p99",
                          percentile([ms(r.latency) for r in results], 99), "ms")
            report.figure(f"{p}.http.commands_only.cpu.server", cpu["server"], "%core")
            cpu_only = cpu["server"]
            cpu_tree = cpu["server"] / 100 * elapsed / len(results) * 1000
            cpu_api = cpu["api"] / 100 * elapsed / len(results) * 1000
            report.figure(f"{p}.http.commands_only.cpu.server_per_request", cpu_tree, "ms",
                          table.row("cpu_per_command").target if kind == "postgres" else None,
                          note="the server's process tree")
            report.figure(f"{p}.http.commands_only.cpu.api_per_request", cpu_api, "ms",
                          note="the started process alone")
            report.figure(f"{p}.http.commands_only.cpu.db", cpu["db"], "%core")
            report.figure(f"{p}.http.commands_only.cpu.other", cpu["other"], "%core")
            report.figure(f"{p}.http.commands_only.cpu.client", cpu["client"], "%core")
            report.figure(f"{p}.http.commands_only.errors",
                          sum(1 for r in results if not 200 <= r.status < 300), "count")

            rate = max_rps / 2
            progress(f"{kind}: half rate, {sizes.half_requests} requests of the mix, open loop "
                     f"at {rate:.0f}/s")
            plan = make_plan(rng, sizes.half_requests, pool, MIX, probe_every=3)
            results, elapsed, cpu, probe = phase("half", plan, rate=rate, probe_every=3)
            ok = [r for r in results if 200 <= r.status < 300]
            known_orders += sum(1 for r in ok if r.kind == "create")
            report.figure(f"{p}.half.offered_requests_per_s", rate, "1/s")
            report.figure(f"{p}.half.commands_per_s",
                          sum(1 for r in ok if r.kind == "command") / elapsed, "1/s")
            latency_figures(report, f"{p}.half", results, P99_HALF)
            cpu_figures(report, f"{p}.half", cpu)
            report.figure(f"{p}.lag.p50", ms(percentile(probe.lags, 50)), "ms",
                          note=f"{len(probe.lags)} samples at half rate, polled every 2 ms")
            report.figure(f"{p}.lag.p99", ms(percentile(probe.lags, 99)), "ms", LAG_P99)
            report.figure(f"{p}.half.errors", len(results) - len(ok), "count")
            if driver.failures:
                progress(f"{kind}: failures {driver.failures}; e.g. {driver.failure_samples}")

        if kind == "postgres":
            rates = compare_servers(store, pool, tokens, rng, sizes, report, table, only,
                                    client=client, serve_args=serve_args, quiet=quiet,
                                    run=run_async)
            # The library's rate again, right after the HTTP runs: other work on a
            # shared machine can halve one baseline; the ratios use the higher of
            # the two (the harder bar), and name both.
            with fresh_store(kind, "lib2") as again:
                progress(f"{kind}: library baseline again")
                migrate(again.settings())
                quiet("library baseline again")
                lib2 = library.baseline(again.settings(), sizes.library, seed + 1)
            report.figure(f"{p}.library.command_per_s.again", lib2["command_per_s"], "1/s",
                          note="after the HTTP runs")
            library_rate = max(lib["command_per_s"], lib2["command_per_s"])
            libs = (f"library {library_rate:.0f}/s, the higher of {lib['command_per_s']:.0f} "
                    f"and {lib2['command_per_s']:.0f} (load + command + save)")
            ratio = only / library_rate
            report.figure(f"{p}.ratio.commands_only_vs_library.higher", ratio, "ratio",
                          table.row("group_commit_vs_library").target, note=libs)
            single = rates["single_commit"] / library_rate
            report.figure("postgres.ratio.single_commit_vs_library", single, "ratio",
                          table.row("http_vs_library_single").target)
            table.record("http_vs_library", kind, ratio, f"HTTP {only:.0f}/s vs {libs}")
            table.record("group_commit_vs_library", kind, ratio, f"HTTP {only:.0f}/s vs {libs}")
            table.record("http_vs_library_single", kind, single,
                         f"HTTP {rates['single_commit']:.0f}/s vs library {library_rate:.0f}/s")
            table.record("cpu_per_command", kind, cpu_tree,
                         f"{cpu_only:.0f} %core over {only:.0f} commands/s; "
                         f"library {min(lib['command_cpu_ms'], lib2['command_cpu_ms']):.2f} ms "
                         "in-process")
            if serve_args:
                table.not_measured("cpu_per_command_api", kind, f"run with {' '.join(serve_args)}")
            else:
                table.record("cpu_per_command_api", kind, cpu_api,
                             f"projection child {cpu_tree - cpu_api:.2f} ms")

        # ---- 4. board queries at 10k and 100k orders ----------------------------------------
        settings = store.settings()
        seeder = library.Seeder(settings, seed=seed)

        def board_at(size: int) -> None:
            label = k_label(size)
            rows = count_board_rows(store)
            report.figure(f"{p}.board.{label}.orders", rows, "orders")
            with Server(store, *serve_args) as server:
                driver = Driver(server.base, {"manager": token(store, "bench.manager", "manager")},
                                client)
                quiet(f"board at {label}")
                meter = CpuMeter(server.pid, kind == "postgres")
                meter.start()
                for name, path in BOARD_QUERIES.items():
                    with sampled(server.pid, prof(f"board-{label}-{name}"), gil=profile_gil):
                        lat = run_async(driver.sequential(path, "manager", sizes.board_requests))
                    target = BOARD_P99 if size >= 100_000 else None
                    report.figure(f"{p}.board.{label}.{name}.p50", ms(percentile(lat, 50)), "ms")
                    report.figure(f"{p}.board.{label}.{name}.p99", ms(percentile(lat, 99)), "ms",
                                  target)
                report.figure(f"{p}.board.{label}.cpu.other", meter.stop()["other"], "%core",
                              note="other work on the machine during the board queries")
                if size == sizes.board_large:
                    rss, procs = tree_rss_mib(server.pid)
                    report.figure(f"{p}.server.rss.{label}", rss, "MiB",
                                  note=f"VmRSS summed over {procs} processes, after the queries")
                    table.record("rss", kind, rss,
                                 f"{rows} orders; {procs} process(es), VmRSS summed")

        add = max(0, sizes.board_small - known_orders)
        progress(f"{kind}: seeding {add} orders through the library (500 per save)")
        seeded = seeder.add(add)
        report.figure(f"{p}.seed.orders_per_s", seeded["orders"] / seeded["seconds"], "1/s",
                      note=f"{seeded['events'] / seeded['orders']:.2f} events per order")
        progress(f"{kind}: projections catching up")
        gendan = Gendan(settings)
        runner = ProjectionRunner(settings, gendan.store)
        quiet("catch-up")
        meter = CpuMeter(None, kind == "postgres")
        try:
            meter.start()
            t0 = time.perf_counter()
            caught = runner.run_until_caught_up()
            catchup_s = time.perf_counter() - t0
            cpu = meter.stop()
        finally:
            runner.stop()
            gendan.close()
        report.figure(f"{p}.projections.catchup_events_per_s", caught / catchup_s, "1/s",
                      note=f"{caught} events, ProjectionRunner.run_until_caught_up")
        report.figure(f"{p}.projections.catchup.cpu.bench", cpu["client"], "%core")
        report.figure(f"{p}.projections.catchup.cpu.db", cpu["db"], "%core")
        report.figure(f"{p}.projections.catchup.cpu.other", cpu["other"], "%core")
        progress(f"{kind}: board queries at {k_label(sizes.board_small)} orders")
        board_at(sizes.board_small)

        add = sizes.board_large - sizes.board_small
        progress(f"{kind}: seeding {add} more orders")
        seeded = seeder.add(add)
        report.figure(f"{p}.seed.orders_per_s.large", seeded["orders"] / seeded["seconds"], "1/s")

        # ---- 5. rebuild of every projection (it also brings them up to date) ------------
        progress(f"{kind}: rebuild_all")
        quiet("rebuild")
        meter = CpuMeter(None, kind == "postgres")
        with sampled(os.getpid(), prof("rebuild"), gil=profile_gil):
            meter.start()
            t0 = time.perf_counter()
            events = rebuild_all(settings)
            rebuild_s = time.perf_counter() - t0
            cpu = meter.stop()
        report.figure(f"{p}.rebuild.store.events", events, "events")
        report.figure(f"{p}.rebuild.seconds", rebuild_s, "s")
        report.figure(f"{p}.rebuild.events_per_s", events / rebuild_s, "1/s", REBUILD)
        report.figure(f"{p}.rebuild.cpu.bench", cpu["client"], "%core",
                      note="rebuild_all runs in this process")
        report.figure(f"{p}.rebuild.cpu.db", cpu["db"], "%core")
        report.figure(f"{p}.rebuild.cpu.other", cpu["other"], "%core")
        progress(f"{kind}: board queries at {k_label(sizes.board_large)} orders")
        board_at(sizes.board_large)
        table.record("rebuild", kind, events / rebuild_s,
                     f"{events} events in {rebuild_s:.1f} s, rebuild_all")

    # ---- 6. cost as the work grows (issue 14, item 6) -----------------------------------
    growth_phase(kind, sizes, report, table, seed, client=client, serve_args=serve_args,
                  quiet=quiet, run=run_async)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true",
                        help="smaller counts (2k/10k orders), about 3 minutes")
    parser.add_argument("--seed", type=int, default=20260117)
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="py-spy the server in each HTTP phase and board query, and this "
                             "process in the rebuild; raw stacks to DIR, summaries to stderr "
                             "(needs `.venv/bin/pip install py-spy`; profiling slows the figures)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="`gendan serve --workers N` (default 1: `gendan serve` as is)")
    parser.add_argument("--profile-gil", action="store_true",
                        help="with --profile: sample only the thread holding the GIL (where "
                             "the CPU goes) instead of every busy thread (where the time goes)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: asyncio + httptools, ~0.07 ms CPU per request (default); "
                             "httpx: ~1.7 ms per request, it takes a core from the server")
    parser.add_argument("--quiet-wait", type=float, default=None, metavar="S",
                        help="before each timed phase wait up to S seconds (2*S per store in "
                             "all) for other work on the machine to stop (default 60, --quick 15)")
    args = parser.parse_args(argv)
    if args.quiet_wait is None:
        args.quiet_wait = 15.0 if args.quick else 60.0

    def _terminate(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    serve_args = ("--workers", str(args.workers)) if args.workers > 1 else ()
    sizes = QUICK if args.quick else Sizes()
    report = Report()
    table = TargetTable(kinds, quick=args.quick, large_events=sizes.growth_large,
                        small_events=sizes.growth_small, orders=sizes.board_large)
    started = time.monotonic()
    try:
        machine_facts(report, kinds, sizes, args.quick, args.client, args.workers)
        for kind in kinds:
            bench_store(kind, sizes, report, table, args.seed, args.profile, args.quiet_wait,
                        args.client, args.profile_gil, serve_args)
        if "postgres" in kinds:
            outage_phase(report, table, run_async)
    except KeyboardInterrupt:
        progress("interrupted: servers stopped, temporary databases dropped")
        return 130
    report.summary()
    report.fact(f"wall time {time.monotonic() - started:.0f} s; load average now "
                + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
