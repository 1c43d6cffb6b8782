"""The targets table of issue 14 ("Speed of the command path"), printed at
the end of `make bench`: every figure of the issue's Targets table, its
target, PASS/MISS and what it was measured against, from one run.

Rows marked "(extra)" are not in the issue's table: they split a figure
(the API process alone, group commit off) or carry the outage test's other
bounds, so a MISS can be read without another run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.report import Target

LE_2MS = Target("<=", 2.0, "<= 2.0 ms")
RATIO_060 = Target(">=", 0.60, ">= 0.60")


@dataclass(frozen=True)
class Row:
    key: str
    figure: str
    stores: tuple[str, ...]
    unit: str
    target: Target | None


def rows(large_events: int, small_events: int) -> list[Row]:
    big, small = _count(large_events), _count(small_events)
    pg, both = ("postgres",), ("sqlite", "postgres")
    return [
        Row("cpu_per_command", "server CPU per HTTP command (commands-only phase, "
            "the `gendan serve` process tree)", pg, "ms", LE_2MS),
        Row("cpu_per_command_api", "(extra) the same, the API process alone "
            "(without a projection child)", pg, "ms", LE_2MS),
        Row("http_vs_library", "HTTP / library command rate (commands-only at concurrency 16, "
            "Idempotency-Key on every command, projections running)", pg, "ratio", RATIO_060),
        Row("http_vs_library_single", "(extra) the same with GENDAN_GROUP_COMMIT=false",
            pg, "ratio", RATIO_060),
        Row("group_commit_vs_library", "HTTP commands/s at concurrency 16 with group commit "
            "/ library single-save rate", pg, "ratio", Target(">=", 1.5, ">= 1.5")),
        Row("lag_p99", "projection lag p99 at max rate (the mix at concurrency 16)", both, "ms",
            Target("<", 100.0, "< 100 ms")),
        Row("rebuild", "rebuild, rebuild_all", both, "events/s",
            Target(">=", 30_000.0, ">= 30,000 events/s")),
        Row("outage_command", "503 (with Retry-After) to a command after the database stops",
            pg, "s", Target("<=", 3.0, "<= 3 s")),
        Row("outage_read", "(extra) 503 to a read after the database stops", pg, "s",
            Target("<=", 3.0, "<= 3 s")),
        Row("outage_ready", "(extra) /readyz not ready after the database stops", pg, "s",
            Target("<=", 1.0, "<= 1 s")),
        Row("outage_recovery", "(extra) commands and /readyz back after the database's return",
            pg, "s", Target("<=", 2.0, "<= 2 s")),
        Row("growth_p50", f"command p50 at {big} stored events / at {small}", both, "ratio",
            Target("<=", 1.20, "within 20 % (<= 1.20)")),
        Row("rss", "resident memory of `gendan serve` (process tree) at 100k orders", both,
            "MiB", None),
        Row("workers", "`gendan serve --workers 2` / one process, commands/s at "
            "concurrency 16", pg, "ratio", Target(">=", 1.6, ">= 1.6")),
    ]


def _count(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}k" if n >= 1000 else str(n)


def shown(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "ratio":
        return f"{value:.2f}"
    if abs(value) >= 1000:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.3g} {unit}" if unit != "s" else f"{value:.2f} s"


class TargetTable:
    """Values recorded as the phases measure them; ``lines()`` is the table."""

    def __init__(self, kinds: list[str], *, quick: bool, large_events: int,
                 small_events: int, orders: int = 100_000):
        self.kinds, self.quick = kinds, quick
        self.rows = rows(large_events, small_events)
        if orders != 100_000:
            self.rows = [Row(r.key, r.figure.replace("100k orders", f"{_count(orders)} orders"),
                             r.stores, r.unit, r.target) for r in self.rows]
        self.values: dict[tuple[str, str], tuple[float, str]] = {}
        self.missing: dict[tuple[str, str], str] = {}

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def record(self, key: str, store: str, value: float, against: str = "") -> None:
        if key not in {r.key for r in self.rows}:
            raise KeyError(key)
        self.values[(key, store)] = (value, against)

    def not_measured(self, key: str, store: str, why: str) -> None:
        self.missing[(key, store)] = why

    def verdicts(self) -> list[tuple[Row, str, float, str, str]]:
        """(row, store, value, verdict, against) for every row and store."""
        out = []
        for row in self.rows:
            for store in row.stores:
                if (row.key, store) in self.values:
                    value, against = self.values[(row.key, store)]
                    verdict = "-" if row.target is None else row.target.check(value)[1]
                elif store not in self.kinds:
                    value, against, verdict = math.nan, "", f"not measured (no --store {store})"
                else:
                    value, against = math.nan, ""
                    verdict = f"not measured ({self.missing.get((row.key, store), 'failed')})"
                out.append((row, store, value, verdict, against))
        return out

    def lines(self) -> list[str]:
        sizes = "--quick sizes: smaller stores and counts" if self.quick else "full sizes"
        out = [f"# ==== issue 14 targets (one run, {sizes}) ====",
               "| figure | store | value | target | verdict | measured against |",
               "|---|---|---|---|---|---|"]
        passed = total = 0
        for row, store, value, verdict, against in self.verdicts():
            target = row.target.text if row.target else "(a figure, no target)"
            if row.target is not None and not row.figure.startswith("(extra)"):
                total += 1
                passed += verdict == "PASS"
            out.append(f"| {row.figure} | {store} | {shown(value, row.unit)} | {target} | "
                       f"{verdict} | {against} |")
        out.append(f"# issue 14: {passed} of {total} targets PASS (extra rows not counted)")
        return out

    def print(self) -> None:
        for line in self.lines():
            print(line, flush=True)
