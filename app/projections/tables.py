"""The read-model tables (SQLAlchemy Core), created by Alembic only.

Choices that make a rebuild give byte-identical rows on both stores:
- money is stored as integer minor units (``*_minor``: cents, yen...) with the
  currency beside it. SQLite has no decimal type (SQLAlchemy's Numeric is a
  float there); integers are exact on both stores and SUM() stays exact;
- timestamps are ISO 8601 text in UTC with microseconds (``values.utc_text``), so
  they sort as text and never lose their zone on SQLite;
- ids are UUIDs as text.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
)

# One row per read model: the global position of the last event it applied.
tracking = Table(
    "rm_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Customer names for the board and finance rows (customers precede their orders
# in the global order, so the name is always known when an order is created).
customers = Table(
    "rm_customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
)

board = Table(
    "rm_board",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("reference", Text, nullable=False),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("customer_name", Text, nullable=True),
    Column("state", String(20), nullable=False),
    Column("owner", Text, nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("delivery_date", Date, nullable=False),
    Column("next_milestone", Text, nullable=True),
    Column("blockers", JSON, nullable=False),
    Column("alerts", JSON, nullable=False),
    # What the blockers are derived from (samples, margin, payments...); kept
    # here so the board needs no other read model. Not shown to clients.
    Column("facts", JSON, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
    # The board's sort order, and the keyset its cursor walks, behind each
    # of its two state filters (app/projections/reads.py, migration 0003):
    # a state's rows in that order, so a page reads its 50 rows and no more.
    Index("ix_rm_board_state_delivery_date_order_id", "state", "delivery_date", "order_id"),
)

# The board without a state filter shows the open orders: their rows alone,
# in the board's order. Partial, so the closed and cancelled orders (most of
# them, in time) are never walked past; the query spells the condition with
# literals (a planner cannot match a partial index to bound parameters).
OPEN_ORDERS = "state NOT IN ('closed', 'cancelled')"
Index("ix_rm_board_open", board.c.delivery_date, board.c.order_id,
      postgresql_where=text(OPEN_ORDERS), sqlite_where=text(OPEN_ORDERS))

finance = Table(
    "rm_finance",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("reference", Text, nullable=False),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("customer_name", Text, nullable=True),
    Column("currency", String(3), nullable=False, index=True),
    Column("state", String(20), nullable=False),
    Column("deposit_percent", String(16), nullable=False),  # Decimal as text
    Column("contract_minor", BigInteger, nullable=False),
    Column("deposit_due_minor", BigInteger, nullable=False),
    Column("deposit_received_minor", BigInteger, nullable=False),
    Column("balance_received_minor", BigInteger, nullable=False),
    Column("paid_minor", BigInteger, nullable=False),
    Column("balance_due_minor", BigInteger, nullable=False),
    Column("fees_received_minor", BigInteger, nullable=False),
    Column("margin", String(16), nullable=True),  # Decimal fraction as text
    Column("margin_approved", Boolean, nullable=False),
    Column("shipment_without_balance", Boolean, nullable=False),
    Column("shipment_without_balance_reason", Text, nullable=True),
    Column("alerts", JSON, nullable=False),
    # Position of the OrderCreated event: the list's stable order and cursor.
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("position", BigInteger, nullable=False),
)

audit = Table(
    "rm_audit",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", String(36), nullable=True, index=True),
    Column("aggregate_id", String(36), nullable=False),
    Column("aggregate_type", String(16), nullable=False),
    Column("type", String(64), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("actor_sub", Text, nullable=False, index=True),
    Column("actor_role", String(16), nullable=False),
    Column("occurred_at", String(32), nullable=False, index=True),
    Column("data", JSON, nullable=False),
)

# Supplier names for the PO board and the supplier reads (a supplier is
# registered before its first PO, as a customer before its first order).
suppliers = Table(
    "rm_suppliers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("position", BigInteger, nullable=False),
)

# The PO board (app/projections/purchase_orders.py): one row per purchase
# order. ``overdue`` and the age of an unsigned PO depend on today's date:
# computed when read, never stored.
purchase_orders = Table(
    "rm_purchase_orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("supplier_id", String(36), nullable=False),
    Column("supplier_name", Text, nullable=True),
    Column("order_id", String(36), nullable=True, index=True),
    Column("currency", String(3), nullable=False),
    Column("state", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("signed", Boolean, nullable=False),  # placed: the current revision signed back
    Column("signed_revision", Integer, nullable=True),  # the latest revision signed back
    # The latest revision sent (what the supplier sees), its hash, when it
    # was sent, its total and earliest delivery date: the supplier's list
    # shows these, never a revision in preparation.
    Column("sent_revision", Integer, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("last_sent_at", String(32), nullable=True),
    Column("sent_total_minor", BigInteger, nullable=True),
    Column("sent_due_date", Date, nullable=True),
    # When the current revision was sent (null while it is in preparation).
    Column("sent_at", String(32), nullable=True),
    Column("due_date", Date, nullable=False),  # earliest delivery date of the current lines
    Column("total_minor", BigInteger, nullable=False),
    Column("lines", JSON, nullable=False),
    # line_no -> cumulative received/accepted and whether a receipt closed the
    # line; kept apart from ``lines`` so an amendment that drops a line and a
    # later one that brings it back lose nothing (as the aggregate keeps them).
    Column("received", JSON, nullable=False),
    Column("fully_received", Boolean, nullable=False),
    Column("receipts", Integer, nullable=False),
    Column("last_received_on", Date, nullable=True),
    Column("invoiced_minor", BigInteger, nullable=False),
    Column("paid_minor", BigInteger, nullable=False),
    Column("adjusted_minor", BigInteger, nullable=False),
    Column("alerts", JSON, nullable=False),
    Column("open_alerts", Integer, nullable=False),  # len(alerts), for SUM() per supplier
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # Position of the PurchaseOrderDrafted event: the list's order and cursor.
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("position", BigInteger, nullable=False),
    # A supplier's POs in list order (the supplier portal, performance, payables).
    Index("ix_rm_purchase_orders_supplier_id_created_position",
          "supplier_id", "created_position"),
)

# Supplier performance (app/projections/supplier_performance.py): counters
# from receipts, invoices and counter-proposals. Rates are divided when read;
# quantities are exact decimals as text.
supplier_performance = Table(
    "rm_supplier_performance",
    metadata,
    Column("supplier_id", String(36), primary_key=True),
    Column("receipts", Integer, nullable=False),
    Column("lines_due_received", Integer, nullable=False),
    Column("lines_on_time", Integer, nullable=False),
    Column("ordered_quantity", String(40), nullable=False),
    Column("accepted_quantity", String(40), nullable=False),
    Column("rejected_quantity", String(40), nullable=False),
    Column("short_deliveries", Integer, nullable=False),
    Column("over_deliveries", Integer, nullable=False),
    Column("price_deviations", Integer, nullable=False),
    Column("invoice_price_deviations", Integer, nullable=False),
    Column("counter_proposals", Integer, nullable=False),
    Column("alerts_raised", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# Every table a rebuild empties; the order matters to nobody (no foreign keys).
READ_MODEL_TABLES = (customers, board, finance, audit, suppliers, purchase_orders,
                     supplier_performance)
