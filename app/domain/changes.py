"""Order changes (G9, Plan 12 §5 (6); Plan 3 ``a-001``): a quantity, the
packaging, the delivery date or a unit price, asked by the customer or by
the company, decided by how far production has gone.

Pure functions: ``parse_change`` checks a request, ``changed_order`` says
what the order becomes if it is accepted (``Order`` records both).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.errors import InvalidValue
from app.domain.production import MAX_TEXT
from app.domain.values import parse_decimal, parse_lines

KINDS = ("quantity", "packaging", "delivery_date", "price")
REQUESTERS = ("customer", "company")
DECISIONS = ("accepted", "rejected")
# A change of price or quantity makes the latest cost analysis stale (G2).
REPRICING = ("quantity", "price")


def _required_text(value: Any, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidValue(field, "must not be blank")
    if len(text) > MAX_TEXT:
        raise InvalidValue(field, f"at most {MAX_TEXT} characters")
    return text


def parse_change(order_lines: list[dict[str, Any]], delivery_date: date, kind: str,
                 lines: list[dict[str, Any]] | None, packaging: str | None,
                 new_date: date | None, requested_by: str, reason: str,
                 evidence_ref: str) -> dict[str, Any]:
    """The request, checked: each kind carries exactly what it changes."""
    if kind not in KINDS:
        raise InvalidValue("kind", f"one of {', '.join(KINDS)}")
    if requested_by not in REQUESTERS:
        raise InvalidValue("requested_by", f"one of {', '.join(REQUESTERS)}")
    request: dict[str, Any] = {
        "kind": kind, "lines": [], "packaging": None, "delivery_date": None,
        "requested_by": requested_by, "reason": _required_text(reason, "reason"),
        "evidence_ref": _required_text(evidence_ref, "evidence_ref"),
    }
    if kind in REPRICING:
        request["lines"] = _parse_lines(order_lines, lines or [], kind)
    elif kind == "packaging":
        request["packaging"] = _required_text(packaging, "packaging")
    else:
        if new_date is None:
            raise InvalidValue("delivery_date", "a delivery-date change gives the new date")
        if new_date == delivery_date:
            raise InvalidValue("delivery_date", f"the order is already due on {delivery_date}")
        request["delivery_date"] = new_date
    return request


def _parse_lines(order_lines: list[dict[str, Any]], lines: list[dict[str, Any]],
                 kind: str) -> list[dict[str, Any]]:
    field = "quantity" if kind == "quantity" else "unit_price"
    if not lines:
        raise InvalidValue("lines", f"a {kind} change names the lines and their new {field}")
    known = {line["line_no"]: line for line in order_lines}
    parsed, seen = [], set()
    for n, line in enumerate(lines[:len(known) + 1]):
        line_no = line["line_no"]
        if line_no not in known or line_no in seen:
            raise InvalidValue(f"lines.{n}.line_no", f"line {line_no} is not on the order, "
                                                     "or is named twice")
        seen.add(line_no)
        if line.get(field) is None:
            raise InvalidValue(f"lines.{n}.{field}", f"a {kind} change gives the new {field}")
        value = parse_decimal(line[field], f"lines.{n}.{field}")
        if value <= 0:
            raise InvalidValue(f"lines.{n}.{field}", "must be greater than zero")
        if value == known[line_no][field]:
            raise InvalidValue(f"lines.{n}.{field}", f"line {line_no} already has {field} {value}")
        parsed.append({"line_no": line_no, "quantity": None, "unit_price": None, field: value})
    if len(lines) > len(parsed):
        raise InvalidValue("lines", "more lines than the order has")
    return parsed


def changed_order(order_lines: list[dict[str, Any]], currency: str, delivery_date: date,
                  packaging: str | None, request: dict[str, Any]
                  ) -> tuple[list[dict[str, Any]], Decimal, date, str | None]:
    """The order's lines, total, delivery date and packaging after the
    change (amounts rounded as on the order, by ``parse_lines``)."""
    by_no = {line["line_no"]: line for line in request["lines"]}
    raw = []
    for line in order_lines:
        change = by_no.get(line["line_no"], {})
        raw.append({
            **line,
            "quantity": change.get("quantity") or line["quantity"],
            "unit_price": change.get("unit_price") or line["unit_price"],
        })
    lines = parse_lines(raw, currency)
    total = sum((line["amount"] for line in lines), Decimal(0))
    return (lines, total, request["delivery_date"] or delivery_date,
            request["packaging"] or packaging)
