"""GET /v1/production/delay-causes over real HTTP: who reads it, its
window, and its shape (every cause and party, by days lost)."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import PROBLEM, headers

PATH = "/v1/production/delay-causes"


@pytest.mark.parametrize(("role", "status"), [
    ("merchandiser", 200), ("qc", 200), ("accountant", 200), ("bi", 200), ("supplier", 403),
])
async def test_staff_and_bi_read_the_delay_causes(api, role, status):
    r = await api.client.get(PATH, headers=headers(api, role))
    assert r.status_code == status, r.text
    if status == 403:
        assert r.headers["content-type"].startswith(PROBLEM)


async def test_a_window_without_delays_lists_every_cause_at_zero(api):
    r = await api.get(PATH, params={"since": "2000-01-01", "until": "2000-01-31"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["since"], body["until"], body["total"]) == (
        "2000-01-01", "2000-01-31", {"count": 0, "days": 0})
    assert [c["cause"] for c in body["by_cause"]] == sorted([
        "plan_error", "equipment_failure", "material_shortage", "high_defect_rate",
        "rush_orders", "accumulated_delay", "workforce"])
    assert [c["responsible"] for c in body["by_responsible"]] == [
        "company", "customer", "factory", "supplier"]


@pytest.mark.parametrize("params", [
    {"since": "2027-02-01", "until": "2027-01-31"}, {"since": "2027-13-01"},
    {"until": "1700000000"}, {"since": "2027-01-01T00:00:00Z"},
])
async def test_a_bad_window_is_a_422(api, params):
    r = await api.get(PATH, params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
