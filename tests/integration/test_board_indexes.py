"""Each board query is served by an index in the board's order (migration
0003): the open orders by the partial ix_rm_board_open, a state by
ix_rm_board_state_delivery_date_order_id. SQLite uses a partial index only
when the query's text spells the index's condition: this catches the open
orders' states becoming bound parameters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine

from app.projections.reads import board_query, encode_cursor

OPEN = "ix_rm_board_open"
BY_STATE = "ix_rm_board_state_delivery_date_order_id"
CURSOR = encode_cursor(["2027-03-01", "5b0e7c2e-0000-4000-8000-000000000000"])


def plan(settings, query) -> str:
    engine = create_engine(settings.sqlalchemy_url())
    try:
        compiled = query.compile(dialect=engine.dialect,
                                 compile_kwargs={"render_postcompile": True})
        params = {k: v.isoformat() if isinstance(v, date) else v
                  for k, v in compiled.params.items()}
        with engine.connect() as conn:
            if settings.is_postgres:
                # An empty table: make any index cheaper than reading it all.
                conn.exec_driver_sql("SET enable_seqscan = off")
                conn.exec_driver_sql("SET enable_sort = off")
                rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), params)
            else:
                rows = conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + str(compiled),
                    tuple(params[name] for name in compiled.positiontup))
            return "\n".join(str(r[-1]) for r in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("params", "index"), [
    ({}, OPEN),
    ({"overdue": True}, OPEN),
    ({"cursor": CURSOR}, OPEN),
    ({"state": "in_production"}, BY_STATE),
    ({"state": "in_production", "overdue": True}, BY_STATE),
    ({"state": "closed", "cursor": CURSOR}, BY_STATE),
])
def test_board_queries_use_their_index(fresh_settings, params, index):
    found = plan(fresh_settings, board_query(date(2027, 1, 1), **params))
    assert index in found, found
    assert "TEMP B-TREE" not in found and "Sort" not in found, found  # no sort step
