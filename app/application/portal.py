"""Use cases of the supplier portal: a supplier sees and answers only its
own sent POs (another supplier's is as unknown as one that does not exist),
with commands whose signatures the API verified against the keys found
here; a refused signed request is recorded for the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Preconditions
from app.application.nonces import NonceStore
from app.application.sourcing_views import supplier_purchase_order_view
from app.application.store import Store
from app.domain.errors import NotFound
from app.domain.portal import PortalRefusal
from app.domain.purchase_order import PurchaseOrder
from app.domain.supplier import Supplier
from app.domain.values import Actor


class Portal:
    def __init__(self, store: Store, nonces: NonceStore):
        self._store = store
        self._nonces = nonces

    def close(self) -> None:
        self._nonces.close()

    # ---- what a signature is checked against --------------------------------------
    def supplier_key(self, supplier_id: str, keyid: str) -> str | None:
        """The active public key (base64 raw) of a supplier's keyid, or None."""
        try:
            supplier = self._store.find(UUID(supplier_id), Supplier)
        except ValueError:  # not a UUID: no supplier of ours
            return None
        return None if supplier is None else supplier.active_key(keyid)

    def take_nonce(self, scope: str, nonce: str, expires: datetime) -> bool:
        """True the first time a nonce is seen in its scope (replays are refused)."""
        return self._nonces.take(scope, nonce, expires)

    def record_refusal(self, *, supplier_id: str | None, po_id: UUID | None, code: str,
                       detail: str, request: dict[str, Any], actor: Actor) -> None:
        """A refused signed request, for the audit trail (app/domain/portal.py)."""
        self._store.save(PortalRefusal.record(
            supplier_id=supplier_id, purchase_order_id=po_id, code=code, detail=detail,
            request=request, actor_sub=actor.sub, actor_role=actor.role))

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
        return self._run(supplier_id, po_id, lambda po: {"delivery_note_id": po.declare_delivery(
            reference, lines, keyid, evidence, actor)}, cond)

    def _run(self, supplier_id: str, po_id: UUID, command: Callable[[PurchaseOrder], Any],
             cond: Preconditions) -> CommandResult:
        """Ownership is checked on the PO the command runs on (one load), and
        the answer shows the PO as its supplier sees it."""
        return self._store.update(po_id, PurchaseOrder, "Purchase order",
                                  lambda po: command(_own(po, supplier_id, po_id)),
                                  supplier_purchase_order_view, cond)


def _own(po: PurchaseOrder | None, supplier_id: str, po_id: UUID) -> PurchaseOrder:
    """The PO if it was sent to this supplier; otherwise 404, whether it does
    not exist or is another supplier's (its existence stays hidden)."""
    if po is None or str(po.supplier_id) != supplier_id or not po.sent:
        raise NotFound(f"Purchase order {po_id} not found")
    return po
