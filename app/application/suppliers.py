"""Use cases of suppliers, their signing keys, and requests for quotation
(G8 wants three quotes before an item's first purchase)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.application.dto import NONE, CommandResult, Preconditions
from app.application.sourcing_views import rfq_view, supplier_view
from app.application.store import Store
from app.domain.order import Order
from app.domain.rfq import Rfq
from app.domain.supplier import Supplier
from app.domain.values import Actor


class Suppliers:
    def __init__(self, store: Store):
        self._store = store

    def register_supplier(self, name: str, country: str, contact: str | None,
                          keys: list[dict[str, str]], actor: Actor,
                          cond: Preconditions = NONE) -> CommandResult:
        """``SupplierRegistered`` with the Ed25519 keys its portal signs with
        (base64 of the raw 32 bytes)."""
        return self._store.create(
            lambda: Supplier.register(name, country, contact, keys, actor), supplier_view, cond)

    def add_supplier_key(self, supplier_id: UUID, keyid: str, public_key: str, actor: Actor,
                         cond: Preconditions = NONE) -> CommandResult:
        return self._store.update(supplier_id, Supplier, "Supplier",
                                  lambda s: s.add_key(keyid, public_key, actor),
                                  supplier_view, cond)

    def revoke_supplier_key(self, supplier_id: UUID, keyid: str, reason: str | None,
                            actor: Actor, cond: Preconditions = NONE) -> CommandResult:
        return self._store.update(supplier_id, Supplier, "Supplier",
                                  lambda s: s.revoke_key(keyid, reason, actor),
                                  supplier_view, cond)

    def get_supplier(self, supplier_id: UUID) -> dict[str, Any]:
        return supplier_view(self._store.load(supplier_id, Supplier, "Supplier"))


class Rfqs:
    def __init__(self, store: Store):
        self._store = store

    def request_quotes(self, *, item: str, quantity: Decimal, unit: str, spec: str | None,
                       required_by: date, order_id: UUID | None, actor: Actor,
                       cond: Preconditions = NONE) -> CommandResult:
        def build() -> Rfq:
            if order_id is not None:
                self._store.load(order_id, Order, "Order")
            return Rfq.request(item, quantity, unit, spec, required_by, order_id, actor)

        return self._store.create(build, rfq_view, cond)

    def record_quote(self, rfq_id: UUID, *, supplier_id: UUID, unit_price: Decimal,
                     currency: str, landed_cost_per_unit: Any, lead_time_days: int, moq: Any,
                     valid_until: date | None, actor: Actor,
                     cond: Preconditions = NONE) -> CommandResult:
        """``SupplierQuoteReceived``; the answer carries its ``quote_id``."""
        supplier = self._store.load(supplier_id, Supplier, "Supplier")
        return self._store.update(rfq_id, Rfq, "RFQ", lambda rfq: {"quote_id": rfq.record_quote(
            supplier.id, supplier.name, unit_price, currency, landed_cost_per_unit,
            lead_time_days, moq, valid_until, actor)}, rfq_view, cond)

    def award_rfq(self, rfq_id: UUID, quote_id: str, reason: str | None, actor: Actor,
                  cond: Preconditions = NONE) -> CommandResult:
        return self._store.update(rfq_id, Rfq, "RFQ",
                                  lambda r: r.award(quote_id, reason, actor), rfq_view, cond)

    def get_rfq(self, rfq_id: UUID, currency: str | None = None,
                rates: dict[str, Decimal] | None = None) -> dict[str, Any]:
        return rfq_view(self._store.load(rfq_id, Rfq, "RFQ"), currency, rates)
