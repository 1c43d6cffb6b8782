"""Every table of ours, for Alembic's one migration tree: the command side's
(app/application/tables.py) and the read models' (app/projections/tables.py).
The event store's tables belong to the eventsourcing library."""

from __future__ import annotations

from app.application import tables as command_tables
from app.projections import tables as read_tables

METADATA = (command_tables.metadata, read_tables.metadata)
OUR_TABLES = frozenset(t.name for m in METADATA for t in m.sorted_tables)
