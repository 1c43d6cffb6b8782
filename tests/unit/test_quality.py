"""Inspections' plans and results, and ISO 2859-1 clause 9 switching
(app/domain/quality.py, pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain import quality
from app.domain.errors import InvalidValue

DAY = date(2027, 1, 15)
CLEAN = {"critical": 0, "major": 0, "minor": 0}
BAD = {"critical": 0, "major": 9, "minor": 0}


def lot(defects, severity="normal", lot_size=1000, **kw):
    return quality.judge("final", lot_size, kw.get("level"), kw.get("aql"), defects, severity,
                         kw.get("full", False), DAY, DAY)


def run(record, *results):
    reasons = []
    for defects in results:
        record, why = quality.switch(record, lot(defects, record["severity"]))
        reasons.append(why)
    return record, reasons


def test_the_plan_per_class_and_the_result():
    inspection = lot({"critical": 0, "major": 5, "minor": 8})
    major, minor = inspection["plans"]["major"], inspection["plans"]["minor"]
    assert (major["code_letter"], major["sample_size"], major["accept"], major["reject"]) == \
        ("J", 80, 5, 6)
    assert (minor["accept"], minor["reject"]) == (7, 8)
    assert inspection["class_results"] == {"critical": "passed", "major": "passed",
                                           "minor": "failed"}
    assert inspection["result"] == "failed"


def test_critical_zero_takes_the_smallest_aql_or_the_whole_lot():
    smallest = lot(CLEAN, lot_size=5000)["plans"]["critical"]
    assert (smallest["sample_size"], smallest["accept"], smallest["reject"]) == (1250, 0, 1)
    whole = lot(CLEAN, lot_size=5000, full=True)["plans"]["critical"]
    assert (whole["sample_size"], whole["full_inspection"]) == (5000, True)


def test_tightened_and_reduced_plans_are_used():
    assert lot(CLEAN, "tightened")["plans"]["major"]["accept"] == 3
    assert lot(CLEAN, "reduced")["plans"]["major"]["sample_size"] == 32


@pytest.mark.parametrize("field, kw", [
    ("aql.major", {"aql": {"major": "2.4"}}),
    ("lot_size", {"lot_size": 1}),
    ("level", {"level": "IV"}),
])
def test_values_outside_the_standard_are_refused(field, kw):
    with pytest.raises(InvalidValue) as refused:
        lot(CLEAN, **kw)
    assert refused.value.field == field


def test_a_day_in_the_future_is_refused():
    with pytest.raises(InvalidValue):
        quality.judge("final", 100, None, None, CLEAN, "normal", False,
                      DAY + timedelta(days=1), DAY)


def test_two_of_five_not_accepted_tighten_and_five_accepted_relax():
    record, reasons = run(quality.new_record(), BAD, CLEAN, CLEAN, BAD)
    assert record["severity"] == "tightened" and "2 of the last 5" in reasons[-1]
    record, _ = run(quality.new_record(), BAD, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN, BAD)
    assert record["severity"] == "normal"  # 2 not accepted, but 6 lots apart
    record, reasons = run(record, BAD)
    assert record["severity"] == "tightened"
    record, reasons = run(record, CLEAN, CLEAN, CLEAN, CLEAN)
    assert record["severity"] == "tightened"
    record, reasons = run(record, CLEAN)
    assert record["severity"] == "normal" and "5 consecutive" in reasons[-1]


def test_five_lots_not_accepted_on_tightened_discontinue_until_resumed():
    record, _ = run(quality.new_record(), BAD, BAD)
    record, _ = run(record, BAD, CLEAN, BAD, BAD, CLEAN, BAD)  # 4 in the tightened period
    assert not record["discontinued"]
    record, reasons = run(record, BAD)
    assert record["discontinued"] and "discontinued" in reasons[-1]
    with pytest.raises(InvalidValue):
        quality.decide(record, "approve_reduced")
    record, _ = quality.decide(record, "resume")
    assert (record["severity"], record["discontinued"]) == ("tightened", False)


def test_reduced_needs_a_score_of_30_and_a_supervisor():
    record = quality.new_record()
    with pytest.raises(InvalidValue, match="30"):
        quality.decide(record, "approve_reduced")
    record, reasons = run(record, *[CLEAN] * 15)  # +2 a lot: critical has Ac 0
    assert record["score"] == 30 and "reduced inspection possible" in reasons[-1]
    record, _ = quality.decide(record, "approve_reduced")
    assert record["severity"] == "reduced"
    record, reasons = run(record, BAD)
    assert record["severity"] == "normal" and "reduced" in reasons[-1]
    record = {**record, "severity": "reduced"}
    assert quality.decide(record, "irregular")[0]["severity"] == "normal"


def test_the_score_resets_on_a_lot_that_a_tighter_aql_would_not_accept():
    # Major Ac 5 at AQL 2.5 (J); one step tighter (1.5) Ac 3: 4 defects reset.
    record, _ = run(quality.new_record(), CLEAN, CLEAN)
    assert record["score"] == 4
    record, _ = run(record, {"critical": 0, "major": 4, "minor": 0})
    assert record["score"] == 0
