"""The application boundary: commands take ids and primitives, load the
aggregate, run one command method, save, and answer with a plain DTO.

The eventsourcing library is synchronous; the API calls these methods from
plain ``def`` routes, which FastAPI runs in its threadpool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from app.config import Settings
from app.domain.customer import Customer
from app.domain.errors import Conflict, NotFound
from app.domain.order import Order
from app.domain.values import Actor, Policy
from app.eventlog import describe_event
from app.eventstore import Completion, IdempotencyClaimLost
from app.nonces import NonceStore
from app.idempotency import Claim, Completed, IdempotencyStore, KeyedRequest, utc_text
from app.sourcing import SNAPSHOTTED, Sourcing, sourcing_view_of
from app.views import order_view

# A concurrent writer may take the version we loaded; the command is then
# re-run on the fresh order, where the domain rules are checked again.
_CONFLICT_RETRIES = 10


class DateAsISO(Transcoding):
    """``datetime.date`` has no default transcoding in eventsourcing."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class CommandResult:
    """What a command answers: the order as it is now, its version, and the
    global position of the last event appended (for read-your-writes)."""

    order: dict[str, Any]  # the view of the aggregate the command ran on
    version: int
    position: int | None
    extra: dict[str, Any] | None = None
    replayed: bool = False  # answered from an earlier request with the same key


@dataclass(frozen=True)
class Outcome:
    """What a command answers beyond the aggregate: extra answer fields, and
    other aggregates its events go with (saved in one transaction)."""

    extra: dict[str, Any] | None = None
    also: tuple[Any, ...] = ()


class PreconditionFailed(Exception):
    """``If-Match`` named another version than the aggregate's current one."""

    def __init__(self, current_version: int):
        super().__init__(f"the resource is at version {current_version}")
        self.current_version = current_version


class Gendan(Sourcing, Application):
    name = "Gendan"

    def __init__(self, settings: Settings, *, create_table: bool = False):
        self.settings = settings
        self.policy = Policy(
            margin_threshold=settings.margin_threshold_percent / 100,
            large_amounts=dict(settings.large_amount_thresholds),
            receipt_tolerance=settings.receipt_tolerance_percent / 100,
        )
        # Called after every successful save: the in-process projection
        # runner wakes at once instead of at its next poll (projection lag).
        self.save_listeners: list[Callable[[], None]] = []
        env = settings.eventsourcing_env(create_table=create_table)
        if settings.snapshot_interval > 0:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
            # Long-lived orders replay from a snapshot (FACTS.md: ~25 µs/event).
            self.snapshotting_intervals = {
                cls: settings.snapshot_interval for cls in (Order, *SNAPSHOTTED)}
        super().__init__(env)
        self.idempotency = None if settings.is_memory else IdempotencyStore(settings)
        self.nonces = NonceStore(settings)

    def close(self) -> None:
        if self.idempotency is not None:
            self.idempotency.close()
        self.nonces.close()
        super().close()

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        recordings = super().save(*objs, **kwargs)
        for listener in self.save_listeners:
            listener()
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # ---- customers ---------------------------------------------------------
    def register_customer(self, name: str, country: str, actor: Actor,
                          keyed: KeyedRequest | None = None) -> dict[str, Any]:
        def run(claim: Claim | None) -> dict[str, Any]:
            customer = Customer.register(name, country, actor)
            self.save(customer, **self._completion(claim, customer))
            return self.get_customer(customer.id, _customer=customer)

        return self._once(keyed, run, lambda done: self.get_customer(UUID(done.aggregate_id)))

    def get_customer(self, customer_id: UUID, _customer: Customer | None = None) -> dict[str, Any]:
        customer = _customer or self._load(customer_id, Customer, "Customer")
        return {
            "id": customer.id, "name": customer.name, "country": customer.country,
            "region": customer.region, "version": customer.version,
        }

    # ---- orders --------------------------------------------------------------
    def create_order(self, *, reference: str, customer_id: UUID, currency: str, incoterm: str,
                     delivery_date: date, samples_required: bool,
                     payment_terms: dict[str, Any], lines: list[dict[str, Any]],
                     actor: Actor, keyed: KeyedRequest | None = None) -> CommandResult:
        def run(claim: Claim | None) -> CommandResult:
            customer = self._load(customer_id, Customer, "Customer")
            order = Order.create(
                reference_=reference, customer_id=customer.id,
                customer_country=customer.country, customer_region=customer.region,
                currency=currency, incoterm=incoterm, delivery_date=delivery_date,
                samples_required=samples_required, payment_terms=payment_terms, lines=lines,
                policy=self.policy, actor=actor,
            )
            try:
                recordings = self.save(order, **self._completion(claim, order))
            except IdempotencyClaimLost:
                raise
            except IntegrityError:
                raise Conflict(
                    f"Customer {customer_id} already has an order with reference {reference!r}"
                ) from None
            return self._result(order, recordings)

        return self._once(keyed, run, self._replay)

    def get_order(self, order_id: UUID) -> dict[str, Any]:
        order = self._load(order_id, Order, "Order")
        return order_view(order, self.policy)

    def update_order(self, order_id: UUID, command: Callable[[Order], Any], *,
                     keyed: KeyedRequest | None = None,
                     if_match: frozenset[int] | None = None) -> CommandResult:
        return self.update_aggregate(order_id, Order, "Order", command, keyed=keyed,
                                     if_match=if_match)

    def update_aggregate(self, aggregate_id: UUID, cls: type, what: str,
                         command: Callable[[Any], Any], *, keyed: KeyedRequest | None = None,
                         if_match: frozenset[int] | None = None,
                         view: Callable[[Any], dict[str, Any]] | None = None) -> CommandResult:
        """Load, check ``If-Match``, run ``command(aggregate)``, save.

        ``command`` answers the extra fields of the answer (a dict), or an
        ``Outcome`` naming other aggregates to save in the same transaction.
        ``view``: how the answer shows the aggregate (default ``view_of``;
        the supplier portal shows a PO as its supplier sees it).
        A concurrent writer may take the version we loaded: the command is
        then re-run on the fresh aggregate, where the rules (and If-Match)
        are checked again. Without If-Match the domain rules alone decide."""

        def run(claim: Claim | None) -> CommandResult:
            for attempt in range(_CONFLICT_RETRIES):
                aggregate = self._load(aggregate_id, cls, what)
                if if_match is not None and aggregate.version not in if_match:
                    raise PreconditionFailed(aggregate.version)
                outcome = command(aggregate)
                if not isinstance(outcome, Outcome):
                    outcome = Outcome(outcome)
                try:
                    recordings = self.save(aggregate, *outcome.also,
                                           **self._completion(claim, aggregate, outcome.extra))
                except IdempotencyClaimLost:
                    raise
                except IntegrityError:
                    if attempt == _CONFLICT_RETRIES - 1:
                        raise
                    continue
                return self._result(aggregate, recordings, outcome.extra, view)
            raise AssertionError("unreachable")

        return self._once(keyed, run, lambda done: self._replay(done, view))

    # ---- the event feed --------------------------------------------------------
    def read_events(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Events after global position ``after``, in position order.

        On PostgreSQL the library inserts under a table lock, so positions
        become visible in order and a reader never skips a late commit."""
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        return [
            describe_event(self.mapper.to_domain_event(n), n.id) for n in notifications
        ]

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # ---- helpers -----------------------------------------------------------------
    def _load(self, aggregate_id: UUID, cls: type, what: str) -> Any:
        aggregate = self._find(aggregate_id, cls)
        if aggregate is None:
            raise NotFound(f"{what} {aggregate_id} not found")
        return aggregate

    def _find(self, aggregate_id: UUID, cls: type) -> Any:
        """The aggregate if it exists and is a ``cls``; else None (an id of
        another kind of aggregate is as unknown as one never used)."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _create(self, keyed: KeyedRequest | None, build: Callable[[], Any]) -> CommandResult:
        """Save the new aggregate ``build()`` makes, once per idempotency key."""

        def run(claim: Claim | None) -> CommandResult:
            aggregate = build()
            recordings = self.save(aggregate, **self._completion(claim, aggregate))
            return self._result(aggregate, recordings)

        return self._once(keyed, run, self._replay)

    def _once(self, keyed: KeyedRequest | None, run: Callable[[Claim | None], Any],
              replay: Callable[[Completed], Any]) -> Any:
        """Run a command at most once per idempotency key (app/idempotency.py)."""
        if keyed is None or self.idempotency is None:
            return run(None)
        outcome = self.idempotency.claim(keyed)
        if isinstance(outcome, Completed):
            return replay(outcome)
        try:
            return run(outcome)
        except BaseException:
            # Refused or failed before its events committed: nothing was
            # appended, so a retry may run again (a no-op once completed).
            self.idempotency.release(outcome)
            raise

    @staticmethod
    def _completion(claim: Claim | None, aggregate: Any,
                    extra: dict[str, Any] | None = None) -> dict[str, Any]:
        if claim is None:
            return {}
        return {"idempotency": Completion(
            claim.scope, claim.key, claim.token, str(aggregate.id), aggregate.version,
            extra, utc_text(datetime.now(timezone.utc)),
        )}

    def _replay(self, done: Completed,
                view: Callable[[Any], dict[str, Any]] | None = None) -> CommandResult:
        """The original answer: the aggregate at the version the command produced."""
        aggregate = self.repository.get(UUID(done.aggregate_id), version=done.version)
        return CommandResult((view or self.view_of)(aggregate), done.version, done.position,
                             done.extra, replayed=True)

    def _result(self, aggregate: Any, recordings: list[Any],
                extra: dict[str, Any] | None = None,
                view: Callable[[Any], dict[str, Any]] | None = None) -> CommandResult:
        position = max((r.notification.id for r in recordings), default=None)
        return CommandResult((view or self.view_of)(aggregate), aggregate.version, position,
                             extra)

    def view_of(self, aggregate: Any) -> dict[str, Any]:
        if isinstance(aggregate, Order):
            return order_view(aggregate, self.policy)
        return sourcing_view_of(aggregate)

