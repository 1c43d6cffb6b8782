"""The one application object per process: the event store and the use
cases composed around it (STYLE.md habit 4: built in ``lifespan``).

A route finds its use case by name: ``gendan.orders.confirm_order(...)``,
``gendan.purchase_orders.send_purchase_order(...)``. No caller touches an
aggregate or the policy: the use cases hold them.
"""

from __future__ import annotations

from app.application.feed import Feed
from app.application.nonces import NonceStore
from app.application.orders import Customers, Orders
from app.application.portal import Portal
from app.application.production import Production
from app.application.quality import Quality
from app.application.purchasing import PurchaseOrders
from app.application.store import Store
from app.application.suppliers import Rfqs, Suppliers
from app.config import Settings
from app.domain.quality_record import QualityRecord
from app.domain.item import Item
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder
from app.domain.values import Policy

# Long-lived streams that replay from a snapshot: an order or a PO gains
# events all its life, an item one for every PO that buys it.
SNAPSHOTTED = (Order, PurchaseOrder, Item, QualityRecord)


def policy_of(settings: Settings) -> Policy:
    return Policy(
        margin_threshold=settings.margin_threshold_percent / 100,
        large_amounts=dict(settings.large_amount_thresholds),
        receipt_tolerance=settings.receipt_tolerance_percent / 100,
        company_country=settings.company_country,
        po_lead_days=settings.po_lead_days,
        progress_behind_days=settings.progress_behind_days,
        critical_full_inspection=settings.critical_full_inspection,
    )


class Gendan:
    def __init__(self, settings: Settings, *, create_table: bool = False):
        self.settings = settings
        self.policy = policy_of(settings)
        self.store = Store(settings, create_table=create_table, snapshotted=SNAPSHOTTED)
        self.customers = Customers(self.store)
        self.orders = Orders(self.store, self.policy)
        self.suppliers = Suppliers(self.store)
        self.rfqs = Rfqs(self.store)
        self.purchase_orders = PurchaseOrders(self.store, self.policy)
        self.production = Production(self.store, self.policy)
        self.quality = Quality(self.store, self.policy, settings.company_name)
        self.portal = Portal(self.store, NonceStore(settings))
        self.feed = Feed(self.store)

    def last_position(self) -> int:
        return self.store.last_position()

    def close(self) -> None:
        self.portal.close()
        self.store.close()
