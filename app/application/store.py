"""The event store as the use cases use it: load an aggregate, run one
command on it, save its events once, answer with a view of it.

``Store`` is the eventsourcing ``Application`` (the library's unit of work);
the use-case modules (orders, sourcing, portal, ...) each hold it. The
library is synchronous; the API calls the use cases from plain ``def``
routes, which FastAPI runs in its threadpool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    OperationalError,
    Transcoding,
)

from app.application.breaker import is_outage, shared_breaker
from app.application.dto import NONE, CommandResult, Outcome, PreconditionFailed, Preconditions
from app.application.eventstore import Completion, IdempotencyClaimLost, guard
from app.application.idempotency import (
    Claim,
    Completed,
    IdempotencyInFlight,
    IdempotencyStore,
    InMemoryIdempotency,
    KeyedRequest,
)
from app.config import Settings
from app.domain.errors import NotFound
from app.domain.values import utc_text

log = logging.getLogger("gendan.store")

# A concurrent writer may take the version we loaded; the command is then
# re-run on the fresh aggregate, where the domain rules are checked again.
_CONFLICT_RETRIES = 10

View = Callable[[Any], dict[str, Any]]


class DateAsISO(Transcoding):
    """``datetime.date`` has no default transcoding in eventsourcing."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Store(Application):
    name = "Gendan"

    def __init__(self, settings: Settings, *, create_table: bool = False,
                 snapshotted: tuple[type, ...] = ()):
        self.settings = settings
        # Called after every successful save: the in-process projection
        # runner wakes at once instead of at its next poll (projection lag).
        self.save_listeners: list[Callable[[], None]] = []
        env = settings.eventsourcing_env(create_table=create_table)
        if settings.snapshot_interval > 0 and snapshotted:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
            # Long-lived streams replay from a snapshot (FACTS.md: ~25 µs/event).
            self.snapshotting_intervals = {cls: settings.snapshot_interval for cls in snapshotted}
        super().__init__(env)
        # PostgreSQL: the process's circuit breaker in front of every
        # recorder's connections (issue 14; SQLite and memory: inert).
        self.breaker = shared_breaker(settings)
        group = getattr(self.recorder, "group", None)  # group_commit.py: the library
        if group is not None:                          # builds the recorder, not us
            group.most = settings.group_commit_max
        if settings.is_postgres:
            guard(self.factory.datastore, self.breaker,  # type: ignore[attr-defined]
                  pool_timeout=settings.postgres_pool_timeout_seconds,
                  connect_timeout=settings.postgres_connect_timeout_seconds)
        self.idempotency: IdempotencyStore | InMemoryIdempotency = (
            InMemoryIdempotency(settings) if settings.is_memory else IdempotencyStore(
                settings, self.factory.datastore.get_connection  # type: ignore[attr-defined]
                if settings.is_postgres else None))

    def close(self) -> None:
        self.idempotency.close()
        super().close()

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        completion: Completion | None = kwargs.get("idempotency")
        if completion is not None and isinstance(self.idempotency, InMemoryIdempotency):
            # In memory the events and the key live and die together: the
            # key is completed right after the save, under the fake's lock.
            with self.idempotency.completing(completion) as complete:
                recordings = super().save(*objs, **kwargs)
                complete(max((r.notification.id for r in recordings), default=None))
        else:
            recordings = super().save(*objs, **kwargs)
        for listener in self.save_listeners:
            listener()
        return recordings

    def _take_snapshots(self, processing_event: Any) -> None:
        # The events are committed when snapshots are taken: an outage now
        # must not answer the command as failed. A missing snapshot costs a
        # longer replay only; the next interval writes one.
        try:
            super()._take_snapshots(processing_event)
        except (OSError, OperationalError, InterfaceError) as exc:
            if not is_outage(exc):
                raise
            log.warning("snapshot not taken (the events are saved): %r", exc)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # ---- loading ---------------------------------------------------------------
    def find(self, aggregate_id: UUID, cls: type) -> Any:
        """The aggregate if it exists and is a ``cls``; else None (an id of
        another kind of aggregate is as unknown as one never used)."""
        try:
            aggregate = self.repository.get(aggregate_id, projector_func=_project)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def load(self, aggregate_id: UUID, cls: type, what: str) -> Any:
        aggregate = self.find(aggregate_id, cls)
        if aggregate is None:
            raise NotFound(f"{what} {aggregate_id} not found")
        return aggregate

    # ---- commands --------------------------------------------------------------
    def create(self, build: Callable[[], Any], view: View,
               cond: Preconditions = NONE) -> CommandResult:
        """Save the new aggregate ``build()`` makes, once per idempotency key."""

        def run(claim: Claim | None) -> CommandResult:
            aggregate = build()
            recordings = self.save(aggregate, **_completion(claim, aggregate))
            return _result(aggregate, recordings, view)

        return self.once(cond.keyed, run, lambda done: self.replay(done, view))

    def update(self, aggregate_id: UUID, cls: type, what: str,
               command: Callable[[Any], Any], view: View,
               cond: Preconditions = NONE) -> CommandResult:
        """Load, check ``If-Match``, run ``command(aggregate)``, save.

        ``command`` answers the extra fields of the answer (a dict), or an
        ``Outcome`` naming other aggregates to save in the same transaction.
        ``view``: how the answer shows the aggregate (the supplier portal
        shows a PO as its supplier sees it).
        A concurrent writer may take the version we loaded: the command is
        then re-run on the fresh aggregate, where the rules (and If-Match)
        are checked again. Without If-Match the domain rules alone decide."""

        def run(claim: Claim | None) -> CommandResult:
            for attempt in range(_CONFLICT_RETRIES):
                aggregate = self.load(aggregate_id, cls, what)
                if cond.if_match is not None and aggregate.version not in cond.if_match:
                    raise PreconditionFailed(aggregate.version)
                outcome = command(aggregate)
                if not isinstance(outcome, Outcome):
                    outcome = Outcome(outcome)
                try:
                    recordings = self.save(aggregate, *outcome.also,
                                           **_completion(claim, aggregate, outcome.extra))
                except IdempotencyClaimLost:
                    raise
                except IntegrityError:
                    if attempt == _CONFLICT_RETRIES - 1:
                        raise
                    continue
                return _result(aggregate, recordings, view, outcome.extra)
            raise AssertionError("unreachable")

        return self.once(cond.keyed, run, lambda done: self.replay(done, view))

    def once(self, keyed: KeyedRequest | None, run: Callable[[Claim | None], Any],
             replay: Callable[[Completed], Any]) -> Any:
        """Run a command at most once per idempotency key (idempotency.py)."""
        if keyed is None:
            return run(None)
        # The look-up is the command's first visit to the database: refused
        # at once while the breaker is open, and an outage here opens it.
        self.breaker.check()
        for _ in range(_CONFLICT_RETRIES):
            try:
                outcome = self.idempotency.begin(keyed)
            except Exception as exc:
                self.breaker.failed(exc)
                raise
            if isinstance(outcome, Completed):
                return replay(outcome)
            try:
                return run(outcome)
            except IdempotencyClaimLost:
                # Another request with this key committed first (its events
                # and ours cannot both stand): ours rolled back; look again,
                # and replay its answer.
                continue
            finally:
                # Refused or failed before its events committed: nothing was
                # appended, so a retry may run again.
                self.idempotency.end(outcome)
        raise IdempotencyInFlight(retry_after=1)

    def replay(self, done: Completed, view: View) -> CommandResult:
        """The original answer: the aggregate at the version the command produced."""
        aggregate = self.repository.get(UUID(done.aggregate_id), version=done.version)
        return CommandResult(view(aggregate), done.version, done.position, done.extra,
                             replayed=True)

    # ---- the global order -----------------------------------------------------
    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0


def _project(aggregate: Any, events: Any) -> Any:
    """The library's ``project_aggregate`` without its per-event
    ``assert isinstance(event, CanMutateProtocol)``: a runtime-checkable
    Protocol's isinstance walks the protocol's attributes every time, ~15 %
    of a command's CPU in-process (issue 14). Our events are all the
    library's own classes, which mutate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _completion(claim: Claim | None, aggregate: Any,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    if claim is None:
        return {}
    return {"idempotency": Completion(
        claim.scope, claim.key, claim.token, str(aggregate.id), aggregate.version,
        extra, utc_text(datetime.now(timezone.utc)), claim.fingerprint, claim.held,
    )}


def _result(aggregate: Any, recordings: list[Any], view: View,
            extra: dict[str, Any] | None = None) -> CommandResult:
    position = max((r.notification.id for r in recordings), default=None)
    return CommandResult(view(aggregate), aggregate.version, position, extra)
