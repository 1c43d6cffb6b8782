"""What crosses the application boundary besides ids and primitives: the
conditions a caller puts on a command, and what a command answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.application.idempotency import KeyedRequest


@dataclass(frozen=True)
class Preconditions:
    """``Idempotency-Key`` (run at most once per key) and ``If-Match`` (run
    only on one of these versions); either may be absent."""

    keyed: KeyedRequest | None = None
    if_match: frozenset[int] | None = None


NONE = Preconditions()


@dataclass(frozen=True)
class CommandResult:
    """What a command answers: the aggregate as it is now (the write-side
    view of it), its version, and the global position of the last event
    appended (for read-your-writes)."""

    view: dict[str, Any]
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
