"""The command side's own tables: idempotency keys and the nonces of signed
portal requests. Not read models: a rebuild never touches them. They have
their own ``MetaData``; Alembic's one tree covers it and the read models'
(alembic/env.py), with the same naming convention so the names it made
before the split stay the same."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
)

# Claimed, then completed in the transaction of the command's events
# (eventstore.py, idempotency.py).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # in_flight | done
    Column("token", String(32), nullable=False),  # whose claim it is
    Column("claimed_at", String(32), nullable=False),
    Column("created_at", String(32), nullable=False, index=True),
    Column("aggregate_id", String(36)),
    Column("version", BigInteger),
    Column("position", BigInteger),
    Column("extra", Text),
    Column("completed_at", String(32)),
)
# A nonce is taken once, so a captured request replayed within its signature
# window is refused; rows past the window are purged (nonces.py).
signature_nonces = Table(
    "signature_nonces",
    metadata,
    Column("scope", String(300), primary_key=True),  # supplier id + keyid
    Column("nonce", String(255), primary_key=True),
    Column("expires_at", String(32), nullable=False, index=True),
)
