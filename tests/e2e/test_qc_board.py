"""GET /v1/inspections (the QC board, issue 12) over real HTTP: who reads
it, a failed final inspection on it and on the progress board, its filters
and the 422s of a bad one."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import PROBLEM, command, get_order, headers, inspection_body, lifecycle

PATH = "/v1/inspections"


@pytest.mark.parametrize(("role", "status"), [
    ("qc", 200), ("merchandiser", 200), ("accountant", 200), ("bi", 200), ("supplier", 403),
])
async def test_staff_and_bi_read_the_qc_board(api, role, status):
    r = await api.client.get(PATH, headers=headers(api, role))
    assert r.status_code == status, r.text
    if status == 403:
        assert r.headers["content-type"].startswith(PROBLEM)


async def test_a_failed_final_inspection_is_on_both_boards(api):
    order = await lifecycle(api, "in_production")
    oid = order["id"]
    failed = await command(api, oid, "/inspections", inspection_body(
        await get_order(api, oid), defects={"critical": 0, "major": 40, "minor": 0},
        # Its own product: a failed lot of the shared default would move the
        # own workshop's switching state under every other test.
        product=f"QC-{oid[:8]}"),
        role="qc", status=201)
    assert failed["result"] == "failed"
    r = await api.get(PATH, params={"stage": "final", "result": "failed", "factory_id": "own",
                                    "min_position": failed["position"], "limit": 500})
    assert r.status_code == 200, r.text
    (row,) = [i for i in r.json()["data"] if i["order_id"] == oid]
    assert (row["inspection_id"], row["reference"], row["inspector"], row["supplier_id"],
            row["defects"], row["open_corrective_actions"], row["concession"]) == (
        failed["inspection_id"], order["reference"], "qc-1", None,
        {"critical": 0, "major": 40, "minor": 0}, 1, False)
    r = await api.get("/v1/board", params={"customer_id": order["customer_id"],
                                           "min_position": failed["position"]})
    (board_row,) = r.json()["data"]
    assert "final inspection failed" in board_row["blockers"]
    assert "corrective actions open (1)" in board_row["blockers"]
    r = await api.get(PATH, params={"stage": "incoming", "min_position": failed["position"]})
    assert oid not in {i["order_id"] for i in r.json()["data"]}


@pytest.mark.parametrize("params", [
    {"factory_id": "own:workshop"}, {"factory_id": "not-a-uuid"}, {"stage": "packing"},
    {"result": "rejected"}, {"since": "2027-13-01"}, {"cursor": "x"}, {"limit": 0},
])
async def test_a_bad_filter_is_a_422(api, params):
    r = await api.get(PATH, params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
