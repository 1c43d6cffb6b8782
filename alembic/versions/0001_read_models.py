"""The read models: tracking, customers, board, finance, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rm_tracking",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_rm_tracking"),
    )
    op.create_table(
        "rm_customers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rm_customers"),
    )
    op.create_table(
        "rm_board",
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("next_milestone", sa.Text(), nullable=True),
        sa.Column("blockers", sa.JSON(), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_rm_board"),
    )
    op.create_index("ix_rm_board_customer_id", "rm_board", ["customer_id"])
    op.create_index("ix_rm_board_state", "rm_board", ["state"])
    op.create_index("ix_rm_board_owner", "rm_board", ["owner"])
    op.create_index("ix_rm_board_delivery_date_order_id", "rm_board",
                    ["delivery_date", "order_id"])
    op.create_table(
        "rm_finance",
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("deposit_percent", sa.String(16), nullable=False),
        sa.Column("contract_minor", sa.BigInteger(), nullable=False),
        sa.Column("deposit_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("deposit_received_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_received_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("fees_received_minor", sa.BigInteger(), nullable=False),
        sa.Column("margin", sa.String(16), nullable=True),
        sa.Column("margin_approved", sa.Boolean(), nullable=False),
        sa.Column("shipment_without_balance", sa.Boolean(), nullable=False),
        sa.Column("shipment_without_balance_reason", sa.Text(), nullable=True),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("created_position", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_rm_finance"),
        sa.UniqueConstraint("created_position", name="uq_rm_finance_created_position"),
    )
    op.create_index("ix_rm_finance_customer_id", "rm_finance", ["customer_id"])
    op.create_index("ix_rm_finance_currency", "rm_finance", ["currency"])
    op.create_table(
        "rm_audit",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.String(36), nullable=True),
        sa.Column("aggregate_id", sa.String(36), nullable=False),
        sa.Column("aggregate_type", sa.String(16), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor_sub", sa.Text(), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_rm_audit"),
    )
    op.create_index("ix_rm_audit_order_id", "rm_audit", ["order_id"])
    op.create_index("ix_rm_audit_type", "rm_audit", ["type"])
    op.create_index("ix_rm_audit_actor_sub", "rm_audit", ["actor_sub"])
    op.create_index("ix_rm_audit_occurred_at", "rm_audit", ["occurred_at"])


def downgrade() -> None:
    op.drop_table("rm_audit")
    op.drop_table("rm_finance")
    op.drop_table("rm_board")
    op.drop_table("rm_customers")
    op.drop_table("rm_tracking")
