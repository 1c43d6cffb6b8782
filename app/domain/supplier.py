"""A supplier and the Ed25519 keys its portal signs acknowledgements with.

Keys are never deleted: a revoked key stops verifying new requests, but the
evidence it signed earlier must still verify years later, so the public key
stays on record under its keyid (and a keyid is never reused).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from app.domain.errors import Conflict, InvalidState, InvalidValue, NotFound
from app.domain.values import Actor, parse_country

# RFC 3986's unreserved characters: a keyid is an RFC 8941 string in a
# signature's parameters, where '"' and '\\' need escapes that clients and the
# refusal log get wrong, and it names a key in a URL path. Checked when a key
# is registered, not when events replay: keys on record stay usable.
KEYID = re.compile(r"[A-Za-z0-9._~-]{1,100}")


def _check_keyid(keyid: str, field: str) -> str:
    if not isinstance(keyid, str) or not KEYID.fullmatch(keyid):
        raise InvalidValue(field, "a keyid is 1 to 100 of A-Z a-z 0-9 . _ ~ -")
    return keyid


class Supplier(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class SupplierRegistered(Event, Aggregate.Created):
        name: str
        country: str
        contact: str | None
        keys: list[dict[str, Any]]  # [{keyid, public_key}] public_key: base64 of raw 32 bytes

    def __init__(self, name: str, country: str, contact: str | None,
                 keys: list[dict[str, Any]], actor_sub: str, actor_role: str):
        self.name = name
        self.country = country
        self.contact = contact
        self.registered_by = actor_sub
        self.keys: dict[str, dict[str, Any]] = {}
        for key in keys:
            self._add_key(key["keyid"], key["public_key"], None)

    def _add_key(self, keyid: str, public_key: str, added_at: datetime | None) -> None:
        # added_at None: registered with the supplier (its created_on).
        self.keys[keyid] = {"keyid": keyid, "public_key": public_key, "added_at": added_at,
                            "revoked_at": None, "revoked_reason": None}

    @classmethod
    def register(cls, name: str, country: str, contact: str | None,
                 keys: list[dict[str, str]], actor: Actor) -> Supplier:
        if not name.strip():
            raise InvalidValue("name", "must not be blank")
        seen: set[str] = set()
        checked = []
        for n, key in enumerate(keys):
            keyid = _check_keyid(key["keyid"], f"keys.{n}.keyid")
            if keyid in seen:
                raise InvalidValue(f"keys.{n}.keyid", f"keyid {keyid!r} is listed twice")
            seen.add(keyid)
            checked.append({"keyid": keyid, "public_key": key["public_key"]})
        supplier = cls._create(
            cls.SupplierRegistered, name=name.strip(), country=parse_country(country),
            contact=(contact or "").strip() or None, keys=checked,
            actor_sub=actor.sub, actor_role=actor.role,
        )
        return supplier

    # ---- keys ----------------------------------------------------------------
    class SupplierKeyAdded(Event):
        keyid: str
        public_key: str

        def apply(self, supplier: Supplier) -> None:
            supplier._add_key(self.keyid, self.public_key, self.timestamp)

    def add_key(self, keyid: str, public_key: str, actor: Actor) -> None:
        keyid = _check_keyid(keyid, "keyid")
        if keyid in self.keys:
            # Evidence names the key by keyid: one keyid, one key, forever.
            raise Conflict(f"Supplier {self.id} already has a key {keyid!r}")
        self.trigger_event(self.SupplierKeyAdded, keyid=keyid, public_key=public_key,
                           actor_sub=actor.sub, actor_role=actor.role)

    class SupplierKeyRevoked(Event):
        keyid: str
        reason: str | None

        def apply(self, supplier: Supplier) -> None:
            supplier.keys[self.keyid].update(revoked_at=self.timestamp,
                                             revoked_reason=self.reason)

    def revoke_key(self, keyid: str, reason: str | None, actor: Actor) -> None:
        key = self.keys.get(keyid)
        if key is None:
            raise NotFound(f"Supplier {self.id} has no key {keyid!r}")
        if key["revoked_at"] is not None:
            raise InvalidState(f"Key {keyid!r} is already revoked")
        self.trigger_event(self.SupplierKeyRevoked, keyid=keyid, reason=reason,
                           actor_sub=actor.sub, actor_role=actor.role)

    def active_key(self, keyid: str) -> str | None:
        """The public key (base64 raw) a request signed with ``keyid`` is
        verified with; None when unknown or revoked."""
        key = self.keys.get(keyid)
        if key is None or key["revoked_at"] is not None:
            return None
        return key["public_key"]
