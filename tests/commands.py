"""Any command on an aggregate through the application's store, for tests
that exercise an aggregate's methods directly (the use cases name the
commands the API offers; tests also try the odd ones)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from app.application import Gendan
from app.application.dto import NONE, CommandResult, Preconditions
from app.application.sourcing_views import purchase_order_view
from app.domain.order import Order
from app.domain.purchase_order import PurchaseOrder


def on_order(gendan: Gendan, order_id: UUID, command: Callable[[Order], Any],
             cond: Preconditions = NONE) -> CommandResult:
    return gendan.store.update(order_id, Order, "Order", command, gendan.orders.view, cond)


def on_purchase_order(gendan: Gendan, po_id: UUID, command: Callable[[PurchaseOrder], Any],
                      cond: Preconditions = NONE) -> CommandResult:
    return gendan.store.update(po_id, PurchaseOrder, "Purchase order", command,
                               purchase_order_view, cond)
