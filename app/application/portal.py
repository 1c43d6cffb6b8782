"""Use cases of the supplier portal: a supplier sees and answers only its
own sent POs (another supplier's is as unknown as one that does not exist),
with commands whose signatures the API verified against the keys found
here; a refused signed request is counted for the audit trail
(app/application/refusals.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Preconditions
from app.application.nonces import NonceStore
from app.application.refusals import RefusalTally
from app.application.sourcing_views import supplier_purchase_order_view
from app.application.store import Store
from app.domain.errors import NotFound
from app.domain.purchase_order import PurchaseOrder
from app.domain.supplier import Supplier
from app.domain.values import Actor

# The most a refusal's request summary may take, serialised: the API builds
# it bounded (app/api/signed.py); this is the last word.
MAX_SUMMARY_BYTES = 2048


class Portal:
    def __init__(self, store: Store, nonces: NonceStore):
        self._store = store
        self._nonces = nonces
        self._refusals = RefusalTally(store, store.settings.portal_refusal_window_seconds)
        self._notes_per_day = store.settings.portal_delivery_notes_per_day

    def close(self) -> None:
        self._refusals.close()  # the counts of the current window, before the store closes
        self._nonces.close()

    # ---- what a signature is checked against --------------------------------------
    def supplier_key(self, supplier_id: str, keyid: str) -> str | None:
        """The active public key (base64 raw) of a supplier's keyid, or None."""
        supplier = self._supplier(supplier_id)
        return None if supplier is None else supplier.active_key(keyid)

    def is_supplier(self, supplier_id: str) -> bool:
        return self._supplier(supplier_id) is not None

    def check_purchase_order(self, supplier_id: str, po_id: UUID) -> None:
        """NotFound unless the PO was sent to this supplier: checked before a
        signature, so a request for what is not the caller's records nothing."""
        _own(self._store.find(po_id, PurchaseOrder), supplier_id, po_id)

    def take_nonce(self, scope: str, nonce: str, expires: datetime) -> bool:
        """True the first time a nonce is seen in its scope (replays are refused)."""
        return self._nonces.take(scope, nonce, expires)

    def record_refusal(self, *, supplier_id: str, po_id: UUID | None, code: str,
                       detail: str, request: dict[str, Any], actor: Actor) -> None:
        """A refused signed request, counted for the audit trail."""
        size = len(json.dumps(request, default=str).encode())
        if size > MAX_SUMMARY_BYTES:
            request = {"oversized_summary_bytes": size, "sha256": hashlib.sha256(
                json.dumps(request, default=str, sort_keys=True).encode()).hexdigest()}
        self._refusals.record(supplier_id=supplier_id, po_id=po_id, code=code,
                              detail=detail[:300], request=request, actor=actor)

    # ---- the supplier's own POs ------------------------------------------------------
    def get_purchase_order(self, supplier_id: str, po_id: UUID) -> dict[str, Any]:
        return supplier_purchase_order_view(
            _own(self._store.find(po_id, PurchaseOrder), supplier_id, po_id))

    def acknowledge_purchase_order(self, supplier_id: str, po_id: UUID, *, revision: int,
                                   content_hash: str, decisions: list[dict[str, Any]],
                                   keyid: str, evidence: dict[str, Any], actor: Actor,
                                   cond: Preconditions = NONE) -> CommandResult:
        """``PurchaseOrderSignedBack`` (every line accepted) or
        ``PurchaseOrderCountered``; the answer's ``result`` says which."""
        return self._run(supplier_id, po_id, lambda po: {"result": po.acknowledge(
            revision, content_hash, decisions, keyid, evidence, actor)}, cond)

    def declare_delivery(self, supplier_id: str, po_id: UUID, *, reference: str | None,
                         lines: list[dict[str, Any]], keyid: str, evidence: dict[str, Any],
                         actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        """``DeliveryNoteReceived``; at most ``GENDAN_PORTAL_DELIVERY_NOTES_PER_DAY``
        a PO a day (UTC), 409 past it."""
        return self._run(supplier_id, po_id, lambda po: {"delivery_note_id": po.declare_delivery(
            reference, lines, keyid, evidence, actor, per_day=self._notes_per_day)}, cond)

    def _run(self, supplier_id: str, po_id: UUID, command: Callable[[PurchaseOrder], Any],
             cond: Preconditions) -> CommandResult:
        """Ownership is checked on the PO the command runs on (one load), and
        again on the PO a replayed answer shows: an Idempotency-Key's answer
        is only ever the caller's own PO."""
        return self._store.update(
            po_id, PurchaseOrder, "Purchase order",
            lambda po: command(_own(po, supplier_id, po_id)),
            lambda po: supplier_purchase_order_view(_own(po, supplier_id, po_id)), cond)

    def _supplier(self, supplier_id: str) -> Supplier | None:
        try:
            return self._store.find(UUID(supplier_id), Supplier)
        except ValueError:  # not a UUID: no supplier of ours
            return None


def _own(po: PurchaseOrder | None, supplier_id: str, po_id: UUID) -> PurchaseOrder:
    """The PO if it was sent to this supplier; otherwise 404, whether it does
    not exist or is another supplier's (its existence stays hidden)."""
    if po is None or po.id != po_id or str(po.supplier_id) != supplier_id or not po.sent:
        raise NotFound(f"Purchase order {po_id} not found")
    return po
