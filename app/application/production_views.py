"""The write-side view of an order's production file (``GET
/v1/orders/{id}/production`` and the answer of every production command):
the notice, the plan with each milestone planned, forecast and actual, the
progress against plan, delays, consents and changes.

Decimals are written as text and dates as ISO days here, as they are
stored in the read models, so the answer means one thing in every client.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain import production
from app.domain.order import Order
from app.domain.values import decimal_text


def plain(value: Any) -> Any:
    """A view's values as its answer writes them: decimals by ``decimal_text``
    ("1000", never "1E+3", unlike ``feed.jsonable``'s ``str``), dates ISO."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _plan(order: Order) -> dict[str, Any] | None:
    file = order.production
    plan = file["plan"]
    if plan is None:
        return None
    actuals, forecast = file["actuals"], file["forecast"]
    milestones = []
    for m in plan["milestones"]:
        done = actuals.get(m["code"])
        milestones.append({
            **m, "forecast_on": forecast.get(m["code"], m["planned_on"]), "completed_on": done,
            "days_late": max(0, (done - m["planned_on"]).days) if done else 0,
        })
    return {**{k: v for k, v in plan.items() if k != "milestones"}, "milestones": milestones,
            "forecast_ex_factory": forecast.get("ex_factory", plan["ex_factory"])}


def production_view(order: Order) -> dict[str, Any]:
    file = order.production
    notice = file["notice"]
    forecast = file["forecast_ex_factory"]
    consented = production.consented_until(file)
    late_without_consent = forecast is not None and forecast > order.delivery_date and not (
        consented is not None and consented >= forecast)
    return plain({
        "order_id": str(order.id),
        "reference": order.reference,
        "state": order.state,
        "version": order.version,
        "delivery_date": order.delivery_date,
        "stage": production.stage(file, order.lines),
        "notice": None if notice is None else {
            **notice, "frozen": order.state not in ("cancelled",) and order.state in (
                "in_production", "inspected", "ready_to_ship", "shipped", "closed")},
        "packaging": file["packaging"],
        "plan": _plan(order),
        "progress": file["progress"],
        "delays": file["delays"],
        "consents": file["consents"],
        "changes": list(order.changes.values()),
        "forecast_ex_factory": forecast,
        "waiting_for_consent": late_without_consent,
    })
