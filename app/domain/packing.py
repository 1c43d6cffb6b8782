"""The packing list (Plan 5 form 9; Plan 12 §6 #10): cartons as numbered
ranges, their totals, and the check of every line, colour and size against
the order (G12) and the cut quantities reported.

Pure functions; ``Order`` records what ``pack`` answers.

Choices (README, "Quality and packing"):
- Weights are per carton (net and gross kg, up to 3 decimals), dimensions
  in whole or decimal centimetres; the volume is L x W x H per carton in
  cubic metres, rounded to 3 decimals on the total (as forwarders quote).
- Ranges never overlap and a range's cartons all hold the same line,
  colour and size; the cartons need not be numbered without gaps (a
  shipper may reserve numbers).
- "Ordered" per line, colour and size is the production notice's breakdown
  (each line's whole quantity when the order has no notice: colour and
  size "-"). A difference is within tolerance when |packed - ordered| <=
  ordered x the order's quantity tolerance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.domain.errors import InvalidValue
from app.domain.values import parse_decimal

MAX_RANGES = 2000
MAX_CARTON_NO = 1_000_000
_KG = Decimal("0.001")


def _positive(value: Any, field: str) -> Decimal:
    number = parse_decimal(value, field)
    if number <= 0:
        raise InvalidValue(field, "must be greater than zero")
    return number


def ordered_breakdown(lines: list[dict[str, Any]],
                      notice: dict[str, Any] | None) -> dict[tuple[int, str, str], Decimal]:
    if notice is not None:
        return {(r["line_no"], r["colour"], r["size"]): Decimal(r["quantity"])
                for r in notice["breakdown"]}
    return {(line["line_no"], "-", "-"): Decimal(line["quantity"]) for line in lines}


def parse_cartons(cartons: list[dict[str, Any]],
                  lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not cartons or len(cartons) > MAX_RANGES:
        raise InvalidValue("cartons", f"1 to {MAX_RANGES} carton ranges")
    skus = {line["line_no"]: line["sku"] for line in lines}
    parsed: list[dict[str, Any]] = []
    for n, c in enumerate(cartons):
        first, last = c["from_no"], c["to_no"]
        if not (isinstance(first, int) and isinstance(last, int)
                and 1 <= first <= last <= MAX_CARTON_NO):
            raise InvalidValue(f"cartons.{n}.to_no",
                               f"carton numbers 1 to {MAX_CARTON_NO}, from_no <= to_no")
        if c["line_no"] not in skus:
            raise InvalidValue(f"cartons.{n}.line_no", f"the order has no line {c['line_no']}")
        colour, size = str(c["colour"]).strip(), str(c["size"]).strip()
        if not colour or not size:
            raise InvalidValue(f"cartons.{n}", "colour and size must not be blank")
        count = last - first + 1
        per = _positive(c["quantity_per_carton"], f"cartons.{n}.quantity_per_carton")
        net = _positive(c["net_kg"], f"cartons.{n}.net_kg")
        gross = _positive(c["gross_kg"], f"cartons.{n}.gross_kg")
        if gross < net:
            raise InvalidValue(f"cartons.{n}.gross_kg", "a carton's gross weight is at least its "
                                                        "net weight")
        dims = [_positive(c[k], f"cartons.{n}.{k}")
                for k in ("length_cm", "width_cm", "height_cm")]
        parsed.append({
            "from_no": first, "to_no": last, "cartons": count, "line_no": c["line_no"],
            "sku": skus[c["line_no"]], "colour": colour, "size": size,
            "quantity_per_carton": per, "quantity": per * count, "net_kg": net,
            "gross_kg": gross, "length_cm": dims[0], "width_cm": dims[1], "height_cm": dims[2],
            "cbm": dims[0] * dims[1] * dims[2] / Decimal(1_000_000) * count,
        })
    ordered = sorted(parsed, key=lambda r: r["from_no"])
    for before, after in zip(ordered, ordered[1:]):
        if after["from_no"] <= before["to_no"]:
            raise InvalidValue("cartons", f"cartons {after['from_no']}-{after['to_no']} overlap "
                                          f"{before['from_no']}-{before['to_no']}")
    return ordered


def totals(cartons: list[dict[str, Any]]) -> dict[str, Any]:
    by_line: dict[int, Decimal] = {}
    by_size: dict[tuple[int, str, str], Decimal] = {}
    for c in cartons:
        by_line[c["line_no"]] = by_line.get(c["line_no"], Decimal(0)) + c["quantity"]
        key = (c["line_no"], c["colour"], c["size"])
        by_size[key] = by_size.get(key, Decimal(0)) + c["quantity"]
    return {
        "cartons": sum(c["cartons"] for c in cartons),
        "quantity": sum((c["quantity"] for c in cartons), Decimal(0)),
        "net_kg": sum((c["net_kg"] * c["cartons"] for c in cartons), Decimal(0)).quantize(_KG),
        "gross_kg": sum((c["gross_kg"] * c["cartons"] for c in cartons),
                        Decimal(0)).quantize(_KG),
        "cbm": sum((c["cbm"] for c in cartons), Decimal(0)).quantize(_KG, ROUND_HALF_UP),
        "by_line": [{"line_no": k, "quantity": v} for k, v in sorted(by_line.items())],
        "by_colour_size": [{"line_no": k[0], "colour": k[1], "size": k[2], "quantity": v}
                           for k, v in sorted(by_size.items())],
    }


def differences(packed: dict[str, Any], ordered: dict[tuple[int, str, str], Decimal],
                cut: dict[tuple[str, str], Decimal], tolerance_percent: Decimal
                ) -> list[dict[str, Any]]:
    """Every line, colour and size where packed differs from ordered (and
    the cut quantity reported for that colour and size, when there is one)."""
    got = {(r["line_no"], r["colour"], r["size"]): r["quantity"]
           for r in packed["by_colour_size"]}
    found = []
    for key in sorted(set(ordered) | set(got)):
        want, have = ordered.get(key, Decimal(0)), got.get(key, Decimal(0))
        if want == have:
            continue
        allowed = want * tolerance_percent / 100
        found.append({"line_no": key[0], "colour": key[1], "size": key[2], "ordered": want,
                      "packed": have, "cut": cut.get((key[1], key[2])),
                      "difference": have - want, "within_tolerance": abs(have - want) <= allowed})
    return found


def cut_by_size(progress: list[dict[str, Any]]) -> dict[tuple[str, str], Decimal]:
    """The latest cut quantity reported per colour and size."""
    cut: dict[tuple[str, str], Decimal] = {}
    for report in progress:
        for row in report.get("by_size", ()):
            if row.get("cut") is not None:
                cut[(row["colour"], row["size"])] = Decimal(row["cut"])
    return cut
