"""Time-and-action planning (app/domain/tna.py, issue 11): the factory
calendar, milestones worked backward from ex-factory and re-projected
forward from what is done, planned output, and the capacity's lead."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain import tna
from app.domain.errors import InvalidValue

EVERY_DAY = tna.Calendar(frozenset(range(1, 8)), None)
FIVE_DAYS = tna.Calendar(frozenset(range(1, 6)), None)


def m(code: str, lead: int, owner: str = "merchandiser") -> dict:
    return {"code": code, "name": code, "owner_role": owner, "lead_days": lead}


# ---- the calendar ----------------------------------------------------------------


def test_the_default_calendar_is_monday_to_saturday_with_chinas_holidays():
    calendar = tna.Calendar()
    assert calendar.is_working(date(2027, 3, 6))  # a Saturday
    assert not calendar.is_working(date(2027, 3, 7))  # a Sunday
    assert not calendar.is_working(date(2027, 10, 1))  # National Day, a Friday
    assert not calendar.is_working(date(2027, 2, 8))  # the Spring Festival, a Monday
    assert calendar.is_working(date(2027, 3, 8))
    assert not tna.Calendar(country="DE").is_working(date(2027, 10, 3))  # German Unity Day
    assert tna.Calendar(country=None).is_working(date(2027, 10, 1))


def test_closures_are_days_off_inclusive():
    calendar = tna.Calendar(frozenset(range(1, 8)), None,
                            ((date(2027, 1, 25), date(2027, 2, 14)),))
    assert not calendar.is_working(date(2027, 1, 25))
    assert not calendar.is_working(date(2027, 2, 14))
    assert calendar.is_working(date(2027, 1, 24)) and calendar.is_working(date(2027, 2, 15))
    assert calendar.working_days(date(2027, 1, 20), date(2027, 2, 20)) == 5 + 5


def test_stepping_over_days_off():
    friday, saturday, monday = date(2027, 3, 5), date(2027, 3, 6), date(2027, 3, 8)
    assert FIVE_DAYS.on_or_before(saturday) == friday
    assert FIVE_DAYS.on_or_after(saturday) == monday
    assert FIVE_DAYS.on_or_before(friday) == FIVE_DAYS.on_or_after(friday) == friday
    assert FIVE_DAYS.minus(monday, 1) == friday
    assert FIVE_DAYS.minus(monday, 0) == monday
    assert FIVE_DAYS.minus(saturday, 0) == friday  # from the working day before
    assert FIVE_DAYS.minus(monday, 5) == date(2027, 3, 1)
    assert FIVE_DAYS.plus(friday, 1) == monday
    assert FIVE_DAYS.plus(saturday, 0) == monday
    assert FIVE_DAYS.plus(date(2027, 3, 1), 5) == monday
    # working_days counts start <= d < end.
    assert FIVE_DAYS.working_days(date(2027, 3, 1), monday) == 5
    assert FIVE_DAYS.working_days(monday, monday) == 0


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(InvalidValue) as invalid:
        tna.Calendar(frozenset(), None).on_or_before(date(2027, 3, 1))
    assert invalid.value.field == "calendar"


def test_parse_calendar_defaults_and_refusals():
    calendar = tna.parse_calendar(None, "CN")
    assert (calendar.working_weekdays, calendar.country, calendar.closures) == (
        frozenset(range(1, 7)), "CN", ())
    assert tna.parse_calendar({"country": None}, "CN").country is None
    parsed = tna.parse_calendar({"working_weekdays": [1, 2, 3, 4, 5], "country": "VN",
                                 "closures": [{"from": "2027-02-10", "to": "2027-02-20"},
                                              {"from": date(2027, 1, 1), "to": date(2027, 1, 2)}]},
                                "CN")
    assert parsed.closures == ((date(2027, 1, 1), date(2027, 1, 2)),
                               (date(2027, 2, 10), date(2027, 2, 20)))  # sorted
    assert tna.Calendar.from_dict(parsed.as_dict()) == parsed
    for data, field in (
        ({"working_weekdays": [0, 1]}, "calendar.working_weekdays"),
        ({"working_weekdays": [8]}, "calendar.working_weekdays"),
        ({"country": "XX"}, "calendar.country"),
        ({"closures": [{"from": "2027-02-10", "to": "2027-02-09"}]}, "calendar.closures.0"),
        ({"closures": [{"from": "2027-01-01", "to": "2028-01-02"}]}, "calendar.closures.0"),
        ({"closures": [{"from": "2027-01-01", "to": "2027-01-01"}] * 25}, "calendar.closures"),
    ):
        with pytest.raises(InvalidValue) as invalid:
            tna.parse_calendar(data, "CN")
        assert invalid.value.field == field, data


# ---- milestones --------------------------------------------------------------------


def test_the_templates_end_ex_factory_with_unique_codes_and_known_owners():
    assert {"garment", "general"} <= set(tna.TEMPLATES)
    for template in tna.TEMPLATES.values():
        parsed = tna.parse_milestones(template["milestones"])
        assert parsed[-1]["code"] == tna.EX_FACTORY
        assert tna.production_span(parsed) is not None
    codes = [m["code"] for m in tna.TEMPLATES["garment"]["milestones"]]
    assert codes[:3] == ["fabric_in_house", "pp_sample_approved", "pp_meeting"]


def test_parse_milestones_refusals():
    good = [m("start", 0), m("ex_factory", 2)]
    assert tna.parse_milestones([{**good[0], "name": ""}, good[1]])[0]["name"] == "start"
    for milestones, field in (
        ([], "milestones"),
        ([m(f"s{n}", 1) for n in range(40)] + [m("ex_factory", 1)], "milestones"),
        ([m("start", 0), m("start", 1), m("ex_factory", 1)], "milestones.1.code"),
        ([m(" ", 0), m("ex_factory", 1)], "milestones.0.code"),
        ([m("start", 0, "bi"), m("ex_factory", 1)], "milestones.0.owner_role"),
        ([m("start", 0), m("ex_factory", 366)], "milestones.1.lead_days"),
        ([m("start", -1), m("ex_factory", 1)], "milestones.0.lead_days"),
        ([m("start", 0), {**m("ex_factory", 1), "lead_days": "1"}], "milestones.1.lead_days"),
        ([m("ex_factory", 0), m("packing", 1)], "milestones"),
    ):
        with pytest.raises(InvalidValue) as invalid:
            tna.parse_milestones(milestones)
        assert invalid.value.field == field, milestones


def test_work_backward_lands_each_milestone_lead_days_before_the_next():
    milestones = [m("a", 7), m("b", 3), m("c", 5), m("ex_factory", 2)]
    sunday = date(2027, 3, 7)  # not a working day: the Friday before
    planned, short = tna.work_backward(milestones, sunday, FIVE_DAYS, date(2027, 1, 4))
    days = [p["planned_on"] for p in planned]
    assert days == [date(2027, 2, 19), date(2027, 2, 24), date(2027, 3, 3), date(2027, 3, 5)]
    assert short == 0
    assert [p["lead_days"] for p in planned] == [7, 3, 5, 2]  # the first lead is not used


def test_work_backward_counts_the_working_days_an_infeasible_plan_is_short():
    milestones = [m("a", 0), m("ex_factory", 10)]
    ex_factory = date(2027, 3, 12)  # a Friday; "a" falls on Friday 2027-02-26
    _, short = tna.work_backward(milestones, ex_factory, FIVE_DAYS, date(2027, 2, 26))
    assert short == 0  # on today: feasible
    _, short = tna.work_backward(milestones, ex_factory, FIVE_DAYS, date(2027, 3, 2))
    assert short == 2  # Friday and Monday have passed
    _, short = tna.work_backward(milestones, ex_factory, FIVE_DAYS, date(2027, 3, 6))
    assert short == 6  # a Saturday: the first working day from today is Monday the 8th


def test_project_forward_moves_what_follows_the_last_completed_milestone():
    planned, _ = tna.work_backward([m("a", 0), m("b", 2), m("c", 3), m("ex_factory", 1)],
                                   date(2027, 3, 31), EVERY_DAY, date(2027, 3, 1))
    on = {p["code"]: p["planned_on"] for p in planned}
    assert tna.project_forward(planned, {}, EVERY_DAY) == on
    # "b" done three days late: "c" and ex-factory follow it with the same leads.
    late = on["b"] + timedelta(days=3)
    forecast = tna.project_forward(planned, {"b": late}, EVERY_DAY)
    assert forecast == {"a": on["a"], "b": late, "c": late + timedelta(days=3),
                        "ex_factory": late + timedelta(days=4)}
    # Done early, the forecast moves earlier too; a skipped milestone keeps its plan.
    early = on["c"] - timedelta(days=2)
    forecast = tna.project_forward(planned, {"c": early}, EVERY_DAY)
    assert forecast["b"] == on["b"] and forecast["ex_factory"] == early + timedelta(days=1)
    # Re-projected on the factory's working days: a Friday's next working day is Monday.
    forecast = tna.project_forward(planned, {"c": date(2027, 3, 26)}, FIVE_DAYS)
    assert forecast["ex_factory"] == date(2027, 3, 29)


# ---- capacity and planned output -----------------------------------------------------

SPAN = [m("materials", 0), m("production_start", 2), m("inspection", 3),
        m("production_end", 4), m("ex_factory", 2)]


def test_with_capacity_sets_the_production_end_lead():
    # 10000 at 450 a day: 22.2 -> 23 working days; 3 of them inside.
    out = tna.with_capacity(SPAN, Decimal(10000), 450)
    assert [x["lead_days"] for x in out] == [0, 2, 3, 20, 2]
    assert SPAN[3]["lead_days"] == 4  # the input is not changed
    assert tna.with_capacity(SPAN, Decimal(100), 450)[3]["lead_days"] == 1  # at least one
    assert tna.with_capacity(SPAN, Decimal(10000), None) == SPAN
    no_span = [m("a", 0), m("ex_factory", 3)]
    assert tna.with_capacity(no_span, Decimal(10000), 450) == no_span
    assert tna.production_span([m("sewing_end", 0), m("sewing_start", 1),
                                m("ex_factory", 1)]) is None  # end before start


def test_planned_quantity_along_the_production_span():
    planned, _ = tna.work_backward(tna.with_capacity(SPAN, Decimal(1000), 100),
                                   date(2027, 3, 31), EVERY_DAY, date(2027, 3, 1))
    on = {p["code"]: p["planned_on"] for p in planned}
    start, end = on["production_start"], on["production_end"]
    assert (end - start).days == 10

    def made(day, capacity=100):
        return tna.planned_quantity(planned, Decimal(1000), capacity, EVERY_DAY, day)

    assert made(start - timedelta(days=1)) == 0
    assert made(start) == 100  # by the end of the first day
    assert made(start + timedelta(days=4)) == 500
    assert made(end) == made(end + timedelta(days=9)) == 1000
    # Evenly without a capacity: 1000 over the span's 11 days, whole units.
    assert made(start + timedelta(days=4), None) == Decimal(455)
    assert tna.planned_quantity([m("a", 0), m("ex_factory", 1)], Decimal(10), None, EVERY_DAY,
                                start) is None
