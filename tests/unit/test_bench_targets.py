"""The issue-14 targets table `make bench` ends with: every row of the issue
gets a verdict, and a row that was not measured says why instead of passing."""

from __future__ import annotations

import math

import pytest

from bench.report import Target
from bench.targets import TargetTable


def table(kinds=("sqlite", "postgres")) -> TargetTable:
    return TargetTable(list(kinds), quick=False, large_events=1_000_000, small_events=10_000)


def verdict(t: TargetTable, key: str, store: str) -> str:
    return next(v for row, s, _, v, _ in t.verdicts() if row.key == key and s == store)


def test_every_issue_row_is_in_the_table():
    keys = {row.key for row in table().rows}
    assert {"cpu_per_command", "http_vs_library", "group_commit_vs_library", "lag_p99",
            "rebuild", "outage_command", "growth_p50", "rss", "workers"} <= keys
    figures = " ".join(row.figure for row in table().rows)
    assert "1M stored events / at 10k" in figures


def test_pass_and_miss_follow_the_targets_direction():
    t = table()
    t.record("cpu_per_command", "postgres", 2.0)          # <= 2.0 ms: the bound passes
    t.record("http_vs_library", "postgres", 0.59)         # >= 0.60
    t.record("lag_p99", "sqlite", 100.0)                  # < 100 ms: the bound misses
    t.record("growth_p50", "postgres", 1.19)
    assert verdict(t, "cpu_per_command", "postgres") == "PASS"
    assert verdict(t, "http_vs_library", "postgres").startswith("MISS")
    assert verdict(t, "lag_p99", "sqlite").startswith("MISS")
    assert verdict(t, "growth_p50", "postgres") == "PASS"


def test_unmeasured_rows_say_why_and_never_pass():
    t = table(kinds=("sqlite",))
    t.not_measured("rebuild", "sqlite", "it crashed")
    assert verdict(t, "rebuild", "sqlite") == "not measured (it crashed)"
    assert verdict(t, "workers", "postgres") == "not measured (no --store postgres)"
    assert verdict(t, "lag_p99", "sqlite") == "not measured (failed)"
    t.record("lag_p99", "sqlite", math.nan)
    assert verdict(t, "lag_p99", "sqlite").startswith("MISS")


def test_the_printed_table_counts_the_issue_rows_only():
    t = table(kinds=("postgres",))
    t.record("cpu_per_command", "postgres", 1.0, "library 1.2 ms")
    t.record("cpu_per_command_api", "postgres", 0.5)    # an extra row: not counted
    t.record("rss", "postgres", 300.0)                  # no target: not counted
    lines = t.lines()
    assert lines[-1].startswith("# issue 14: 1 of ")
    row = next(line for line in lines if line.startswith("| server CPU"))
    assert "| 1 ms | <= 2.0 ms | PASS | library 1.2 ms |" in row
    assert any("| 300 MiB | (a figure, no target) | - |" in line for line in lines)


def test_unknown_rows_are_refused():
    with pytest.raises(KeyError):
        table().record("no such figure", "postgres", 1.0)


def test_at_most_bound():
    assert Target("<=", 3.0, "").check(3.0)[0]
    assert not Target("<=", 3.0, "").check(3.01)[0]
