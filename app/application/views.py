"""Write-side views: a customer and an order as clients see them (``GET
/v1/orders/{id}`` and every command's answer), built from the aggregate
loaded out of the event store (the read models are the projections')."""

from __future__ import annotations

from typing import Any

from app.domain import gates
from app.domain.customer import Customer
from app.domain.order import Order
from app.domain.values import Policy


def order_view(order: Order, policy: Policy) -> dict[str, Any]:
    # G2 as the gate states it (app/domain/gates.py), not restated here.
    needs_margin_approval = gates.g2_needs_margin_approval(
        order.margin if order.analysis_no else None, order.margin_approved,
        policy.margin_threshold)
    return {
        "id": order.id,
        "reference": order.reference,
        "customer_id": order.customer_id,
        "state": order.state,
        "owner": order.owner,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "delivery_date": order.delivery_date,
        "samples_required": order.samples_required,
        "payment_terms": order.payment_terms,
        "lines": order.lines,
        "total": order.total,
        "deposit_due": order.deposit_due,
        "deposit_received": order.deposits,
        "balance_received": order.balances,
        "paid": order.paid,
        "balance_due": order.balance_due,
        "fees_received": order.fees,
        "margin": order.margin if order.analysis_no else None,
        "cost_analyses": order.analysis_no,
        "margin_approved": order.margin_approved,
        "needs_margin_approval": needs_margin_approval,
        "proforma_invoice": {
            "revision": order.pi_revision,
            "signed_back": order.pi_signed_back,
        } if order.pi_revision else None,
        "confirmed": order.confirmed,
        "shipment_without_balance_approved": order.shipment_without_balance_approved,
        # Issue 10: the credits received under an L/C, with their dates (G4).
        "letters_of_credit": list(order.letters_of_credit.values()),
        "samples": list(order.samples.values()),
        # Issue 12: the order's file lists its inspections and packing list.
        "quantity_tolerance_percent": order.quantity_tolerance,
        "inspections": [_inspection_summary(i, order) for i in order.inspections.values()],
        "packing_list": None if order.packing is None else {
            "revision": order.packing["revision"],
            "cartons": order.packing["totals"]["cartons"],
            "quantity": order.packing["totals"]["quantity"],
            "within_tolerance": all(d["within_tolerance"]
                                    for d in order.packing["differences"]),
            "difference_accepted": order.packing["accepted"] is not None,
        },
        "alerts": list(order.alerts.values()),
        "created_at": order.created_on,
        "updated_at": order.modified_on,
        "version": order.version,
    }


def _inspection_summary(inspection: dict[str, Any], order: Order) -> dict[str, Any]:
    return {
        "inspection_id": inspection["inspection_id"], "stage": inspection["stage"],
        "result": inspection["result"], "severity": inspection["severity"],
        "inspected_on": inspection["inspected_on"],
        "open_corrective_actions": sum(1 for a in inspection["corrective_actions"]
                                       if not a.get("closed_at")),
        "concession": inspection["inspection_id"] in order.concessions,
    }


def customer_view(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, "name": customer.name, "country": customer.country,
            "region": customer.region, "version": customer.version}
