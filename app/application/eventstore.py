"""The library's recorders, extended so that a command's idempotency key is
completed in the SAME transaction as the events the command appends.

A crash between "saved the events" and "saved the key" is then impossible:
either both are committed or neither is, so a retry can never append twice
(issue 3). ``Application.save(..., idempotency=Completion(...))`` passes the
completion down to ``insert_events(**kwargs)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor


class IdempotencyClaimLost(IntegrityError):
    """Our claim on the key expired and another request took it over: this
    transaction is rolled back so that only one of them takes effect."""


@dataclass(frozen=True)
class Completion:
    scope: str
    key: str
    token: str
    aggregate_id: str
    version: int
    extra: dict[str, Any] | None
    completed_at: str

    def params(self) -> tuple[Any, ...]:
        extra = json.dumps(self.extra, sort_keys=True) if self.extra else None
        return (self.aggregate_id, self.version, extra, self.completed_at,
                self.scope, self.key, self.token)


# Completing the key checks the claim is still ours: a lost claim aborts the
# whole transaction, events included.
_COMPLETE = (
    "UPDATE idempotency_keys SET state = 'done', aggregate_id = {p}, version = {p}, "
    "extra = {p}, completed_at = {p} "
    "WHERE scope = {p} AND key = {p} AND token = {p} AND state = 'in_flight'"
)
_POSITION = "UPDATE idempotency_keys SET position = {p} WHERE scope = {p} AND key = {p}"


class SQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and ids:
            c.execute(_COMPLETE.format(p="?"), completion.params())
            if c.sqlite_cursor.rowcount != 1:
                raise IdempotencyClaimLost(f"idempotency key {completion.key!r} was taken over")
            c.execute(_POSITION.format(p="?"), (ids[-1], completion.scope, completion.key))
        return ids


class PostgresRecorder(PostgresApplicationRecorder):
    # The library commits even when its post-insert hook raises (it re-raises
    # after the transaction block), so the claim is checked BEFORE the insert,
    # in the pre-insert hook, where an exception rolls the transaction back.
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and stored_events:
            curs.execute(_COMPLETE.format(p="%s") + " RETURNING key", completion.params())
            if curs.fetchone() is None:
                raise IdempotencyClaimLost(f"idempotency key {completion.key!r} was taken over")

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and ids:
            curs.execute(_POSITION.format(p="%s"), (ids[-1], completion.scope, completion.key))
        return ids
