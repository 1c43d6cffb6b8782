"""Refused supplier-portal requests, kept for the audit trail.

A request whose signature does not verify (tampered, replayed, expired,
signed with an unknown or revoked key) changes nothing on the purchase
order; the refusal itself is recorded in its own one-event stream, so the
order file stays clean and the security log is still complete.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate


class PortalRefusal(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class SignedRequestRefused(Event, Aggregate.Created):
        supplier_id: str | None
        purchase_order_id: UUID | None
        code: str
        detail: str
        request: dict[str, Any]  # method, target_uri, keyid, nonce, headers, body_sha256

    def __init__(self, supplier_id: str | None, purchase_order_id: UUID | None, code: str,
                 detail: str, request: dict[str, Any], actor_sub: str, actor_role: str):
        self.code = code

    @classmethod
    def record(cls, *, supplier_id: str | None, purchase_order_id: UUID | None, code: str,
               detail: str, request: dict[str, Any], actor_sub: str,
               actor_role: str) -> PortalRefusal:
        return cls._create(cls.SignedRequestRefused, id=uuid4(), supplier_id=supplier_id,
                           purchase_order_id=purchase_order_id, code=code, detail=detail,
                           request=request, actor_sub=actor_sub, actor_role=actor_role)
