"""Group commit's write rate (issue 14, item 3), in process.

    python -m bench.group_commit [--store postgres|sqlite] [--commands N]
                                 [--threads 16] [--runs 3]

PostgreSQL on a PRIVATE throwaway cluster started here (tests/pgcluster.py;
never the machine's 5432), or a SQLite file in a temporary directory. Side
by side in one run, ``--runs`` rounds of two workloads:

- ``command``: load + command + save (the mix of bench.library);
- ``save``: a new customer built and saved (no load: the recorder's share
  is largest, so it shows the write path's own ceiling);

each as the library's single-save rate (one thread, the plain recorder),
then from ``--threads`` threads with group commit off and on (with the mean
number of commands per transaction). Prints each round, the medians and
the ratios to the single-save rate. FACTS.md's raw figures: 4,200 inserts/s
at one row per commit, 67,000/s at 100 rows per commit (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from datetime import date

for _key in [k for k in os.environ if k.startswith("GENDAN_")]:
    del os.environ[_key]  # a clean GENDAN_* environment, as bench.run has it


from app.application import Gendan  # noqa: E402
from app.application.migrate import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.domain.order import Order  # noqa: E402
from bench.library import COMMAND_WEIGHTS, LINES, MANAGER, MERCHANDISER, TERMS, command_for  # noqa: E402
from bench.stores import private_store  # noqa: E402


def seed_orders(gendan: Gendan, count: int) -> list[str]:
    customer = gendan.customers.register_customer("Nordwind GmbH", "DE", MANAGER).view
    return [gendan.orders.create_order(
        reference=f"GC-{i}", customer_id=customer["id"], currency="USD", incoterm="FOB",
        delivery_date=date(2027, 3, 1), samples_required=True, payment_terms=dict(TERMS),
        lines=[dict(line) for line in LINES], actor=MERCHANDISER).view["id"]
        for i in range(count)]


class _SQLiteGroupSettings(Settings):
    """config.py names the plain SQLite recorder; this names the grouped one."""

    def eventsourcing_env(self, *, create_table: bool = False) -> dict[str, str]:
        env = super().eventsourcing_env(create_table=create_table)
        if self.group_commit and not self.is_postgres:
            env["APPLICATION_RECORDER_TOPIC"] = (
                "app.application.group_commit:GroupCommitSQLiteRecorder")
        return env


def run_commands(gendan: Gendan, orders: list[str], commands: int, threads: int,
                 seed: int, workload: str) -> float:
    """Commands per second: ``commands`` of ``workload`` spread over
    ``threads`` threads (each its own random orders and mix)."""
    per_thread = commands // threads
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        names = rng.choices(list(COMMAND_WEIGHTS), weights=list(COMMAND_WEIGHTS.values()),
                            k=per_thread)
        start.wait()
        for name in names:
            if workload == "save":
                gendan.customers.register_customer("Nordwind GmbH", "DE", MANAGER)
            else:
                gendan.store.update(rng.choice(orders), Order, "Order", command_for(name),
                                    gendan.orders.view)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    t0 = time.perf_counter()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    apps: dict[str, Gendan] = {}
    with private_store(args.store, "gendan_group_commit") as (url, tmp, cluster):
        try:
            on = _SQLiteGroupSettings(database_url=url, var_dir=tmp, group_commit=True)
            migrate(on)
            apps = {"off": Gendan(on.model_copy(update={"group_commit": False})), "on": Gendan(on)}
            orders = seed_orders(apps["off"], args.orders)
            print(f"# {args.store}: {len(orders)} orders seeded; {args.commands} commands per "
                  f"figure, {args.threads} threads; load: {os.getloadavg()[0]:.2f}", flush=True)
            for workload in ("command", "save"):
                measure(apps, orders, workload, args)
            print("# FACTS.md raw inserts: 4,200/s one row per commit, 67,000/s at 100 rows "
                  "per commit (PostgreSQL); SQLite 6,800/s and 146,000-181,000/s", flush=True)
        finally:
            for app in apps.values():
                app.close()
    return 0


def measure(apps: dict[str, Gendan], orders: list[str], workload: str,
            args: argparse.Namespace) -> None:
    rates: dict[str, list[float]] = {"single": [], "off": [], "on": []}
    batch_sizes: list[float] = []
    for run in range(1, args.runs + 1):
        rates["single"].append(run_commands(apps["off"], orders, args.commands // 3, 1, run,
                                            workload))
        rates["off"].append(run_commands(apps["off"], orders, args.commands, args.threads, run,
                                         workload))
        group = apps["on"].store.recorder.group
        transactions, commands = group.transactions, group.commands
        rates["on"].append(run_commands(apps["on"], orders, args.commands, args.threads, run,
                                        workload))
        batch_sizes.append((group.commands - commands) / (group.transactions - transactions))
        print(f"{workload} run {run}: single-save {rates['single'][-1]:,.0f}/s, "
              f"{args.threads} threads off {rates['off'][-1]:,.0f}/s, "
              f"on {rates['on'][-1]:,.0f}/s (mean batch {batch_sizes[-1]:.1f})", flush=True)
    single, off, gc = (statistics.median(rates[k]) for k in ("single", "off", "on"))
    print(f"{workload} median of {args.runs}: single-save {single:,.0f}/s; "
          f"{args.threads} threads: group commit off {off:,.0f}/s ({off / single:.2f}x), "
          f"on {gc:,.0f}/s ({gc / single:.2f}x single, {gc / off:.2f}x off); "
          f"mean batch {statistics.median(batch_sizes):.1f} commands/transaction; "
          f"load: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
