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


def packing_for(order: dict[str, Any]) -> list[dict[str, Any]]:
    """A packing list for ``order`` as ``notice_for`` broke it down: each
    line in one carton (so any quantity packs exactly). The ``cartons`` of
    ``PUT /v1/orders/{id}/packing-list`` and of the use case."""
    def text(quantity: Any) -> str:
        return quantity if isinstance(quantity, str) else format(quantity, "f")

    return [{"from_no": n, "to_no": n, "line_no": line["line_no"], "colour": "natural",
             "size": "std", "quantity_per_carton": text(line["quantity"]), "net_kg": "10",
             "gross_kg": "11", "length_cm": "60", "width_cm": "40", "height_cm": "35"}
            for n, line in enumerate(order["lines"], start=1)]


def passed_final_inspection(order: dict[str, Any]) -> dict[str, Any]:
    """A final inspection that passes (no defect found): the keyword
    arguments of ``gendan.quality.record_order_inspection`` and the body of
    ``POST /v1/orders/{id}/inspections``."""
    from datetime import datetime, timezone

    return {"stage": "final", "lot_size": 1000, "level": None, "aql": None,
            "defects": {"critical": 0, "major": 0, "minor": 0}, "findings": None,
            "report_ref": "QC report F-1",
            "inspected_on": datetime.now(timezone.utc).date(),
            "corrective_actions": None, "factory_id": None, "product": None}


def make_ready_to_ship(gendan: Gendan, order_id: UUID, actor: Any) -> CommandResult:
    """G11 and G12 (issue 12): a passed final inspection and a packing list
    as ordered, on a released order."""
    order = gendan.orders.get_order(order_id)
    gendan.quality.record_order_inspection(order_id, **passed_final_inspection(order),
                                           actor=actor)
    return gendan.quality.issue_packing_list(order_id, packing_for(order), actor)
