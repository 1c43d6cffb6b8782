"""Nonces of signed supplier-portal requests (RFC 9421 ``nonce``): a signed
request is accepted once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signature_nonces",
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("nonce", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("scope", "nonce", name="pk_signature_nonces"),
    )
    op.create_index("ix_signature_nonces_expires_at", "signature_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_signature_nonces_expires_at", table_name="signature_nonces")
    op.drop_table("signature_nonces")
