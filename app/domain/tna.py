"""Time-and-action plans (Plan 12 §5 (2)-(3)): an order's milestones worked
backward from its ex-factory date on the factory's working days.

Pure functions of dates: the aggregate records what they answer in its
events (the planned and forecast dates), so a replay never depends on the
``holidays`` data of the day it runs.

Choices (README, "Production follow-up"):
- ``lead_days`` of a milestone is the working days it needs after the
  milestone before it; the first milestone's is not used (nothing precedes
  it). The plan is feasible when the first milestone falls on or after the
  first working day from today.
- With a daily capacity the production span (``sewing_start`` to
  ``sewing_end``, or ``production_start`` to ``production_end``) lasts the
  working days the quantity needs, rounded up: the end milestone's lead is
  what the span needs beyond the leads of the milestones inside it (at
  least one day).
- Chinese make-up working days (调休, a Saturday or Sunday worked to bridge
  a holiday) are not in the ``holidays`` data: a factory gives its own
  working weekdays and closures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import Any

import holidays

from app.domain import roles
from app.domain.errors import InvalidValue

MAX_MILESTONES = 40
MAX_LEAD_DAYS = 365
MAX_CLOSURES = 24
MAX_CLOSURE_DAYS = 366
# A calendar with no working day in this many days is refused: stepping to
# the next working day must end.
_SEARCH_DAYS = 3 * 366
OWNER_ROLES = (roles.MERCHANDISER, roles.PURCHASER, roles.QC, roles.SUPERVISOR,
               roles.MANAGER)
# The production span's (start, end) codes: with a daily capacity its length
# is the quantity's working days; planned progress runs along it.
PRODUCTION_SPANS = (("sewing_start", "sewing_end"), ("production_start", "production_end"))
EX_FACTORY = "ex_factory"


def _m(code: str, name: str, owner: str, lead: int) -> dict[str, Any]:
    return {"code": code, "name": name, "owner_role": owner, "lead_days": lead}


_MD, _PU, _QC = roles.MERCHANDISER, roles.PURCHASER, roles.QC
TEMPLATES: dict[str, dict[str, Any]] = {
    "garment": {
        "name": "Garment (cut, sew, finish)",
        "milestones": [
            _m("fabric_in_house", "Fabric in-house", _PU, 0),
            _m("pp_sample_approved", "PP sample approved", _MD, 3),
            _m("pp_meeting", "PP meeting", _MD, 2),
            _m("cutting_start", "Cutting start", _MD, 2),
            _m("sewing_start", "Sewing start", _MD, 2),
            _m("first_piece_inspection", "First-piece inspection", _QC, 1),
            _m("inline_inspection", "Inline inspection", _QC, 3),
            _m("sewing_end", "Sewing end", _MD, 8),
            _m("finishing", "Washing / finishing", _MD, 3),
            _m("packing", "Packing", _MD, 2),
            _m("final_inspection", "Final inspection", _QC, 1),
            _m(EX_FACTORY, "Ex-factory", _MD, 1),
        ],
    },
    "general": {
        "name": "General goods",
        "milestones": [
            _m("materials_in_house", "Materials and accessories in-house", _PU, 0),
            _m("pp_sample_approved", "Pre-production sample approved", _MD, 3),
            _m("production_start", "Production start", _MD, 2),
            _m("first_piece_inspection", "First-piece inspection", _QC, 1),
            _m("production_end", "Production end", _MD, 10),
            _m("packing", "Packing", _MD, 2),
            _m("final_inspection", "Final inspection", _QC, 1),
            _m(EX_FACTORY, "Ex-factory", _MD, 1),
        ],
    },
}


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@dataclass(frozen=True)
class Calendar:
    """A factory's working days: its working weekdays (ISO, 1 = Monday),
    the public holidays of its country, and its own closures."""

    working_weekdays: frozenset[int] = frozenset(range(1, 7))  # Monday to Saturday
    country: str | None = "CN"
    closures: tuple[tuple[date, date], ...] = ()

    def is_working(self, day: date) -> bool:
        if day.isoweekday() not in self.working_weekdays:
            return False
        if self.country and day in _public_holidays(self.country, day.year):
            return False
        return not any(start <= day <= end for start, end in self.closures)

    def _step(self, day: date, direction: int) -> date:
        for _ in range(_SEARCH_DAYS):
            if self.is_working(day):
                return day
            day += timedelta(days=direction)
        raise InvalidValue("calendar", f"no working day within {_SEARCH_DAYS} days of {day}")

    def on_or_before(self, day: date) -> date:
        return self._step(day, -1)

    def on_or_after(self, day: date) -> date:
        return self._step(day, 1)

    def minus(self, day: date, n: int) -> date:
        """The working day ``n`` working days before ``day`` (a working day)."""
        day = self.on_or_before(day)
        for _ in range(n):
            day = self.on_or_before(day - timedelta(days=1))
        return day

    def plus(self, day: date, n: int) -> date:
        """The working day ``n`` working days after ``day`` (``n`` 0: the
        first working day on or after it)."""
        if n == 0:
            return self.on_or_after(day)
        for _ in range(n):
            day = self.on_or_after(day + timedelta(days=1))
        return day

    def working_days(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start <= d < end``."""
        count, day = 0, start
        while day < end:
            count += self.is_working(day)
            day += timedelta(days=1)
        return count

    def as_dict(self) -> dict[str, Any]:
        return {
            "working_weekdays": sorted(self.working_weekdays),
            "country": self.country,
            "closures": [{"from": a.isoformat(), "to": b.isoformat()} for a, b in self.closures],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calendar:
        return cls(frozenset(data["working_weekdays"]), data["country"],
                   tuple((_day(c["from"]), _day(c["to"])) for c in data["closures"]))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def parse_calendar(data: dict[str, Any] | None, default_country: str) -> Calendar:
    """The plan's calendar, checked (422 naming the field)."""
    data = data or {}
    weekdays = data.get("working_weekdays") or list(range(1, 7))
    if not all(isinstance(d, int) and 1 <= d <= 7 for d in weekdays):
        raise InvalidValue("calendar.working_weekdays", "ISO weekdays: 1 (Monday) to 7 (Sunday)")
    country = data.get("country", default_country)
    if country is not None and country not in _countries():
        raise InvalidValue("calendar.country", f"no public-holiday data for {country!r}")
    closures = data.get("closures") or []
    if len(closures) > MAX_CLOSURES:
        raise InvalidValue("calendar.closures", f"at most {MAX_CLOSURES} closures")
    spans = []
    for n, closure in enumerate(closures):
        start, end = _day(closure["from"]), _day(closure["to"])
        if end < start or (end - start).days >= MAX_CLOSURE_DAYS:
            raise InvalidValue(f"calendar.closures.{n}",
                               f"'to' on or after 'from', at most {MAX_CLOSURE_DAYS} days")
        spans.append((start, end))
    return Calendar(frozenset(weekdays), country, tuple(sorted(spans)))


def parse_milestones(milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Explicit milestones, checked: unique codes, a known owner role, leads
    within a year, ``ex_factory`` last."""
    if not milestones or len(milestones) > MAX_MILESTONES:
        raise InvalidValue("milestones", f"1 to {MAX_MILESTONES} milestones")
    parsed, seen = [], set()
    for n, m in enumerate(milestones):
        code = str(m["code"]).strip()
        if not code or code in seen:
            raise InvalidValue(f"milestones.{n}.code", "a milestone code is given once")
        if m["owner_role"] not in OWNER_ROLES:
            raise InvalidValue(f"milestones.{n}.owner_role",
                               f"one of {', '.join(OWNER_ROLES)}")
        lead = m["lead_days"]
        if not isinstance(lead, int) or not 0 <= lead <= MAX_LEAD_DAYS:
            raise InvalidValue(f"milestones.{n}.lead_days", f"0 to {MAX_LEAD_DAYS} working days")
        seen.add(code)
        parsed.append(_m(code, str(m.get("name") or code).strip(), m["owner_role"], lead))
    if parsed[-1]["code"] != EX_FACTORY:
        raise InvalidValue("milestones", f"the last milestone is {EX_FACTORY!r}")
    return parsed


def production_span(milestones: list[dict[str, Any]]) -> tuple[int, int] | None:
    """The indexes of the production span's start and end milestones."""
    codes = [m["code"] for m in milestones]
    for start, end in PRODUCTION_SPANS:
        if start in codes and end in codes and codes.index(start) < codes.index(end):
            return codes.index(start), codes.index(end)
    return None


def with_capacity(milestones: list[dict[str, Any]], quantity: Decimal,
                  daily_capacity: int | None) -> list[dict[str, Any]]:
    """The milestones with the production end's lead from the capacity."""
    span = production_span(milestones)
    if daily_capacity is None or span is None:
        return milestones
    need = int((quantity / daily_capacity).to_integral_value(rounding=ROUND_CEILING))
    start, end = span
    inside = sum(m["lead_days"] for m in milestones[start + 1:end])
    out = [dict(m) for m in milestones]
    out[end]["lead_days"] = max(1, need - inside)
    return out


def work_backward(milestones: list[dict[str, Any]], ex_factory: date, calendar: Calendar,
                  today: date) -> tuple[list[dict[str, Any]], int]:
    """Each milestone's ``planned_on``, the last on ``ex_factory`` (or the
    working day before it), each ``lead_days(next)`` working days before
    the next; and the working days the plan is short (0: feasible)."""
    planned: list[date] = [calendar.on_or_before(ex_factory)]
    for m in reversed(milestones[1:]):
        planned.append(calendar.minus(planned[-1], m["lead_days"]))
    planned.reverse()
    first, earliest = planned[0], calendar.on_or_after(today)
    short = calendar.working_days(first, earliest) if first < earliest else 0
    return [{**m, "planned_on": on} for m, on in zip(milestones, planned)], short


def project_forward(milestones: list[dict[str, Any]], actuals: dict[str, date],
                    calendar: Calendar) -> dict[str, date]:
    """Every milestone's forecast: its actual date once completed; after the
    last completed milestone, that date plus the same leads; before it, as
    planned."""
    done = [i for i, m in enumerate(milestones) if m["code"] in actuals]
    last = done[-1] if done else -1
    forecast: dict[str, date] = {}
    previous: date | None = None
    for i, m in enumerate(milestones):
        if m["code"] in actuals:
            on = actuals[m["code"]]
        elif i > last >= 0 and previous is not None:
            on = calendar.plus(previous, m["lead_days"])
        else:
            on = _day(m["planned_on"])
        forecast[m["code"]] = on
        previous = on
    return forecast


def planned_quantity(milestones: list[dict[str, Any]], quantity: Decimal,
                     daily_capacity: int | None, calendar: Calendar, on: date) -> Decimal | None:
    """What the plan says is made by the end of ``on``: along the production
    span at the daily capacity, or evenly; None without a span."""
    span = production_span(milestones)
    if span is None:
        return None
    start, end = (_day(milestones[i]["planned_on"]) for i in span)
    if on < start:
        return Decimal(0)
    if on >= end:
        return quantity
    done = calendar.working_days(start, on + timedelta(days=1))
    if daily_capacity is not None:
        return min(quantity, Decimal(daily_capacity * done))
    total = calendar.working_days(start, end + timedelta(days=1)) or 1
    return (quantity * done / total).quantize(Decimal(1))
