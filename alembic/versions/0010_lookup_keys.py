"""Lookups (issue 13, item 4): a customer's name and an order's reference
as case-folded keys, so ``GET /v1/customers?name=`` and ``GET
/v1/orders?reference=`` compare them without case alike on both stores
(SQLite's ``lower()`` and ``LIKE`` fold ASCII only, PostgreSQL's follow the
database's locale; Python's ``str.casefold`` is the one rule, written by the
projections).

``rm_customers.name_key`` with an index on (name, id), the customer list's
order; ``rm_board.reference_key`` with an index. The rows already there get
their keys here, from their names and references. Plain ADD COLUMN (NOT
NULL, default ''): SQLite adds it without copying the table, which the bi
views over these tables (0009) would forbid.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key column, the column it folds, the table's id column)
KEYS = (("rm_customers", "name_key", "name", "id"),
        ("rm_board", "reference_key", "reference", "order_id"))


def upgrade() -> None:
    conn = op.get_bind()
    for table, key, source, id_ in KEYS:
        op.add_column(table, sa.Column(key, sa.Text(), nullable=False,
                                       server_default=sa.text("''")))
        rows = conn.execute(sa.text(f"SELECT {id_}, {source} FROM {table}")).all()
        if rows:
            conn.execute(sa.text(f"UPDATE {table} SET {key} = :key WHERE {id_} = :id"),
                         [{"key": value.casefold(), "id": row_id} for row_id, value in rows])
    op.create_index("ix_rm_customers_name_id", "rm_customers", ["name", "id"])
    op.create_index("ix_rm_board_reference_key", "rm_board", ["reference_key"])


def downgrade() -> None:
    op.drop_index("ix_rm_board_reference_key", table_name="rm_board")
    op.drop_index("ix_rm_customers_name_id", table_name="rm_customers")
    for table, key, _, _ in KEYS:
        op.drop_column(table, key)
