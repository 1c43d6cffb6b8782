"""Write-side views of quality and packing: an inspection report and a
packing list as a person receives them (the API renders them as JSON, CSV
or PDF), and a factory's switching state.

Decimals are text and dates ISO days, as in the production view.
"""

from __future__ import annotations

from typing import Any

from app.application.production_views import plain
from app.domain import quality
from app.domain.order import Order
from app.domain.quality_record import QualityRecord


def inspection_answer(recorded: dict[str, Any]) -> dict[str, Any]:
    """What an inspection command answers beyond the order: the plans per
    class, the result, and the severity used and why."""
    return plain({
        "inspection_id": recorded["inspection_id"], "stage": recorded["stage"],
        "severity": recorded["severity"], "severity_reason": recorded["severity_reason"],
        "severity_after": recorded.get("severity_after", recorded["severity"]),
        "severity_reason_after": recorded.get("severity_reason_after"),
        "plans": recorded["plans"], "class_results": recorded["class_results"],
        "result": recorded["result"], "corrective_actions": recorded["corrective_actions"],
        "rejected": recorded.get("rejected", []),
    })


def inspection_view(order: Order, inspection_id: str, customer: str | None,
                    company: str) -> dict[str, Any]:
    inspection = order.inspections[inspection_id]
    return plain({
        "company": company, "order_id": str(order.id), "reference": order.reference,
        "customer": customer, **inspection,
        "inspector": inspection.get("inspector"),
        "concession": order.concessions.get(inspection_id),
        "latest_final": order.latest_final == inspection_id,
    })


def packing_list_view(order: Order, customer: str | None, company: str) -> dict[str, Any]:
    packing = order.packing
    assert packing is not None  # the caller checks
    beyond = [d for d in packing["differences"] if not d["within_tolerance"]]
    return plain({
        "company": company, "order_id": str(order.id), "reference": order.reference,
        "customer": customer, "state": order.state, "version": order.version,
        "revision": packing["revision"], "issued_at": packing["issued_at"].isoformat(),
        "cartons": packing["cartons"], "totals": packing["totals"],
        "differences": packing["differences"],
        "tolerance_percent": packing["tolerance_percent"],
        "within_tolerance": not beyond,
        "difference_accepted": packing["accepted"],
        "shippable": not beyond or packing["accepted"] is not None,
    })


def record_view(record: QualityRecord | None, factory: str, product: str) -> dict[str, Any]:
    state = record.state if record is not None else quality.new_record()
    return {
        "factory": factory, "product": product, "severity": state["severity"],
        "reason": record.reason if record is not None else "no lot inspected yet: normal",
        "switching_score": state["score"], "recent_normal_results": [
            "accepted" if ok else "not accepted" for ok in state["normal_results"]],
        "tightened_accepted_in_a_row": state["tightened_accepted"],
        "tightened_not_accepted": state["tightened_rejected"],
        "discontinued": state["discontinued"],
        "reduced_possible": state["severity"] == "normal"
        and state["score"] >= quality.REDUCED_SCORE,
        "version": record.version if record is not None else 0,
    }
