"""Refused supplier-portal requests, kept for the audit trail, counted.

A request whose signature does not verify (tampered, replayed, expired,
signed with an unknown or revoked key) changes nothing on the purchase
order; the refusal itself is recorded in a stream of its own, so the order
file stays clean and the security log is still complete.

One stream per supplier, reason (``code``) and window (a minute by
default): its id derives from the three (``refusal_id``), the window's
first refusal creates it (``SignedRequestsRefused``, with a bounded summary
of that request), and the later ones are added up and appended as one
``RefusalsCounted`` (app/application/refusals.py decides when). So a token that is refused a
thousand times a minute costs one stream of two events, not a thousand.

Streams written before issue 9 hold one ``SignedRequestRefused`` each
(random id, one refusal, the whole target URI); they load as they are.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

# The namespace of the per-window stream ids (uuid5).
_REFUSALS = uuid5(NAMESPACE_URL, "urn:gendan:portal-refusals")


def refusal_id(supplier_id: str, code: str, window: str) -> UUID:
    """The stream of a supplier's refusals for one reason in one window."""
    return uuid5(_REFUSALS, f"{supplier_id}\n{code}\n{window}")


class PortalRefusal(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class SignedRequestRefused(Event, Aggregate.Created):
        """One refusal in a stream of its own (random id): what was written
        before issue 9, kept so that those streams load."""

        supplier_id: str | None
        purchase_order_id: UUID | None
        code: str
        detail: str
        request: dict[str, Any]  # method, target_uri, keyid, nonce, headers, body_sha256

    class SignedRequestsRefused(Event, Aggregate.Created):
        """The first refusal of a supplier's window for one reason: its
        stream's id derives from the three (``refusal_id``)."""

        supplier_id: str
        purchase_order_id: UUID | None
        code: str
        detail: str
        request: dict[str, Any]  # a bounded summary (app/api/signed.py), ≤ 2 KiB
        window: str  # its start, UTC ISO 8601
        count: int  # 1: the later ones are RefusalsCounted

    class RefusalsCounted(Event):
        """``count`` more refusals of the stream's window, from the callers
        ``subs`` on the POs ``purchase_order_ids`` (each list bounded)."""

        count: int
        purchase_order_ids: list[str]
        subs: list[str]

        def apply(self, refusal: PortalRefusal) -> None:
            refusal.count += self.count

    def __init__(self, code: str, count: int = 1):
        self.code = code
        self.count = count

    @classmethod
    def record(cls, *, supplier_id: str, purchase_order_id: UUID | None, code: str,
               detail: str, request: dict[str, Any], window: str, actor_sub: str,
               actor_role: str) -> PortalRefusal:
        """The stream of (supplier, code, window), with its first refusal."""
        return cls._create(cls.SignedRequestsRefused, id=refusal_id(supplier_id, code, window),
                           supplier_id=supplier_id, purchase_order_id=purchase_order_id,
                           code=code, detail=detail, request=request, count=1, window=window,
                           actor_sub=actor_sub, actor_role=actor_role)

    def count_more(self, count: int, purchase_order_ids: list[str], subs: list[str],
                   actor_sub: str, actor_role: str) -> None:
        if count < 1:
            raise ValueError("count the refusals of a window once, at least one")
        self.trigger_event(self.RefusalsCounted, count=count,
                           purchase_order_ids=purchase_order_ids, subs=subs,
                           actor_sub=actor_sub, actor_role=actor_role)
