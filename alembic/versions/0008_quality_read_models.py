"""Quality and packing on the read side (issue 12): the QC board and the
factories' records per product.

``rm_inspections`` (one row per inspection of an order or a PO's delivery)
and ``rm_factory_quality`` (a factory's switching severity per product and
its incoming lots judged and rejected) are new: the runner fills them from
position 0 on its next batch (a read model new to the tracking table starts
behind the others, app/projections/runner.py). The board's quality blockers
live in its rows' ``facts``, from events no earlier row has: nothing to
migrate there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rm_inspections",
        sa.Column("inspection_id", sa.String(36), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=True),
        sa.Column("purchase_order_id", sa.String(36), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("factory", sa.Text(), nullable=False),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("lot_size", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("result", sa.String(8), nullable=False),
        sa.Column("defects_critical", sa.Integer(), nullable=False),
        sa.Column("defects_major", sa.Integer(), nullable=False),
        sa.Column("defects_minor", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("report_ref", sa.Text(), nullable=False),
        sa.Column("inspector", sa.Text(), nullable=False),
        sa.Column("corrective_actions", sa.Integer(), nullable=False),
        sa.Column("open_corrective_actions", sa.Integer(), nullable=False),
        sa.Column("concession", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_position", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("inspection_id", name="pk_rm_inspections"),
        sa.UniqueConstraint("recorded_position", name="uq_rm_inspections_recorded_position"),
    )
    op.create_index("ix_rm_inspections_order_id", "rm_inspections", ["order_id"])
    op.create_index("ix_rm_inspections_factory", "rm_inspections", ["factory"])
    op.create_index("ix_rm_inspections_inspected_on", "rm_inspections", ["inspected_on"])
    op.create_table(
        "rm_factory_quality",
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("factory", sa.Text(), nullable=False),
        sa.Column("supplier_id", sa.String(36), nullable=True),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("severity_reason", sa.Text(), nullable=False),
        sa.Column("discontinued", sa.Boolean(), nullable=False),
        sa.Column("incoming_lots", sa.Integer(), nullable=False),
        sa.Column("rejected_lots", sa.Integer(), nullable=False),
        sa.Column("rejected_quantity", sa.String(40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_rm_factory_quality"),
    )
    op.create_index("ix_rm_factory_quality_supplier_id", "rm_factory_quality", ["supplier_id"])


def downgrade() -> None:
    op.drop_index("ix_rm_factory_quality_supplier_id", table_name="rm_factory_quality")
    op.drop_table("rm_factory_quality")
    op.drop_index("ix_rm_inspections_inspected_on", table_name="rm_inspections")
    op.drop_index("ix_rm_inspections_factory", table_name="rm_inspections")
    op.drop_index("ix_rm_inspections_order_id", table_name="rm_inspections")
    op.drop_table("rm_inspections")
    # The new read model's position goes with it (the runner adds it again).
    op.execute("DELETE FROM rm_tracking WHERE name = 'quality'")
