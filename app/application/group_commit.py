"""Group commit (issue 14, item 3): commands that reach the store together
are appended in ONE transaction: one table lock, one NOTIFY, one COMMIT (one
fsync) for the batch, instead of one of each per command.

The library's PostgreSQL recorder locks the events table for every save
(the lock is what keeps the global order gap-free for tailing readers), so
saves run one after another whatever the number of threads: ~1,000/s here,
where the disk commits 4,200 single-row transactions/s and 67,000 rows/s at
100 rows per commit (FACTS.md). Batching keeps the lock, and so the order:
a batch is one transaction holding the lock, its ids contiguous and
committed at once.

Leader/follower, no thread of its own: a command that arrives while nobody
commits is the leader and commits alone at once through the library's
path (a lone command waits for no company and costs what it did). Commands
that arrive meanwhile queue; when the leader is done it hands the
leadership to the first of them, which takes up to ``most`` queued commands
as one batch, and so on: each leader commits one batch, then goes back to
its caller.

Per command all-or-nothing: in the batch each command runs the recorder's
own hooks (eventstore.PostgresRecorder: its idempotency key recorded with
its events) and gets exactly its own notification ids. If the batch fails
for any reason before its COMMIT was sent (a version taken, a key recorded
by another request, a lost connection...), it rolled back: every command is
then saved alone, each in its own thread, through the single-command path,
so each gets its own outcome (IntegrityError to the one that conflicts,
success to the others; StoreUnavailable at once while the breaker is open).
The leader's own command is the exception: a connection lost in its hands
marked its thread in doubt (GuardedDatastore does so for any insert), so it
keeps the library's retries past the open breaker, as a single save does.
Two batches of two processes holding the same two keys in opposite orders
can deadlock; PostgreSQL's detector aborts one, which is then saved command
by command.

In doubt: a connection lost once the COMMIT was sent may or may not have
committed the batch. Re-inserting it would give every command an
IntegrityError if it had (the versions are taken) and the API would re-run
commands that succeeded. Instead the leader finds out, by reading the
batch's first event back (one transaction: all or none of it committed):
there as we wrote it, every command gets its ids from the table; absent,
every command is saved alone as above. The read runs in the leader's thread,
which the guarded datastore (eventstore.GuardedDatastore) marked in doubt,
so, like the library's retry of a single insert in doubt, it passes the
open breaker and retries ten times 0.2 s apart; if the database stays away
that long, every command of the batch gets that error (as a single command
in doubt does today).

SQLite: ``GroupCommitSQLiteRecorder``, the same leader/follower around the
library's one write transaction (its writer lock is the same kind of cap,
and a batch is one fsync at ``synchronous=FULL``). A local file has no
commit in doubt: a failed batch is always saved again command by command.
config.py does not name it (yet): there a commit is cheap next to the
command's Python work, and load + command + save from 16 threads gained
nothing (0.89x off), where save-only gained 2.2x.

Measured (bench/group_commit.py, 16 threads, 2 cores at load ~8, medians of
3, 2026-11-30): PostgreSQL load + command + save 312/s off, 382/s on (1.22x,
3.4 commands per transaction: the threads spend their time in Python under
the GIL, not waiting for the commit); save-only 580/s off, 1,580/s on
(2.73x, 8.3 per transaction).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from app.application.eventstore import PostgresRecorder, SQLiteRecorder

Ids = Sequence[int] | None

# What a batch tells each of its commands.
_DONE, _ALONE, _LEAD = "done", "alone", "lead"


@dataclass(eq=False)
class _Request:
    events: Sequence[StoredEvent]
    kwargs: dict[str, Any]
    wake: threading.Event = field(default_factory=threading.Event)
    outcome: str = ""
    ids: Ids = None
    error: BaseException | None = None


class _Committed(Exception):
    """The batch's COMMIT was sent when this happened: the outcome is unknown."""


class Group:
    """The queue of commands waiting for a commit, and who leads it.

    ``commit(batch)`` appends the batch in one transaction and sets each
    request's ``ids`` (raising ``_Committed`` when in doubt);
    ``resolve(batch)`` reads whether an in-doubt batch committed (its ids)
    or not (None); ``alone(request)`` is the single-command path."""

    def __init__(self, most: int, commit: Callable[[list[_Request]], None],
                 resolve: Callable[[list[_Request]], bool] | None,
                 alone: Callable[[_Request], Ids]):
        self.most = most
        self._commit, self._resolve, self._alone = commit, resolve, alone
        self._lock = threading.Lock()
        self._queue: deque[_Request] = deque()
        self._leading = False
        # Transactions and commands through them, for the tests and the bench.
        self.transactions = 0
        self.commands = 0

    @property
    def waiting(self) -> int:
        """Commands queued for the next batch."""
        return len(self._queue)

    def submit(self, events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> Ids:
        request = _Request(events, kwargs)
        with self._lock:
            follower = self._leading
            self._leading = True
            if follower:
                self._queue.append(request)
        if not follower:
            # Nobody was committing: alone, at once, as without group commit.
            try:
                return self._count(1, self._alone, request)
            finally:
                self._hand_over()
        request.wake.wait()
        if request.outcome == _LEAD:
            self._lead()  # request is in its own batch, answered by now
        if request.outcome == _ALONE:
            return self._count(1, self._alone, request)
        if request.error is not None:
            raise request.error
        return request.ids

    def _count(self, commands: int, call: Callable[..., Any], *args: Any) -> Any:
        with self._lock:
            self.transactions += 1
            self.commands += commands
        return call(*args)

    def _hand_over(self) -> None:
        """The next waiting command leads; none: nobody leads."""
        with self._lock:
            if not self._queue:
                self._leading = False
                return
            nxt = self._queue[0]
        nxt.outcome = _LEAD
        nxt.wake.set()

    def _lead(self) -> None:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self.most, len(self._queue)))]
        try:
            outcome = self._run(batch)
        except BaseException as exc:  # noqa: BLE001 - every waiter gets the error
            outcome = exc
        finally:
            self._hand_over()
        for request in batch:
            if isinstance(outcome, BaseException):
                request.outcome, request.error = _DONE, outcome
            else:
                request.outcome = outcome
            request.wake.set()

    def _run(self, batch: list[_Request]) -> str:
        if len(batch) == 1:
            return _ALONE  # the single-command path, in the caller's thread
        try:
            self._count(len(batch), self._commit, batch)
        except _Committed as doubt:
            assert self._resolve is not None and doubt.__cause__ is not None
            return _DONE if self._resolve(batch) else _ALONE
        except Exception:  # noqa: BLE001 - rolled back: each command on its own
            return _ALONE
        return _DONE


class _PostgresGroup(PostgresApplicationRecorder):
    """Below ``eventstore.PostgresRecorder`` in the MRO, so each command's
    thread is marked as inserting (the breaker's in-doubt rule) as for a
    single save, then joins the group here."""

    group: Group

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Ids:
        if not stored_events:
            return super().insert_events(stored_events, **kwargs)
        return self.group.submit(stored_events, kwargs)


class GroupCommitRecorder(PostgresRecorder, _PostgresGroup):
    """``eventstore.PostgresRecorder`` with group commit (see the module).
    Its hooks (``_insert_events``, ``_fetch_ids_after_insert_events``) run
    per command; the insert is the aggregate recorder's plain one (the lock
    and NOTIFY are taken once per batch)."""

    # settings.group_commit_max's default; ``group.most`` can be set later.
    most = 64

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.group = Group(self.most, self._commit_batch, self._batch_committed,
                           self._insert_alone)
        self._first_event = SQL(
            "SELECT notification_id, topic, state FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(schema=Identifier(self.datastore.schema),
                 table=Identifier(self.events_table_name))
        self._batch_rows = SQL(
            "SELECT notification_id, originator_id, originator_version FROM {schema}.{table} "
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(self.datastore.schema),
                 table=Identifier(self.events_table_name))

    def _insert_alone(self, request: _Request) -> Ids:
        # The library's single save (its retries included), not our own
        # insert_events: the caller's thread is inside it already.
        return super(_PostgresGroup, self).insert_events(request.events, **request.kwargs)

    def _commit_batch(self, batch: list[_Request]) -> None:
        exc: BaseException | None = None
        sent = False
        try:
            with self.datastore.get_connection() as conn:
                with conn.pipeline() as pipeline:
                    try:
                        with conn.transaction():
                            self._append(conn, pipeline, batch)
                            sent = True  # the COMMIT goes next
                    except Exception as e:
                        exc = e
                # Re-raised after the pipeline (as the library does), inside
                # the datastore's block: its error classes and the breaker.
                if exc is not None:
                    raise exc
        except Exception as e:
            if sent:
                raise _Committed() from e
            raise

    def _append(self, conn: Any, pipeline: Any, batch: list[_Request]) -> None:
        # The hooks first, as the library runs them before its lock: a key
        # another transaction is recording is waited for without holding
        # the table lock.
        for request in batch:
            with conn.cursor() as curs:
                self._insert_events(curs, request.events, **request.kwargs)
        with conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
        # Each command's plain INSERT ... RETURNING (without the application
        # recorder's lock + NOTIFY) on its own cursor, all sent at once: one
        # round trip while the table is locked, not one per command.
        cursors = [conn.cursor() for _ in batch]
        try:
            for request, curs in zip(batch, cursors):
                PostgresAggregateRecorder._insert_stored_events(self, curs, request.events)
            pipeline.sync()  # a conflict raises here, not at COMMIT
            for request, curs in zip(batch, cursors):
                request.ids = self._fetch_ids_after_insert_events(
                    curs, request.events, **request.kwargs)
        finally:
            for curs in cursors:
                curs.close()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _batch_committed(self, batch: list[_Request]) -> bool:
        """Whether an in-doubt batch committed; if so each request gets its
        ids back from the table (the batch's events are contiguous: it held
        the table lock from its first insert to its commit)."""
        first = batch[0].events[0]
        total = sum(len(request.events) for request in batch)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._first_event, (first.originator_id, first.originator_version))
            row = curs.fetchone()
            if row is None or (row["topic"], bytes(row["state"])) != (first.topic, first.state):
                return False
            curs.execute(self._batch_rows, (row["notification_id"], total))
            rows = iter(curs.fetchall())
        for request in batch:
            ids = []
            for event in request.events:
                found = next(rows)
                assert (found["originator_id"], found["originator_version"]) == (
                    event.originator_id, event.originator_version), "batch not contiguous"
                ids.append(found["notification_id"])
            request.ids = ids
        return True


class GroupCommitSQLiteRecorder(SQLiteRecorder):
    """``eventstore.SQLiteRecorder`` with group commit: each command's hook
    (events and idempotency key) in one write transaction."""

    most = 64

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.group = Group(self.most, self._commit_batch, None, self._insert_alone)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Ids:
        if not stored_events:
            return super().insert_events(stored_events, **kwargs)
        return self.group.submit(stored_events, kwargs)

    def _insert_alone(self, request: _Request) -> Ids:
        return SQLiteApplicationRecorder.insert_events(self, request.events, **request.kwargs)

    def _commit_batch(self, batch: list[_Request]) -> None:
        with self.datastore.transaction(commit=True) as c:
            for request in batch:
                request.ids = self._insert_events(c, request.events, **request.kwargs)
