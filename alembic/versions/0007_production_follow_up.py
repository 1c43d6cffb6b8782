"""Production follow-up on the read side (issue 11): the board row's
time-and-action columns and the delays read model.

``rm_board`` gains the next milestone's planned date, the forecast
ex-factory date, the agreed date and the plan's own risk. The rows already
there had no plan, forecast or consent (the events did not exist): their
agreed date is their delivery date and their plan risk green, exactly what
a rebuild gives them. ``rm_delays`` is new: the runner fills it from
position 0 on its next batch (a read model new to the tracking table starts
behind the others, app/projections/runner.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rm_board") as batch:
        batch.add_column(sa.Column("next_milestone_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("forecast_ex_factory", sa.Date(), nullable=True))
        batch.add_column(sa.Column("agreed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("plan_risk", sa.String(5), nullable=False,
                                   server_default=sa.text("'green'")))
    op.execute("UPDATE rm_board SET agreed_on = delivery_date")
    with op.batch_alter_table("rm_board") as batch:
        batch.alter_column("agreed_on", existing_type=sa.Date(), nullable=False)
    op.create_table(
        "rm_delays",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("delay_id", sa.String(64), nullable=False),
        sa.Column("cause", sa.String(32), nullable=False),
        sa.Column("responsible", sa.String(16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("forecast_ex_factory", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_rm_delays"),
    )
    op.create_index("ix_rm_delays_order_id", "rm_delays", ["order_id"])
    op.create_index("ix_rm_delays_reported_on", "rm_delays", ["reported_on"])


def downgrade() -> None:
    op.drop_index("ix_rm_delays_reported_on", table_name="rm_delays")
    op.drop_index("ix_rm_delays_order_id", table_name="rm_delays")
    op.drop_table("rm_delays")
    with op.batch_alter_table("rm_board") as batch:
        batch.drop_column("plan_risk")
        batch.drop_column("agreed_on")
        batch.drop_column("forecast_ex_factory")
        batch.drop_column("next_milestone_on")
    # The new read model's position goes with it (the runner adds it again).
    op.execute("DELETE FROM rm_tracking WHERE name = 'production'")
