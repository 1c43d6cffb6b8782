"""Sourcing commands and reads of the application (suppliers, RFQs, purchase
orders, the supplier portal), mixed into ``Gendan``: the same boundary as
the order commands (ids and primitives in, plain views out), the same
idempotency, If-Match and conflict-retry guarantees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from app.domain import gates
from app.domain.errors import NotFound
from app.domain.item import Item, item_id_for
from app.domain.order import Order
from app.domain.portal import PortalRefusal
from app.domain.purchase_order import PurchaseOrder
from app.domain.rfq import Rfq, item_key
from app.domain.supplier import Supplier
from app.domain.values import Actor
from app.idempotency import KeyedRequest
from app.sourcing_views import (
    evidence_view,
    purchase_order_view,
    rfq_view,
    supplier_purchase_order_view,
    supplier_view,
)

if TYPE_CHECKING:
    from app.application import CommandResult

# Long-lived streams that replay from a snapshot (an item gains an event for
# every PO that buys it).
SNAPSHOTTED = (PurchaseOrder, Item)


def sourcing_view_of(aggregate: Any) -> dict[str, Any]:
    if isinstance(aggregate, PurchaseOrder):
        return purchase_order_view(aggregate)
    if isinstance(aggregate, Rfq):
        return rfq_view(aggregate)
    if isinstance(aggregate, Supplier):
        return supplier_view(aggregate)
    raise TypeError(f"no view for {type(aggregate).__name__}")


class Sourcing:
    """Mixed into ``Gendan`` (app/application.py), whose helpers it uses."""

    # ---- suppliers -------------------------------------------------------------
    def register_supplier(self: Any, name: str, country: str, contact: str | None,
                          keys: list[dict[str, str]], actor: Actor,
                          keyed: KeyedRequest | None = None) -> CommandResult:
        return self._create(keyed, lambda: Supplier.register(name, country, contact, keys, actor))

    def get_supplier(self: Any, supplier_id: UUID) -> dict[str, Any]:
        return supplier_view(self._load(supplier_id, Supplier, "Supplier"))

    def supplier_key(self: Any, supplier_id: str, keyid: str) -> str | None:
        """The active public key (base64 raw) of a supplier's keyid, or None."""
        try:
            supplier = self._find(UUID(supplier_id), Supplier)
        except ValueError:  # not a UUID: no supplier of ours
            return None
        return None if supplier is None else supplier.active_key(keyid)

    # ---- RFQs ------------------------------------------------------------------------
    def request_quotes(self: Any, *, item: str, quantity: Any, unit: str, spec: str | None,
                       required_by: date, order_id: UUID | None, actor: Actor,
                       keyed: KeyedRequest | None = None) -> CommandResult:
        def build() -> Rfq:
            if order_id is not None:
                self._load(order_id, Order, "Order")
            return Rfq.request(item, quantity, unit, spec, required_by, order_id, actor)

        return self._create(keyed, build)

    def record_quote(self: Any, rfq_id: UUID, *, supplier_id: UUID, unit_price: Any,
                     currency: str, landed_cost_per_unit: Any, lead_time_days: int, moq: Any,
                     valid_until: date | None, actor: Actor, keyed: KeyedRequest | None = None,
                     if_match: frozenset[int] | None = None) -> CommandResult:
        supplier = self._load(supplier_id, Supplier, "Supplier")
        return self.update_aggregate(rfq_id, Rfq, "RFQ", lambda rfq: {"quote_id": rfq.record_quote(
            supplier.id, supplier.name, unit_price, currency, landed_cost_per_unit,
            lead_time_days, moq, valid_until, actor)}, keyed=keyed, if_match=if_match)

    def get_rfq(self: Any, rfq_id: UUID, currency: str | None = None,
                rates: dict[str, Decimal] | None = None) -> dict[str, Any]:
        return rfq_view(self._load(rfq_id, Rfq, "RFQ"), currency, rates)

    # ---- purchase orders --------------------------------------------------------------
    def draft_purchase_order(self: Any, *, supplier_id: UUID, order_id: UUID | None,
                             rfq_id: UUID | None, currency: str, terms: str | None,
                             lines: list[dict[str, Any]], waiver_reason: str | None,
                             actor: Actor, keyed: KeyedRequest | None = None) -> CommandResult:
        """``PurchaseOrderDrafted``; G8 refuses the first purchase of an item
        without an awarded three-quote RFQ or a supervisor's waiver."""

        def build() -> PurchaseOrder:
            supplier = self._load(supplier_id, Supplier, "Supplier")
            if order_id is not None:
                self._load(order_id, Order, "Order")
            rfq = self._load(rfq_id, Rfq, "RFQ") if rfq_id is not None else None
            po = PurchaseOrder.draft(
                supplier_id=supplier.id, order_id=order_id, rfq_id=rfq_id, currency=currency,
                terms=terms, lines=lines, waiver_reason=waiver_reason, actor=actor)
            new_items = sorted({key for key in (item_key(line["item"]) for line in po.lines)
                                if self._item(key) is None})
            gates.refuse(gates.g8_new_items(new_items, rfq, supplier.id, waiver_reason,
                                            actor.role))
            return po

        return self._create(keyed, build)

    def update_purchase_order(self: Any, po_id: UUID, command: Any, *,
                              keyed: KeyedRequest | None = None,
                              if_match: frozenset[int] | None = None) -> CommandResult:
        return self.update_aggregate(po_id, PurchaseOrder, "Purchase order", command,
                                     keyed=keyed, if_match=if_match)

    def send_purchase_order(self: Any, po_id: UUID, actor: Actor, *,
                            keyed: KeyedRequest | None = None,
                            if_match: frozenset[int] | None = None) -> CommandResult:
        """``PurchaseOrderSent`` (G7), and each item's price recorded with it,
        in one transaction: the item is "bought" from now on (G8), and a price
        unlike another PO's raises the accountant's alert."""
        from app.application import Outcome

        def command(po: PurchaseOrder) -> Outcome:
            sent = po.send(actor)
            items: dict[str, Item] = {}
            for line in po.lines:
                key = item_key(line["item"])
                item = items.get(key) or self._item(key) or Item.first_bought(
                    line["item"], key, actor)
                items[key] = item
                others = item.bought(po.id, po.revision, po.supplier_id, line["unit_price"],
                                     po.currency, actor)
                po.price_differs(line, others, actor)
            # The hash is in the PO's view (`content_hash`); the answer adds
            # which revision this send sent.
            return Outcome({"revision_sent": sent["revision"]}, tuple(items.values()))

        return self.update_purchase_order(po_id, command, keyed=keyed, if_match=if_match)

    def get_purchase_order(self: Any, po_id: UUID) -> dict[str, Any]:
        return purchase_order_view(self._load(po_id, PurchaseOrder, "Purchase order"))

    def purchase_order_evidence(self: Any, po_id: UUID) -> list[dict[str, Any]]:
        po = self._load(po_id, PurchaseOrder, "Purchase order")
        return evidence_view(po, self._load(po.supplier_id, Supplier, "Supplier"))

    # ---- the supplier portal -----------------------------------------------------------
    def suppliers_purchase_order(self: Any, supplier_id: str, po_id: UUID) -> PurchaseOrder:
        """The PO if it was sent to this supplier, else 404 (``_own``)."""
        return _own(self._find(po_id, PurchaseOrder), supplier_id, po_id)

    def supplier_view_of_purchase_order(self: Any, supplier_id: str,
                                        po_id: UUID) -> dict[str, Any]:
        return supplier_purchase_order_view(self.suppliers_purchase_order(supplier_id, po_id))

    def supplier_command(self: Any, supplier_id: str, po_id: UUID, command: Any, *,
                         keyed: KeyedRequest | None = None) -> CommandResult:
        """A signed command from the portal on the supplier's own PO (checked
        on the PO the command runs on: one load), answered as the supplier
        sees the PO."""
        return self.update_aggregate(
            po_id, PurchaseOrder, "Purchase order",
            lambda po: command(_own(po, supplier_id, po_id)), keyed=keyed,
            view=supplier_purchase_order_view)

    def record_refusal(self: Any, *, supplier_id: str | None, po_id: UUID | None, code: str,
                       detail: str, request: dict[str, Any], actor: Actor) -> None:
        """A refused signed request, for the audit trail (app/domain/portal.py)."""
        refusal = PortalRefusal.record(
            supplier_id=supplier_id, purchase_order_id=po_id, code=code, detail=detail,
            request=request, actor_sub=actor.sub, actor_role=actor.role)
        self.save(refusal)

    # ---- helpers -----------------------------------------------------------------------
    def _item(self: Any, key: str) -> Item | None:
        return self._find(item_id_for(key), Item)


def _own(po: PurchaseOrder | None, supplier_id: str, po_id: UUID) -> PurchaseOrder:
    """The PO if it was sent to this supplier; otherwise 404, whether it does
    not exist or is another supplier's (its existence stays hidden)."""
    if po is None or str(po.supplier_id) != supplier_id or not po.sent:
        raise NotFound(f"Purchase order {po_id} not found")
    return po
