"""The arithmetic of purchasing, kept out of the aggregate: PO lines and the
content a supplier signs, receipts checked against the PO, and the
three-way match of an invoice (PO, receipt, invoice). Pure functions of
plain values, so replaying events never runs them twice differently."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.domain.errors import InvalidValue
from app.domain.reference import quantize_money
from app.domain.rfq import parse_quantity, parse_unit_price
from app.domain.values import decimal_text, parse_decimal, parse_money

MAX_LINES = 500
DECISIONS = ("accept", "reject", "counter")
ADJUSTMENT_REASONS = ("late_delivery", "short_delivery", "quality", "price", "other")


def parse_line_price(value: Any, field: str) -> Decimal:
    """A PO line's unit price, and a counter-proposal's for a line: more
    than zero, as on an order line (``parse_unit_price`` alone, which quotes
    and invoices use, lets 0 through)."""
    price = parse_unit_price(value, field)
    if price == 0:
        raise InvalidValue(field, "must be greater than zero")
    return price


def parse_po_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Validated lines with their amount (quantity x unit price, rounded to
    the currency), in line_no order."""
    if not lines:
        raise InvalidValue("lines", "a purchase order needs at least one line")
    if len(lines) > MAX_LINES:
        raise InvalidValue("lines", f"at most {MAX_LINES} lines")
    seen: set[int] = set()
    parsed = []
    for n, line in enumerate(lines):
        line_no = line["line_no"]
        if line_no < 1 or line_no in seen:
            raise InvalidValue(f"lines.{n}.line_no", "line numbers are positive and unique")
        seen.add(line_no)
        item = " ".join(str(line["item"]).split())
        if not item:
            raise InvalidValue(f"lines.{n}.item", "must not be blank")
        quantity = parse_quantity(line["quantity"], f"lines.{n}.quantity")
        unit_price = parse_line_price(line["unit_price"], f"lines.{n}.unit_price")
        try:
            amount = quantize_money(quantity * unit_price, currency)
        except ValueError:
            raise InvalidValue(f"lines.{n}", "the amount is too large") from None
        parsed.append({
            "line_no": line_no, "item": item, "quantity": quantity,
            "unit": str(line["unit"]).strip(), "unit_price": unit_price,
            "amount": amount, "delivery_date": line["delivery_date"],
        })
    return sorted(parsed, key=lambda line: line["line_no"])


def total_of(lines: list[dict[str, Any]]) -> Decimal:
    return sum((line["amount"] for line in lines), Decimal(0))


def content_of(po_id: UUID, revision: int, supplier_id: UUID, order_id: UUID | None,
               currency: str, terms: str | None, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The exact object a supplier sees and signs for a revision: strings,
    integers and null only (RFC 8785 gives it one byte form, so the supplier
    recomputes ``content_hash`` without our code). Figures are decimal_text:
    "1000", never "1E+3", whatever the Decimal's exponent."""
    return {
        "purchase_order_id": str(po_id),
        "revision": revision,
        "supplier_id": str(supplier_id),
        "order_id": None if order_id is None else str(order_id),
        "currency": currency,
        "terms": terms,
        "lines": [{
            "line_no": line["line_no"], "item": line["item"],
            "quantity": decimal_text(line["quantity"]), "unit": line["unit"],
            "unit_price": decimal_text(line["unit_price"]),
            "amount": decimal_text(line["amount"]),
            "delivery_date": line["delivery_date"].isoformat(),
        } for line in lines],
        "total": decimal_text(total_of(lines)),
    }


def check_receipt_line(line: dict[str, Any], prior: dict[str, Decimal], received: Decimal,
                       accepted: Decimal, price: Decimal, partial: bool, received_on: date,
                       tolerance: Decimal) -> dict[str, Any]:
    """One received PO line against the PO: the cumulative quantities and
    what is off. ``partial``: more is coming, so short is not judged yet.

    Over-delivery is judged on what arrived, shortness on what was accepted
    (rejected goods do not fill the line)."""
    ordered = line["quantity"]
    total_received = prior["received"] + received
    total_accepted = prior["accepted"] + accepted
    issues = []
    if total_received > ordered * (1 + tolerance):
        issues.append("over")
    if not partial and total_accepted < ordered * (1 - tolerance):
        issues.append("short")
    if price > line["unit_price"]:
        issues.append("price_above_po")
    late = received_on > line["delivery_date"]
    if late:
        issues.append("late")
    return {
        "line_no": line["line_no"], "item": line["item"], "ordered": ordered,
        "po_unit_price": line["unit_price"], "delivery_date": line["delivery_date"],
        "received": received, "accepted": accepted, "rejected": received - accepted,
        "unit_price_invoiced": price, "partial": partial,
        "total_received": total_received, "total_accepted": total_accepted,
        "late": late, "issues": issues,
    }


def parse_receipt_quantities(n: int, received: Any, accepted: Any) -> tuple[Decimal, Decimal]:
    got = parse_decimal(received, f"lines.{n}.received")
    ok = parse_decimal(accepted, f"lines.{n}.accepted")
    if got < 0 or ok < 0:
        raise InvalidValue(f"lines.{n}", "quantities must not be negative")
    if ok > got:
        raise InvalidValue(f"lines.{n}.accepted", "cannot accept more than was received")
    if got == 0:
        raise InvalidValue(f"lines.{n}.received", "must be greater than zero")
    return got, ok


def match_invoice(po_lines: dict[int, dict[str, Any]], accepted: dict[int, Decimal],
                  invoiced_before: dict[int, Decimal],
                  invoice_lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The three-way match: each invoice line against the PO (price) and the
    receipts (accepted quantity not yet invoiced)."""
    lines, matched = [], True
    for line in invoice_lines:
        po_line = po_lines[line["line_no"]]
        receivable = accepted.get(line["line_no"], Decimal(0)) - invoiced_before.get(
            line["line_no"], Decimal(0))
        issues = []
        if line["unit_price"] > po_line["unit_price"]:
            issues.append("price_above_po")
        if line["quantity"] > receivable:
            issues.append("quantity_above_received" if receivable > 0 else "not_received")
        matched = matched and not issues
        lines.append({
            "line_no": line["line_no"], "po_unit_price": po_line["unit_price"],
            "unit_price": line["unit_price"], "quantity": line["quantity"],
            "accepted_not_invoiced": receivable, "issues": issues,
        })
    return {"status": "matched" if matched else "mismatch", "lines": lines}


def parse_decision(n: int, decision: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    """One line of a supplier's acknowledgement: accept, reject, or counter
    with at least one of quantity, unit price, delivery date."""
    kind = decision["decision"]
    if kind not in DECISIONS:
        raise InvalidValue(f"lines.{n}.decision", f"must be one of {', '.join(DECISIONS)}")
    proposal: dict[str, Any] = {"line_no": line["line_no"], "decision": kind,
                                "quantity": None, "unit_price": None, "delivery_date": None}
    if kind != "counter":
        return proposal
    if decision.get("quantity") is not None:
        proposal["quantity"] = parse_quantity(decision["quantity"], f"lines.{n}.quantity")
    if decision.get("unit_price") is not None:
        proposal["unit_price"] = parse_line_price(decision["unit_price"],
                                                  f"lines.{n}.unit_price")
    proposal["delivery_date"] = decision.get("delivery_date")
    if all(proposal[k] is None for k in ("quantity", "unit_price", "delivery_date")):
        raise InvalidValue(f"lines.{n}", "a counter proposes a quantity, unit_price or "
                                         "delivery_date")
    return proposal


def parse_invoice_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """An invoice's lines with their amounts (the PO checked the line numbers)."""
    parsed = []
    for n, line in enumerate(lines):
        quantity = parse_quantity(line["quantity"], f"lines.{n}.quantity")
        price = parse_unit_price(line["unit_price"], f"lines.{n}.unit_price")
        parsed.append({"line_no": line["line_no"], "quantity": quantity, "unit_price": price,
                       "amount": quantize_money(quantity * price, currency)})
    return parsed


def parse_adjustments(adjustments: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """What a payment withholds, each with its reason (accountant #5)."""
    parsed = []
    for n, adj in enumerate(adjustments):
        if adj["reason"] not in ADJUSTMENT_REASONS:
            raise InvalidValue(f"adjustments.{n}.reason",
                               f"must be one of {', '.join(ADJUSTMENT_REASONS)}")
        field = f"adjustments.{n}.amount"
        parsed.append({"reason": adj["reason"], "note": adj.get("note"),
                       "amount": parse_money(parse_decimal(adj["amount"], field), currency,
                                             field)})
    return parsed


def lines_due_after(lines: list[dict[str, Any]], ex_factory: date,
                    lead_days: int) -> dict[int, date]:
    """The PO lines due too late for the customer order they serve (Plan 5
    purchaser #9: accessory dates must never put the ship date at risk):
    line_no -> the latest date it may be due, for each line whose delivery
    date is later than the order's ex-factory date less ``lead_days``."""
    latest = ex_factory - timedelta(days=lead_days)
    return {line["line_no"]: latest for line in lines if line["delivery_date"] > latest}
