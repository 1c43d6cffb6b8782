"""The sourcing read models: supplier names, the PO board, supplier performance.

The runner fills them from position 0 on its next batch: a read model new
to the tracking table starts behind the others (app/projections/runner.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rm_suppliers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rm_suppliers"),
    )
    op.create_table(
        "rm_purchase_orders",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("supplier_id", sa.String(36), nullable=False),
        sa.Column("supplier_name", sa.Text(), nullable=True),
        sa.Column("order_id", sa.String(36), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("signed_revision", sa.Integer(), nullable=True),
        sa.Column("sent_revision", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("last_sent_at", sa.String(32), nullable=True),
        sa.Column("sent_total_minor", sa.BigInteger(), nullable=True),
        sa.Column("sent_due_date", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.String(32), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("received", sa.JSON(), nullable=False),
        sa.Column("fully_received", sa.Boolean(), nullable=False),
        sa.Column("receipts", sa.Integer(), nullable=False),
        sa.Column("last_received_on", sa.Date(), nullable=True),
        sa.Column("invoiced_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("adjusted_minor", sa.BigInteger(), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("open_alerts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("created_position", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rm_purchase_orders"),
        sa.UniqueConstraint("created_position",
                            name="uq_rm_purchase_orders_created_position"),
    )
    op.create_index("ix_rm_purchase_orders_order_id", "rm_purchase_orders", ["order_id"])
    op.create_index("ix_rm_purchase_orders_supplier_id_created_position", "rm_purchase_orders",
                    ["supplier_id", "created_position"])
    op.create_table(
        "rm_supplier_performance",
        sa.Column("supplier_id", sa.String(36), nullable=False),
        sa.Column("receipts", sa.Integer(), nullable=False),
        sa.Column("lines_due_received", sa.Integer(), nullable=False),
        sa.Column("lines_on_time", sa.Integer(), nullable=False),
        sa.Column("ordered_quantity", sa.String(40), nullable=False),
        sa.Column("accepted_quantity", sa.String(40), nullable=False),
        sa.Column("rejected_quantity", sa.String(40), nullable=False),
        sa.Column("short_deliveries", sa.Integer(), nullable=False),
        sa.Column("over_deliveries", sa.Integer(), nullable=False),
        sa.Column("price_deviations", sa.Integer(), nullable=False),
        sa.Column("invoice_price_deviations", sa.Integer(), nullable=False),
        sa.Column("counter_proposals", sa.Integer(), nullable=False),
        sa.Column("alerts_raised", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", name="pk_rm_supplier_performance"),
    )


def downgrade() -> None:
    # Their tracking rows go with them: upgraded again, they start from 0.
    op.execute("DELETE FROM rm_tracking WHERE name IN "
               "('suppliers', 'purchase_orders', 'supplier_performance')")
    op.drop_table("rm_supplier_performance")
    op.drop_index("ix_rm_purchase_orders_supplier_id_created_position",
                  table_name="rm_purchase_orders")
    op.drop_index("ix_rm_purchase_orders_order_id", table_name="rm_purchase_orders")
    op.drop_table("rm_purchase_orders")
    op.drop_table("rm_suppliers")
