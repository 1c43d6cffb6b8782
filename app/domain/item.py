"""A material or accessory as the company buys it, across purchase orders.

It answers two questions no single PO can: has this item ever been bought
(G8: the first PO of a new item needs three quotes), and at what prices
(SPEC.md alerts: the same item bought at different prices). Its id follows
from the item's name, so the PO that buys it first creates it, and two POs
buying a new item at once conflict on version 1 instead of both passing G8.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from app.domain.values import Actor

_ITEM_NS = uuid5(NAMESPACE_URL, "https://gendan/items")


def item_id_for(key: str) -> UUID:
    return uuid5(_ITEM_NS, key)


class Item(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class ItemFirstBought(Event, Aggregate.Created):
        item: str
        item_key: str

    def __init__(self, item: str, item_key: str, actor_sub: str, actor_role: str):
        self.item = item
        self.item_key = item_key
        # po_id -> the price of its latest sent revision
        self.prices: dict[str, dict[str, Any]] = {}

    @classmethod
    def first_bought(cls, item: str, key: str, actor: Actor) -> Item:
        return cls._create(cls.ItemFirstBought, id=item_id_for(key), item=item, item_key=key,
                           actor_sub=actor.sub, actor_role=actor.role)

    class ItemBought(Event):
        purchase_order_id: UUID
        revision: int
        supplier_id: UUID
        unit_price: Decimal
        currency: str

        def apply(self, item: Item) -> None:
            item.prices[str(self.purchase_order_id)] = {
                "purchase_order_id": self.purchase_order_id, "revision": self.revision,
                "supplier_id": self.supplier_id, "unit_price": self.unit_price,
                "currency": self.currency, "at": self.timestamp,
            }

    def bought(self, purchase_order_id: UUID, revision: int, supplier_id: UUID,
               unit_price: Decimal, currency: str, actor: Actor) -> list[dict[str, Any]]:
        """Record a PO's price; answer the other POs that bought the item at
        another price (in the same currency: across currencies the rate of
        the day decides, which is the accountant's call, not ours)."""
        others = [
            p for key, p in self.prices.items()
            if key != str(purchase_order_id) and p["currency"] == currency
            and p["unit_price"] != unit_price
        ]
        self.trigger_event(self.ItemBought, purchase_order_id=purchase_order_id,
                           revision=revision, supplier_id=supplier_id, unit_price=unit_price,
                           currency=currency, actor_sub=actor.sub, actor_role=actor.role)
        return others
