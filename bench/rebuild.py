"""The rebuild rate alone (issue 14, item 4), without the rest of `make bench`.

    python -m bench.rebuild --store sqlite|postgres [--orders N] [--runs 3]

Seeds a fresh store with ``bench.library.Seeder`` (a SQLite file in a
temporary directory, or a database on a PRIVATE throwaway PostgreSQL cluster
started here with initdb/pg_ctl, never the machine's cluster), then times
``rebuild_all(settings)`` ``--runs`` times on the same events and prints
each run and the median as ``events seconds events/s``. ``--profile FILE``
runs one more rebuild under cProfile and writes its stats there.

Each run also prints the CPU it took per event, where it was spent: this
process (the rebuild's main process), its children (the audit helper it
forks, app/projections/rebuild.py) and, on PostgreSQL, the private
cluster's server processes. On a shared machine the wall-clock rate moves
with the other load; the CPU figures much less, and they say what bounds the
rate: the main process's CPU per event bounds it on any number of cores,
the total's half bounds it on two.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

# A clean GENDAN_* environment, as bench.run has it.
for _key in [k for k in os.environ if k.startswith("GENDAN_")]:
    del os.environ[_key]


from app.application.migrate import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.projections.runner import rebuild_all  # noqa: E402
from bench.library import Seeder  # noqa: E402
from tests.pgcluster import PgCluster  # noqa: E402
from bench.stores import private_store  # noqa: E402

TARGET = 30_000.0


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(cluster: PgCluster | None) -> float:
    """CPU seconds of the cluster's postmaster, its live processes and the
    ones it has reaped (Linux /proc); 0 without a cluster."""
    if cluster is None or cluster.dir is None:
        return 0.0
    postmaster = int((cluster.dir / "data" / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(entry) == postmaster:
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE", help="cProfile one more rebuild")
    args = parser.parse_args()

    with private_store(args.store, "gendan_rebuild") as (url, tmp, cluster):
        settings = Settings(database_url=url, var_dir=tmp)
        migrate(settings)
        t0 = time.perf_counter()
        seeded = Seeder(settings, seed=args.seed).add(args.orders)
        print(f"# seeded {args.orders} orders, {seeded['events']} events "
              f"in {time.perf_counter() - t0:.1f} s ({args.store})", file=sys.stderr, flush=True)

        rates = []
        for run in range(1, args.runs + 1):
            before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), \
                _server_cpu(cluster)
            t0 = time.perf_counter()
            events = rebuild_all(settings)
            seconds = time.perf_counter() - t0
            time.sleep(0.2)  # the server reaps the rebuild's backends
            main, helper, server = (
                (after - was) / max(events, 1) * 1e6 for after, was in zip(
                    (_cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN),
                     _server_cpu(cluster)), before))
            rates.append((events / seconds, events, seconds))
            print(f"run {run}: {events} events {seconds:.3f} s {events / seconds:,.0f} events/s"
                  f"  # CPU per event: main {main:.1f} us, helper {helper:.1f} us"
                  + (f", server {server:.1f} us" if cluster else "")
                  + f"; bound by main {1e6 / main:,.0f}/s, by the total on 2 cores "
                  f"{2e6 / (main + helper + server):,.0f}/s", flush=True)
        rate, events, seconds = sorted(rates)[len(rates) // 2]
        verdict = "PASS" if rate >= TARGET else "MISS"
        print(f"{args.store}.rebuild median of {len(rates)}: {events} events {seconds:.3f} s "
              f"{rate:,.0f} events/s  # target >= {TARGET:,.0f}: {verdict}", flush=True)
        if len(rates) > 1:
            spread = statistics.pstdev(r for r, *_ in rates) / rate * 100
            print(f"# spread {spread:.1f} % of the median", flush=True)

        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            rebuild_all(settings)
            profiler.disable()
            profiler.dump_stats(args.profile)
            print(f"# cProfile stats in {args.profile}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
