"""Production follow-up of an order (Plan 12 §5): the production notice,
daily progress, delays with their causes, the customer's consent to a late
date, and what production has reached (G9).

``Order`` keeps the events (their topics name it) and calls these pure
functions to check a command's input and to say what it leads to; the
events' ``apply`` only store what they carry. The time-and-action plan's
dates come from ``tna``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain import tna
from app.domain.errors import InvalidState, InvalidValue, NotFound
from app.domain.values import parse_currency, parse_decimal, parse_money

FACTORY_KINDS = ("own", "subcontractor")
# Plan 12 §6 #7: the seven causes a delay is traced to.
CAUSES = ("plan_error", "equipment_failure", "material_shortage", "high_defect_rate",
          "rush_orders", "accumulated_delay", "workforce")
RESPONSIBLE = ("factory", "supplier", "customer", "company")
QUANTITIES = ("cut", "made", "finished", "packed")
MAX_ROWS = 500  # breakdown rows, accessories, sizes of one report
MAX_TEXT = 2000
BEARS_ITEMS = ("special_materials", "storage", "wastage", "other")


def new_state() -> dict[str, Any]:
    """An order's production file before anything is recorded."""
    return {"notice": None, "plan": None, "actuals": {}, "forecast": {},
            "forecast_ex_factory": None, "progress": [], "delays": [], "consents": [],
            "packaging": None}


def ordered_quantity(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(line["quantity"]) for line in lines), Decimal(0))


def required_text(value: Any, field: str) -> str:
    return _text(value, field)  # type: ignore[return-value]  # required: never None


def optional_text(value: Any, field: str) -> str | None:
    return _text(value, field, required=False)


def _text(value: Any, field: str, *, required: bool = True) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidValue(field, "must be text")
    if len(text) > MAX_TEXT:
        raise InvalidValue(field, f"at most {MAX_TEXT} characters")
    if required and not text:
        raise InvalidValue(field, "must not be blank")
    return text or None


def _bounded(items: list[Any] | None, field: str) -> list[Any]:
    items = list(items or [])
    if len(items) > MAX_ROWS:
        raise InvalidValue(field, f"at most {MAX_ROWS} entries")
    return items


# ---- the production notice ------------------------------------------------------
def parse_notice(lines: list[dict[str, Any]], factory: dict[str, Any],
                 requirements: dict[str, Any], breakdown: list[dict[str, Any]],
                 accessories: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The notice, checked: each line's colour/size breakdown sums to the
    line's quantity, every line is broken down, no colour/size twice."""
    kind = factory.get("kind")
    if kind not in FACTORY_KINDS:
        raise InvalidValue("factory.kind", f"one of {', '.join(FACTORY_KINDS)}")
    supplier_id = factory.get("supplier_id")
    parsed_factory = {"name": _text(factory.get("name"), "factory.name"), "kind": kind,
                      "supplier_id": None if supplier_id is None else str(supplier_id)}
    parsed_requirements = {
        key: _text(requirements.get(key), f"requirements.{key}",
                   required=key in ("quality", "packaging", "shipping_marks"))
        for key in ("quality", "packaging", "shipping_marks", "labels", "other")
    }
    quantities = {line["line_no"]: Decimal(line["quantity"]) for line in lines}
    sums = dict.fromkeys(quantities, Decimal(0))
    rows, seen = [], set()
    for n, row in enumerate(_bounded(breakdown, "breakdown")):
        line_no = row["line_no"]
        if line_no not in quantities:
            raise InvalidValue(f"breakdown.{n}.line_no", f"the order has no line {line_no}")
        colour = _text(row.get("colour"), f"breakdown.{n}.colour")
        size = _text(row.get("size"), f"breakdown.{n}.size")
        if (line_no, colour, size) in seen:
            raise InvalidValue(f"breakdown.{n}", f"line {line_no} {colour}/{size} is given twice")
        seen.add((line_no, colour, size))
        quantity = parse_decimal(row["quantity"], f"breakdown.{n}.quantity")
        if quantity <= 0:
            raise InvalidValue(f"breakdown.{n}.quantity", "must be greater than zero")
        sums[line_no] += quantity
        rows.append({"line_no": line_no, "colour": colour, "size": size, "quantity": quantity})
    for line_no, total in sums.items():
        if total != quantities[line_no]:
            raise InvalidValue("breakdown", f"line {line_no}'s colours and sizes sum to {total}, "
                                            f"not its quantity {quantities[line_no]}")
    parsed_accessories = [
        {"item": _text(a.get("item"), f"accessories.{n}.item"),
         "spec": _text(a.get("spec"), f"accessories.{n}.spec", required=False),
         "purchase_order_id": None if a.get("purchase_order_id") is None
         else str(a["purchase_order_id"])}
        for n, a in enumerate(_bounded(accessories, "accessories"))
    ]
    return {"factory": parsed_factory, "requirements": parsed_requirements, "breakdown": rows,
            "accessories": parsed_accessories}


# ---- how far production has gone (G9) ---------------------------------------------
def latest_progress(production: dict[str, Any]) -> dict[str, Any]:
    reports = production["progress"]
    return reports[-1] if reports else dict.fromkeys(QUANTITIES, Decimal(0))


def stage(production: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    """"none" before any quantity is reported; "finished" once the finished
    quantity reaches the ordered one or packing has started; else "partial"."""
    latest = latest_progress(production)
    if latest["packed"] > 0 or latest["finished"] >= ordered_quantity(lines):
        return "finished"
    return "partial" if any(latest[q] > 0 for q in QUANTITIES) else "none"


# ---- daily progress ----------------------------------------------------------------
def parse_progress(production: dict[str, Any], lines: list[dict[str, Any]], on: date,
                   today: date, quantities: dict[str, Any], by_size: list[dict[str, Any]] | None,
                   lines_running: int | None, note: str | None) -> dict[str, Any]:
    """A report, checked: cumulative figures never go down nor past twice the
    order; a figure not given carries the last report's forward."""
    if on > today:
        raise InvalidValue("on", "progress is reported as of today or an earlier day")
    latest = latest_progress(production)
    if production["progress"] and on < latest["on"]:
        raise InvalidValue("on", f"a report as of {latest['on']} is already recorded")
    ceiling = 2 * ordered_quantity(lines)
    figures: dict[str, Decimal] = {}
    for name in QUANTITIES:
        given = quantities.get(name)
        value = latest[name] if given is None else parse_decimal(given, name)
        if value < latest[name]:
            raise InvalidValue(name, f"cumulative: below the {latest[name]} already reported")
        if value > ceiling:
            raise InvalidValue(name, f"more than twice the ordered {ceiling / 2}")
        figures[name] = value
    sizes = {(r["colour"], r["size"]) for r in (production["notice"] or {}).get("breakdown", ())}
    parsed_sizes = []
    for n, row in enumerate(_bounded(by_size, "by_size")):
        key = (row.get("colour"), row.get("size"))
        if key not in sizes:
            raise InvalidValue(f"by_size.{n}", f"{key[0]}/{key[1]} is not in the production notice")
        parsed_sizes.append({"colour": key[0], "size": key[1], **{
            name: None if row.get(name) is None else parse_decimal(row[name], f"by_size.{n}.{name}")
            for name in QUANTITIES}})
    if lines_running is not None and not 0 <= lines_running <= 10_000:
        raise InvalidValue("lines_running", "0 to 10000")
    return {"on": on, **figures, "by_size": parsed_sizes, "lines_running": lines_running,
            "note": _text(note, "note", required=False)}


def behind_plan(production: dict[str, Any], lines: list[dict[str, Any]], on: date,
                made: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """The plan's quantity made by ``on``, and how far ``made`` is behind it."""
    plan = production["plan"]
    if plan is None:
        return None, None
    planned = tna.planned_quantity(plan["milestones"], ordered_quantity(lines),
                                   plan["daily_capacity"], tna.Calendar.from_dict(plan["calendar"]),
                                   on)
    return planned, None if planned is None else planned - made


def behind_threshold(production: dict[str, Any], lines: list[dict[str, Any]],
                     days: Decimal) -> Decimal:
    """``days`` of the plan's daily output: its capacity, or the quantity
    spread evenly over the production span's working days."""
    plan = production["plan"]
    if plan["daily_capacity"]:
        return days * plan["daily_capacity"]
    span = tna.production_span(plan["milestones"])
    calendar = tna.Calendar.from_dict(plan["calendar"])
    start, end = (plan["milestones"][i]["planned_on"] for i in span) if span else (None, None)
    working = calendar.working_days(start, end) + 1 if span else 1
    return days * ordered_quantity(lines) / max(working, 1)


# ---- delays and consents -------------------------------------------------------------
def parse_delay(cause: str, responsible: str, days: int, forecast: date, action: str,
                purchase_order_id: Any) -> dict[str, Any]:
    if cause not in CAUSES:
        raise InvalidValue("cause", f"one of {', '.join(CAUSES)}")
    if responsible not in RESPONSIBLE:
        raise InvalidValue("responsible", f"one of {', '.join(RESPONSIBLE)}")
    if not isinstance(days, int) or not 0 <= days <= 365:
        raise InvalidValue("days", "0 to 365 days lost")
    if purchase_order_id is not None and cause != "material_shortage":
        raise InvalidValue("purchase_order_id", "names the PO of a material shortage only")
    return {"cause": cause, "responsible": responsible, "days": days,
            "forecast_ex_factory": forecast, "action": _text(action, "action"),
            "purchase_order_id": None if purchase_order_id is None else str(purchase_order_id)}


def parse_bears(items: list[dict[str, Any]] | None, field: str = "customer_bears"
                ) -> list[dict[str, Any]]:
    """What the customer bears (special materials, storage, wastage...)."""
    parsed = []
    for n, item in enumerate(_bounded(items, field)):
        if item.get("item") not in BEARS_ITEMS:
            raise InvalidValue(f"{field}.{n}.item", f"one of {', '.join(BEARS_ITEMS)}")
        currency = parse_currency(item["currency"], f"{field}.{n}.currency")
        amount = parse_money(parse_decimal(item["amount"], f"{field}.{n}.amount"), currency,
                             f"{field}.{n}.amount")
        parsed.append({"item": item["item"], "amount": amount, "currency": currency})
    return parsed


def parse_compensation(compensation: dict[str, Any] | None) -> dict[str, Any] | None:
    if compensation is None:
        return None
    currency = parse_currency(compensation["currency"], "compensation.currency")
    amount = parse_money(parse_decimal(compensation["amount"], "compensation.amount"),
                         currency, "compensation.amount")
    return {"amount": amount, "currency": currency,
            "terms": _text(compensation.get("terms"), "compensation.terms", required=False)}


def consented_until(production: dict[str, Any]) -> date | None:
    """The latest date the customer consented to (G6)."""
    dates = [c["consented_date"] for c in production["consents"]]
    return max(dates) if dates else None


def forecast_ex_factory(production: dict[str, Any]) -> date | None:
    return production["forecast_ex_factory"]


def require_plan_milestone(production: dict[str, Any], code: str) -> dict[str, Any]:
    plan = production["plan"]
    if plan is None:
        raise InvalidState("The order has no production plan")
    for milestone in plan["milestones"]:
        if milestone["code"] == code:
            return milestone
    raise NotFound(f"Milestone {code!r} is not in the order's production plan")
