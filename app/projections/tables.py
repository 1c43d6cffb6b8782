"""The read-model tables, one SQLModel table class each, created by Alembic only.

Choices that make a rebuild give byte-identical rows on both stores:
- money is stored as integer minor units (``*_minor``: cents, yen...) with the
  currency beside it. SQLite has no decimal type (SQLAlchemy's Numeric is a
  float there); integers are exact on both stores and SUM() stays exact;
- timestamps are ISO 8601 text in UTC with microseconds (``values.utc_text``), so
  they sort as text and never lose their zone on SQLite;
- ids are UUIDs as text.

A column names its SQL type (``sa_type``) unless SQLModel's own is the one
the migrations created (``int``, ``bool``, ``date``): SQLModel would store a
``str`` as VARCHAR, not TEXT or VARCHAR(36), and a ``UUID`` natively, not as
text. The projections and the
queries use each class's Core table (``board = BoardRow.__table__``): the
bulk writes stay Core (app/projections/bulk.py).

Where an API answer is the row itself, its fields are stated once, in a
base both derive from (SQLModel's "multiple models"): ``SupplierBase`` (an
item of the suppliers list) and ``CustomerBase`` (a customer as the API
answers it, ``CustomerPublic``). The other rows differ from their answers
by design and stay apart: money is stored as minor units beside the
currency and answered as decimal strings; timestamps are stored as text and
answered as datetimes; JSON columns hold what the answers type field by
field (or hide: the board's facts, a PO's received quantities); and the
answers add what depends on today's date (overdue, days late, an unsigned
PO's age) or on other rows (a supplier's name and rates beside its
performance counters), or reshape the row (the audit row's actor in two
columns is one object in the event record).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, Index, MetaData, String, Text, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
)

# The SQL types the columns share (a type object may serve many columns).
ID = String(36)  # a UUID as text
AT = String(32)  # a timestamp as ISO 8601 text (values.utc_text)
CURRENCY = String(3)


class ReadModel(SQLModel, registry=registry(metadata=metadata)):
    """The base of the read-model tables: their own registry and MetaData
    (the naming convention above), apart from any other SQLModel table."""


class TrackingRow(ReadModel, table=True):
    """One row per read model: the global position of the last event it applied."""

    __tablename__ = "rm_tracking"

    name: str = Field(primary_key=True, sa_type=String(64))
    position: int = Field(sa_type=BigInteger)


class CustomerBase(SQLModel):
    """A customer as registered (its region follows from its country)."""

    id: UUID = Field(primary_key=True, sa_type=ID)
    name: str = Field(sa_type=Text)
    country: str = Field(sa_type=String(2))
    region: str = Field(sa_type=String(32))


class CustomerRow(CustomerBase, ReadModel, table=True):
    """Customer names for the board and finance rows (customers precede their
    orders in the global order, so the name is always known when an order is
    created)."""

    __tablename__ = "rm_customers"
    # The customer list's order, and the keyset its cursor walks (lookups.py).
    __table_args__ = (Index("ix_rm_customers_name_id", "name", "id"),)

    position: int = Field(sa_type=BigInteger)
    # The name case-folded (str.casefold), what ?name= searches (migration 0010).
    name_key: str = Field(sa_type=Text)


class BoardRow(ReadModel, table=True):
    __tablename__ = "rm_board"
    __table_args__ = (
        # The board's sort order, and the keyset its cursor walks, behind each
        # of its two state filters (app/projections/reads.py, migration 0003):
        # a state's rows in that order, so a page reads its 50 rows and no more.
        Index("ix_rm_board_state_delivery_date_order_id", "state", "delivery_date", "order_id"),
    )

    order_id: str = Field(primary_key=True, sa_type=ID)
    reference: str = Field(sa_type=Text)
    # The reference case-folded, what GET /v1/orders?reference= looks up (0010).
    reference_key: str = Field(sa_type=Text, index=True)
    customer_id: str = Field(sa_type=ID, index=True)
    customer_name: str | None = Field(sa_type=Text)
    state: str = Field(sa_type=String(20))
    owner: str = Field(sa_type=Text, index=True)
    currency: str = Field(sa_type=CURRENCY)
    total_minor: int = Field(sa_type=BigInteger)
    delivery_date: date
    next_milestone: str | None = Field(sa_type=Text)
    blockers: list[str] = Field(sa_type=JSON)
    alerts: list[dict[str, Any]] = Field(sa_type=JSON)
    # What the blockers are derived from (samples, margin, payments...); kept
    # here so the board needs no other read model. Not shown to clients.
    facts: dict[str, Any] = Field(sa_type=JSON)
    # Production follow-up (issue 11; app/projections/production.py): the
    # planned date of the plan's next uncompleted milestone, the latest
    # forecast ex-factory date, the latest date the customer agreed to (the
    # delivery date, or a later consented one) and the risk the plan and the
    # forecasts give on their own ("red", "amber", "green"). The board's risk
    # adds what today's date makes late, in SQL too (reads.py: risk=).
    next_milestone_on: date | None
    forecast_ex_factory: date | None
    agreed_on: date
    plan_risk: str = Field(sa_type=String(5))
    created_at: str = Field(sa_type=AT)
    updated_at: str = Field(sa_type=AT)
    position: int = Field(sa_type=BigInteger)


board = BoardRow.__table__

# The board without a state filter shows the open orders: their rows alone,
# in the board's order. Partial, so the closed and cancelled orders (most of
# them, in time) are never walked past; the query spells the condition with
# literals (a planner cannot match a partial index to bound parameters).
OPEN_ORDERS = "state NOT IN ('closed', 'cancelled')"
Index("ix_rm_board_open", board.c.delivery_date, board.c.order_id,
      postgresql_where=text(OPEN_ORDERS), sqlite_where=text(OPEN_ORDERS))


class FinanceRow(ReadModel, table=True):
    __tablename__ = "rm_finance"

    order_id: str = Field(primary_key=True, sa_type=ID)
    reference: str = Field(sa_type=Text)
    customer_id: str = Field(sa_type=ID, index=True)
    customer_name: str | None = Field(sa_type=Text)
    currency: str = Field(sa_type=CURRENCY, index=True)
    state: str = Field(sa_type=String(20))
    deposit_percent: str = Field(sa_type=String(16))  # Decimal as text
    contract_minor: int = Field(sa_type=BigInteger)
    deposit_due_minor: int = Field(sa_type=BigInteger)
    deposit_received_minor: int = Field(sa_type=BigInteger)
    balance_received_minor: int = Field(sa_type=BigInteger)
    paid_minor: int = Field(sa_type=BigInteger)
    balance_due_minor: int = Field(sa_type=BigInteger)
    fees_received_minor: int = Field(sa_type=BigInteger)
    margin: str | None = Field(sa_type=String(16))  # Decimal fraction as text
    margin_approved: bool
    shipment_without_balance: bool
    shipment_without_balance_reason: str | None = Field(sa_type=Text)
    alerts: list[dict[str, Any]] = Field(sa_type=JSON)
    # The credits of an L/C order, amounts as text, dates ISO (issue 10, G4).
    letters_of_credit: list[dict[str, Any]] = Field(sa_type=JSON)
    # Position of the OrderCreated event: the list's stable order and cursor.
    created_position: int = Field(sa_type=BigInteger, unique=True)
    position: int = Field(sa_type=BigInteger)


class AuditRow(ReadModel, table=True):
    __tablename__ = "rm_audit"

    position: int = Field(primary_key=True, sa_type=BigInteger,
                          sa_column_kwargs={"autoincrement": False})
    order_id: str | None = Field(sa_type=ID, index=True)
    aggregate_id: str = Field(sa_type=ID)
    aggregate_type: str = Field(sa_type=String(16))
    type: str = Field(sa_type=String(64), index=True)
    version: int
    actor_sub: str = Field(sa_type=Text, index=True)
    actor_role: str = Field(sa_type=String(16))
    occurred_at: str = Field(sa_type=AT, index=True)
    data: dict[str, Any] = Field(sa_type=JSON)


class SupplierBase(SQLModel):
    """A supplier as the suppliers list shows it."""

    id: UUID = Field(primary_key=True, sa_type=ID)
    name: str = Field(sa_type=Text)
    country: str = Field(sa_type=String(2))


class SupplierRow(SupplierBase, ReadModel, table=True):
    """Supplier names for the PO board and the supplier reads (a supplier is
    registered before its first PO, as a customer before its first order)."""

    __tablename__ = "rm_suppliers"

    position: int = Field(sa_type=BigInteger)


class PurchaseOrderBoardRow(ReadModel, table=True):
    """The PO board (app/projections/purchase_orders.py): one row per purchase
    order. ``overdue`` and the age of an unsigned PO depend on today's date:
    computed when read, never stored."""

    __tablename__ = "rm_purchase_orders"
    __table_args__ = (
        # A supplier's POs in list order (the supplier portal, performance, payables).
        Index("ix_rm_purchase_orders_supplier_id_created_position",
              "supplier_id", "created_position"),
    )

    id: str = Field(primary_key=True, sa_type=ID)
    supplier_id: str = Field(sa_type=ID)
    supplier_name: str | None = Field(sa_type=Text)
    order_id: str | None = Field(sa_type=ID, index=True)
    currency: str = Field(sa_type=CURRENCY)
    state: str = Field(sa_type=String(16))
    revision: int
    signed: bool  # placed: the current revision signed back
    signed_revision: int | None  # the latest revision signed back
    # The latest revision sent (what the supplier sees), its hash, when it
    # was sent, its total and earliest delivery date: the supplier's list
    # shows these, never a revision in preparation.
    sent_revision: int | None
    content_hash: str | None = Field(sa_type=String(64))
    last_sent_at: str | None = Field(sa_type=AT)
    sent_total_minor: int | None = Field(sa_type=BigInteger)
    sent_due_date: date | None
    # When the current revision was sent (null while it is in preparation).
    sent_at: str | None = Field(sa_type=AT)
    due_date: date  # earliest delivery date of the current lines
    total_minor: int = Field(sa_type=BigInteger)
    lines: list[dict[str, Any]] = Field(sa_type=JSON)
    # line_no -> cumulative received/accepted and whether a receipt closed the
    # line; kept apart from ``lines`` so an amendment that drops a line and a
    # later one that brings it back lose nothing (as the aggregate keeps them).
    received: dict[str, Any] = Field(sa_type=JSON)
    fully_received: bool
    receipts: int
    last_received_on: date | None
    invoiced_minor: int = Field(sa_type=BigInteger)
    paid_minor: int = Field(sa_type=BigInteger)
    adjusted_minor: int = Field(sa_type=BigInteger)
    alerts: list[dict[str, Any]] = Field(sa_type=JSON)
    open_alerts: int  # len(alerts), for SUM() per supplier
    created_at: str = Field(sa_type=AT)
    updated_at: str = Field(sa_type=AT)
    # Position of the PurchaseOrderDrafted event: the list's order and cursor.
    created_position: int = Field(sa_type=BigInteger, unique=True)
    position: int = Field(sa_type=BigInteger)


class SupplierPerformanceRow(ReadModel, table=True):
    """Supplier performance (app/projections/supplier_performance.py): counters
    from receipts, invoices and counter-proposals. Rates are divided when read;
    quantities are exact decimals as text."""

    __tablename__ = "rm_supplier_performance"

    supplier_id: str = Field(primary_key=True, sa_type=ID)
    receipts: int
    lines_due_received: int
    lines_on_time: int
    ordered_quantity: str = Field(sa_type=String(40))
    accepted_quantity: str = Field(sa_type=String(40))
    rejected_quantity: str = Field(sa_type=String(40))
    short_deliveries: int
    over_deliveries: int
    price_deviations: int
    invoice_price_deviations: int
    counter_proposals: int
    alerts_raised: int
    position: int = Field(sa_type=BigInteger)


class DelayRow(ReadModel, table=True):
    """One row per delay reported (app/projections/production.py): the
    delay-cause report counts them per cause and responsible party."""

    __tablename__ = "rm_delays"

    # The DelayReported event's position: one row per event, in order.
    position: int = Field(primary_key=True, sa_type=BigInteger,
                          sa_column_kwargs={"autoincrement": False})
    order_id: str = Field(sa_type=ID, index=True)
    reference: str | None = Field(sa_type=Text)
    delay_id: str = Field(sa_type=String(64))
    cause: str = Field(sa_type=String(32))
    responsible: str = Field(sa_type=String(16))
    days: int
    forecast_ex_factory: date
    reported_on: date = Field(index=True)  # the report's since/until


class InspectionRow(ReadModel, table=True):
    """The QC board (app/projections/quality.py): one row per inspection of
    an order (pre-production to final) or of a PO's delivery (incoming).
    Its corrective actions closed and a concession granted update it."""

    __tablename__ = "rm_inspections"

    inspection_id: str = Field(primary_key=True, sa_type=ID)
    order_id: str | None = Field(sa_type=ID, index=True)  # a PO's: the order it serves
    purchase_order_id: str | None = Field(sa_type=ID)
    reference: str | None = Field(sa_type=Text)  # the order's
    stage: str = Field(sa_type=String(16))
    factory: str = Field(sa_type=Text, index=True)  # "supplier:<id>" or "own:<name>"
    product: str = Field(sa_type=Text)
    lot_size: int
    level: str = Field(sa_type=String(4))
    severity: str = Field(sa_type=String(12))
    result: str = Field(sa_type=String(8))
    defects_critical: int
    defects_major: int
    defects_minor: int
    inspected_on: date = Field(index=True)  # the QC board's since
    report_ref: str = Field(sa_type=Text)
    inspector: str = Field(sa_type=Text)
    corrective_actions: int  # opened by the inspection
    open_corrective_actions: int
    concession: bool
    recorded_at: str = Field(sa_type=AT)
    # Position of the InspectionRecorded event: the list's order and cursor.
    recorded_position: int = Field(sa_type=BigInteger, unique=True)
    position: int = Field(sa_type=BigInteger)


class FactoryQualityRow(ReadModel, table=True):
    """A factory's record for one product (app/projections/quality.py): the
    ISO 2859-1 switching severity its lots gave (QualityRecord), and the
    incoming lots of a supplier's POs judged and rejected. Keyed by the
    QualityRecord's id (app/domain/quality_record.record_id)."""

    __tablename__ = "rm_factory_quality"

    record_id: str = Field(primary_key=True, sa_type=ID)
    factory: str = Field(sa_type=Text)
    supplier_id: str | None = Field(sa_type=ID, index=True)  # a registered supplier's
    product: str = Field(sa_type=Text)
    severity: str = Field(sa_type=String(12))
    severity_reason: str = Field(sa_type=Text)
    discontinued: bool
    incoming_lots: int  # original incoming inspections (re-inspections not counted)
    rejected_lots: int  # of which failed
    rejected_quantity: str = Field(sa_type=String(40))  # taken back off the POs
    position: int = Field(sa_type=BigInteger)


# The Core tables, as the projections write them and the queries read them.
tracking = TrackingRow.__table__
customers = CustomerRow.__table__
finance = FinanceRow.__table__
audit = AuditRow.__table__
suppliers = SupplierRow.__table__
purchase_orders = PurchaseOrderBoardRow.__table__
supplier_performance = SupplierPerformanceRow.__table__
delays = DelayRow.__table__
inspections = InspectionRow.__table__
factory_quality = FactoryQualityRow.__table__

# Every table a rebuild empties; the order matters to nobody (no foreign keys).
READ_MODEL_TABLES = (customers, board, finance, audit, suppliers, purchase_orders,
                     supplier_performance, delays, inspections, factory_quality)
