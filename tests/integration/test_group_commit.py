"""Group commit (issue 14, item 3; app/application/group_commit.py): commands
that reach the store while another commits are appended in one transaction,
each still all-or-nothing with its own positions, the global order gap-free.

To make "arrive together" certain rather than a matter of timing, a test
holds the store's write lock (PostgreSQL: the events table's EXCLUSIVE lock,
as every save takes it; SQLite: the database's write lock) while its
commands queue, then lets go. Both stores run the same cases; SQLite's
recorder is chosen here until config.py names it (see the module)."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from app.application import Gendan
from app.application.dto import Preconditions
from app.application.eventstore import PostgresRecorder
from app.application.group_commit import (
    GroupCommitRecorder,
    GroupCommitSQLiteRecorder,
    _Committed,
)
from app.application.idempotency import KeyedRequest
from app.application.migrate import migrate
from app.config import Settings
from app.domain.order import Order
from app.domain.values import Actor
from tests.commands import on_order
from tests.integration.test_idempotency import new_order

MANAGER = Actor("chen", "manager")
THREADS = 12


@pytest.fixture
def grouped(fresh_settings, monkeypatch) -> Iterator[Gendan]:
    """The application with the group-commit recorder on either store."""
    if not fresh_settings.is_postgres:
        real = Settings.eventsourcing_env

        def with_sqlite_group(self: Settings, **kwargs: Any) -> dict[str, str]:
            env = real(self, **kwargs)
            env["APPLICATION_RECORDER_TOPIC"] = (
                "app.application.group_commit:GroupCommitSQLiteRecorder")
            return env

        monkeypatch.setattr(Settings, "eventsourcing_env", with_sqlite_group)
    app = Gendan(fresh_settings)
    assert isinstance(app.store.recorder, GroupCommitRecorder | GroupCommitSQLiteRecorder)
    yield app
    app.close()


@contextmanager
def write_lock_held(app: Gendan) -> Iterator[None]:
    settings = app.store.settings
    if settings.is_postgres:
        with psycopg.connect(settings.database_url) as conn:
            conn.execute(f"LOCK TABLE {app.store.recorder.events_table_name} IN EXCLUSIVE MODE")
            yield
    else:
        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("COMMIT")
        finally:
            conn.close()


def together(app: Gendan, calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads while the write lock is held: the first
    commits alone (it waits for the lock), the others queue behind it; then
    the lock is let go. Answers each call's result or exception."""
    group = app.store.recorder.group
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc

    with write_lock_held(app):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while group.waiting < len(calls) - 1:
            assert time.monotonic() < deadline, f"only {group.waiting} queued"
            time.sleep(0.01)
    for thread in threads:
        thread.join(30)
    return results


def events_after(app: Gendan, position: int) -> list[dict[str, Any]]:
    return app.feed.read(position, 10_000)


def assert_gap_free(events: list[dict[str, Any]]) -> None:
    positions = [e["position"] for e in events]
    assert positions == list(range(positions[0], positions[0] + len(positions)))


def test_commands_arriving_together_share_one_commit(grouped):
    group = grouped.store.recorder.group
    before, transactions = grouped.last_position(), group.transactions
    results = together(grouped, [
        lambda i=i: grouped.customers.register_customer(f"C{i}", "DE", MANAGER)
        for i in range(THREADS)])
    assert not [r for r in results if isinstance(r, Exception)], results
    # The first alone (it held the lead while the lock was held), the rest in one batch.
    assert group.transactions - transactions == 2
    events = events_after(grouped, before)
    assert len(events) == THREADS
    assert_gap_free(events)
    # Each command got its own position: its customer's event is there.
    by_position = {e["position"]: e for e in events}
    for result in results:
        assert by_position[result.position]["aggregate_id"] == str(result.view["id"])
    assert sorted(r.position for r in results) == sorted(by_position)


def test_a_conflict_in_a_batch_fails_that_command_only(grouped):
    """Two commands on the same version of one order and others beside them:
    the batch rolls back and is saved command by command; one of the two
    gets the conflict, everything else commits once."""
    order_id = new_order(grouped)
    repository, store = grouped.store.repository, grouped.store

    def sample(note: str) -> Callable[[], Any]:
        order = repository.get(order_id)  # both load the same version
        order.request_sample(note, MANAGER)
        return lambda: store.save(order)

    version = repository.get(order_id).version
    before = grouped.last_position()
    others = [lambda i=i: grouped.customers.register_customer(f"C{i}", "DE", MANAGER)
              for i in range(4)]
    results = together(grouped, [others[0], sample("style"), sample("approval"), *others[1:]])
    conflicts = [r for r in results if isinstance(r, IntegrityError)]
    assert len(conflicts) == 1, results
    assert not [r for r in results if isinstance(r, Exception) and r not in conflicts]
    assert repository.get(order_id).version == version + 1
    events = events_after(grouped, before)
    assert len(events) == 5  # four customers, one sample request (one event each)
    positions = [e["position"] for e in events]
    assert positions == sorted(set(positions))  # the failed batch's ids are skipped, in order


def test_keyed_commands_in_a_batch_each_record_their_key(grouped):
    orders = [new_order(grouped) for _ in range(6)]
    keys = [KeyedRequest("chen", f"k-{uuid.uuid4().hex}", "f" * 64) for _ in orders]

    def keyed(order_id: Any, key: KeyedRequest) -> Callable[[], Any]:
        return lambda: on_order(grouped, order_id, lambda o: {
            "sample_id": o.request_sample("style", MANAGER)}, Preconditions(key))

    # A first keyed command alone: the key store's first use purges old
    # keys, a write that would wait for the lock the test holds.
    keyed(new_order(grouped), KeyedRequest("chen", f"k-{uuid.uuid4().hex}", "f" * 64))()
    group = grouped.store.recorder.group
    transactions = group.transactions
    results = together(grouped, [keyed(o, k) for o, k in zip(orders, keys)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert group.transactions - transactions == 2
    for order_id, key, first in zip(orders, keys, results):
        again = keyed(order_id, key)()
        assert again.replayed and (again.position, again.version, again.extra) == (
            first.position, first.version, first.extra)
        assert len(grouped.orders.get_order(order_id)["samples"]) == 1


@pytest.fixture
def pg_grouped(databases) -> Iterator[Gendan]:
    settings = databases.settings("postgres")
    migrate(settings)
    app = Gendan(settings)
    yield app
    app.close()


@pytest.mark.parametrize("committed", [True, False])
def test_a_batch_in_doubt_is_read_back_not_inserted_again(pg_grouped, committed, monkeypatch):
    """PostgreSQL (a local SQLite commit is never in doubt): the connection
    is lost once the batch's COMMIT was sent. Whether it committed is read
    from the table; every command is answered once, with its own position."""
    grouped = pg_grouped
    group = grouped.store.recorder.group
    real = group._commit

    def lost_at_commit(batch: list[Any]) -> None:
        if committed:
            real(batch)
        raise _Committed() from OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(group, "_commit", lost_at_commit)
    before = grouped.last_position()
    results = together(grouped, [
        lambda i=i: grouped.customers.register_customer(f"C{i}", "DE", MANAGER)
        for i in range(THREADS)])
    assert not [r for r in results if isinstance(r, Exception)], results
    events = events_after(grouped, before)
    assert len(events) == THREADS  # each once
    by_position = {e["position"]: e for e in events}
    for result in results:
        assert by_position[result.position]["aggregate_id"] == str(result.view["id"])


def test_group_commit_off_uses_the_plain_recorder(databases):
    plain = Gendan(databases.settings("postgres", group_commit=False))
    grouped = Gendan(databases.settings("postgres", group_commit_max=5))
    try:
        assert type(plain.store.recorder) is PostgresRecorder
        assert type(grouped.store.recorder) is GroupCommitRecorder
        assert grouped.store.recorder.group.most == 5  # GENDAN_GROUP_COMMIT_MAX
    finally:
        plain.close()
        grouped.close()


def test_a_lone_command_commits_at_once(grouped):
    """Nobody else committing: no waiting for company, one transaction."""
    group = grouped.store.recorder.group
    transactions = group.transactions
    order_id = new_order(grouped)
    on_order(grouped, order_id, lambda o: {"sample_id": o.request_sample("style", MANAGER)})
    assert group.transactions - transactions == 3  # customer, order, sample: one each
    assert group.waiting == 0 and grouped.store.recorder.group.commands >= 3
    assert isinstance(grouped.store.repository.get(order_id), Order)


def test_a_tailing_reader_never_skips_a_batched_event(grouped):
    """A reader polls the global order in small pages while threads commit
    in batches: what it saw, in the order it saw it, is the whole order read
    afterwards (no position appeared after the reader had passed it)."""
    group = grouped.store.recorder.group
    before, transactions, commands = grouped.last_position(), group.transactions, group.commands
    writing = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        cursor = before
        while True:
            finished = not writing.is_set()  # one more read after the writers stop
            page = grouped.feed.read(cursor, 5)
            seen.extend(e["position"] for e in page)
            cursor = seen[-1] if seen else cursor
            if finished and not page:
                return

    def writer(n: int) -> None:
        for i in range(10):
            grouped.customers.register_customer(f"W{n}-{i}", "JP", MANAGER)

    writing.set()
    tail = threading.Thread(target=reader)
    tail.start()
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    with write_lock_held(grouped):  # the first saves queue up: one batch at least
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 10
        while group.waiting < THREADS - 1:
            assert time.monotonic() < deadline, f"only {group.waiting} queued"
            time.sleep(0.01)
    for thread in writers:
        thread.join(60)
    writing.clear()
    tail.join(60)
    assert seen == [e["position"] for e in events_after(grouped, before)]
    assert len(seen) == THREADS * 10
    assert group.transactions - transactions < group.commands - commands
