"""One alert mechanism for every aggregate (SPEC.md §3, the soft rules).

An alert is an event when raised and another when cleared, so the order
file shows when the accountant was told and when it was settled. What
those events hold and do, and when an aggregate raises or clears one, is
written here once; ``Order`` and ``PurchaseOrder`` used to have a copy
each, and the copies had drifted.

Each aggregate still declares its own ``AlertRaised``/``AlertCleared``,
nested and built from the bases below, for two reasons:

- an event carries its aggregate's envelope: a PO's events name the
  supplier and the customer order (the board places a PO's alert on the
  order's row by it, the audit trail files it under that order), an
  order's do not;
- the stored events keep the topics they were written with
  (``app.domain.order:Order.AlertRaised``...), and the audit trail and
  the projections tell an order's alert from a PO's by its class.

The projections dispatch on the bases (``isinstance(event, AlertRaised)``
holds for both aggregates' alerts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from app.domain.roles import ACCOUNTANT
from app.domain.values import Actor


# Frozen dataclasses, not events: an event class nested in an aggregate
# inherits their fields and ``apply``; no event of these classes is stored.
@dataclass(frozen=True)
class AlertRaised:
    """The fields and the effect of every aggregate's ``AlertRaised``."""

    code: str
    message: str
    for_role: str

    def apply(self, aggregate: Any) -> None:
        aggregate.alerts[self.code] = {
            "code": self.code, "message": self.message, "for_role": self.for_role,
            "raised_at": self.timestamp,  # type: ignore[attr-defined]  # the event's
        }


@dataclass(frozen=True)
class AlertCleared:
    """The fields and the effect of every aggregate's ``AlertCleared``."""

    code: str
    reason: str

    def apply(self, aggregate: Any) -> None:
        aggregate.alerts.pop(self.code, None)


class _Alertable(Protocol):
    """What ``Alerting`` needs of the aggregate it is mixed into."""

    alerts: dict[str, dict[str, Any]]  # code -> the open alert
    AlertRaised: type[Any]
    AlertCleared: type[Any]

    def _emit(self, event_class: type[Any], actor: Actor, **data: Any) -> None: ...


class Alerting:
    """Raising and clearing, for an aggregate with an ``alerts`` dict, its
    nested ``AlertRaised``/``AlertCleared`` and an ``_emit`` that adds its
    envelope to an event (``_Alertable``)."""

    def _raise_alert(self: _Alertable, code: str, message: str, actor: Actor,
                     for_role: str = ACCOUNTANT) -> None:
        # An open alert is not raised again: it shows once on the boards, and
        # its first message says when the accountant was first told.
        if code not in self.alerts:
            self._emit(self.AlertRaised, actor, code=code, message=message, for_role=for_role)

    def _clear_alert(self: _Alertable, code: str, reason: str, actor: Actor) -> None:
        if code in self.alerts:
            self._emit(self.AlertCleared, actor, code=code, reason=reason)
