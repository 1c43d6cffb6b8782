"""The finance read model lists an L/C order's credits (issue 10, G4):
``rm_finance.letters_of_credit``, empty for the rows already there (no
credit was received before the event existed).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rm_finance") as batch:
        batch.add_column(sa.Column("letters_of_credit", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("rm_finance") as batch:
        batch.drop_column("letters_of_credit")
