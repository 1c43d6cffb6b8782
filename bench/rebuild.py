"""The rebuild rate alone (issue 14, item 4), without the rest of `make bench`.

    python -m bench.rebuild --store sqlite|postgres [--orders N] [--runs 3]

Seeds a fresh store with ``bench.library.Seeder`` (a SQLite file in a
temporary directory, or a database on a PRIVATE throwaway PostgreSQL cluster
started here with initdb/pg_ctl, never the machine's cluster), then times
``rebuild_all(settings)`` ``--runs`` times on the same events and prints
each run and the median as ``events seconds events/s``. ``--profile FILE``
runs one more rebuild under cProfile and writes its stats there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# A clean GENDAN_* environment, as bench.run has it.
for _key in [k for k in os.environ if k.startswith("GENDAN_")]:
    del os.environ[_key]

import psycopg  # noqa: E402

from app.application.migrate import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.projections.runner import rebuild_all  # noqa: E402
from bench.library import Seeder  # noqa: E402
from tests.pgcluster import INSTALL_HINT, PgCluster, find_bindir  # noqa: E402

TARGET = 30_000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE", help="cProfile one more rebuild")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix=f"gendan-rebuild-{args.store}-"))
    cluster = None
    try:
        if args.store == "postgres":
            bindir = find_bindir()
            if bindir is None:
                raise SystemExit(INSTALL_HINT)
            cluster = PgCluster(bindir).start()
            with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
                conn.execute('CREATE DATABASE "gendan_rebuild"')
            url = f"postgresql://postgres@127.0.0.1:{cluster.port}/gendan_rebuild"
        else:
            url = f"sqlite:///{tmp / 'gendan.db'}"
        settings = Settings(database_url=url, var_dir=tmp)
        migrate(settings)
        t0 = time.perf_counter()
        seeded = Seeder(settings, seed=args.seed).add(args.orders)
        print(f"# seeded {args.orders} orders, {seeded['events']} events "
              f"in {time.perf_counter() - t0:.1f} s ({args.store})", file=sys.stderr, flush=True)

        rates = []
        for run in range(1, args.runs + 1):
            t0 = time.perf_counter()
            events = rebuild_all(settings)
            seconds = time.perf_counter() - t0
            rates.append((events / seconds, events, seconds))
            print(f"run {run}: {events} events {seconds:.3f} s {events / seconds:,.0f} events/s",
                  flush=True)
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
    finally:
        if cluster is not None:
            cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
