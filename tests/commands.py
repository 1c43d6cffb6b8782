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


def notice_for(order: dict[str, Any]) -> dict[str, Any]:
    """A production notice for ``order`` (an HTTP answer or the application's
    view): each line one colour and size, its whole quantity. The body of
    ``PUT /v1/orders/{id}/production-notice`` and the use case's arguments."""
    def text(quantity: Any) -> str:
        return quantity if isinstance(quantity, str) else format(quantity, "f")

    return {
        "factory": {"name": "Own workshop", "kind": "own"},
        "requirements": {"quality": "as the approved sample", "packaging": "export cartons",
                         "shipping_marks": "as on the PI"},
        "breakdown": [{"line_no": line["line_no"], "colour": "natural", "size": "std",
                       "quantity": text(line["quantity"])} for line in order["lines"]],
        "accessories": [],
    }


def draft_notice(gendan: Gendan, order_id: UUID, actor: Any) -> CommandResult:
    """Draft the notice a production release approves (issue 11)."""
    order = gendan.orders.get_order(order_id)
    return gendan.production.draft_production_notice(order_id, **notice_for(order), actor=actor)
