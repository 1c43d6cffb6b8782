"""A BI surface in SQL (issue 13, item 5): views over the read models with
real types, for analysts and BI tools that open the database.

PostgreSQL: a schema ``bi`` of views (``bi.orders``, ``bi.payments``...)
and the table ``bi.currency_minor_units``, a COMMENT on every one and on
every column (README "BI in SQL" prints them: ``gendan bi dictionary``).
Ids are ``uuid``, instants ``timestamptz`` (the read models keep ISO 8601
text), days ``date``, amounts ``numeric`` in major units with the currency
beside them (the read models keep integer minor units: divided by 10^the
currency's ISO 4217 minor units). ``gendan bi grant`` gives a login role
SELECT on this schema and nothing else: the views run with their owner's
rights (the role that migrates), so the BI role needs no right on a table.

SQLite has no schemas: the same views are ``bi_orders``, ``bi_payments``...
in the one file (an ATTACHed database could not hold views over the main
one's tables), amounts are REAL (SQLite has no decimal type), instants and
ids stay ISO text, and there are no comments. A later migration that
batch-alters a table these views read on SQLite must drop them first and
create them again: SQLite refuses to rename a table a view names.

``bi.currency_minor_units`` is filled from the ISO 4217 data the service
uses (app.domain.reference) as installed when this migration runs;
tests/integration/test_bi_views.py fails when the two differ, so a new
currency gets a migration.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op
from iso4217 import Currency

from app.domain.reference import currency_minor_units

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An order in these states can no longer be late (app/projections/common.py).
DONE = "('shipped', 'closed', 'cancelled')"
PAYMENT_KINDS = {"DepositReceived": "deposit", "BalanceReceived": "balance",
                 "FeeReceived": "fee"}


# NamedTuples, not dataclasses: Alembic loads this file outside sys.modules,
# where @dataclass cannot resolve its module.
class Dialect(NamedTuple):
    """The few expressions the two stores spell differently."""

    pg: bool

    def name(self, view: str) -> str:
        return f"bi.{view}" if self.pg else f"bi_{view}"

    def uuid(self, column: str) -> str:
        return f"CAST({column} AS uuid)" if self.pg else column

    def at(self, column: str) -> str:
        return f"CAST({column} AS timestamptz)" if self.pg else column

    def money(self, minor: str, units: str = "cu") -> str:
        """Minor units in major units, rounded to the currency's places (so
        PostgreSQL shows 2550.00 USD, 285000 JPY)."""
        if self.pg:
            return f"round(CAST({minor} AS numeric) / {units}.scale_factor, {units}.minor_units)"
        return f"round(CAST({minor} AS REAL) / {units}.scale_factor, {units}.minor_units)"

    def number(self, text: str) -> str:
        """A decimal kept as text (quantities, percentages)."""
        return f"CAST({text} AS {'numeric' if self.pg else 'REAL'})"

    def ratio(self, part: str, whole: str) -> str:
        """part / whole to 4 places; null when whole is 0 (as the API's rates)."""
        return f"round({self.number(part)} / NULLIF({self.number(whole)}, 0), 4)"

    def json(self, column: str, *path: str) -> str:
        """A scalar in a JSON column, as text (null when absent or null)."""
        if self.pg:
            *head, last = path
            return column + "".join(f" -> '{p}'" for p in head) + f" ->> '{last}'"
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    def json_bool(self, column: str, *path: str) -> str:
        # SQLite's json_extract already gives 1/0, its booleans.
        text = self.json(column, *path)
        return f"CAST({text} AS boolean)" if self.pg else text

    def json_list(self, column: str) -> str:
        """A JSON array of strings as one text, '; ' between them."""
        if self.pg:
            return f"(SELECT string_agg(value, '; ') FROM json_array_elements_text({column}))"
        return f"(SELECT group_concat(value, '; ') FROM json_each({column}))"

    @property
    def today(self) -> str:
        """Today's date in UTC, as the service counts days."""
        return "CAST((now() AT TIME ZONE 'UTC') AS date)" if self.pg else "date('now')"

    def days_since(self, day: str) -> str:
        """Whole days from ``day`` to today, never below 0."""
        if self.pg:
            return f"greatest(0, {self.today} - {day})"
        return f"max(0, CAST(julianday({self.today}) - julianday({day}) AS INTEGER))"


class View(NamedTuple):
    name: str
    comment: str
    source: str  # FROM ... (WHERE ...), {bi} standing for the schema prefix
    columns: tuple[tuple[str, str, str], ...]  # (name, expression, comment)


def views(d: Dialect) -> list[View]:
    bi = "bi." if d.pg else "bi_"
    return [
        View("customers", "The customers as registered, one row each.",
             "FROM rm_customers c",
             (("customer_id", d.uuid("c.id"), "The customer's id."),
              ("name", "c.name", "The customer's name."),
              ("country", "c.country", "ISO 3166-1 alpha-2 country code."),
              ("region", "c.region", "The sales region its country belongs to."))),
        View("suppliers", "The suppliers as registered, one row each.",
             "FROM rm_suppliers s",
             (("supplier_id", d.uuid("s.id"), "The supplier's id."),
              ("name", "s.name", "The supplier's name."),
              ("country", "s.country", "ISO 3166-1 alpha-2 country code."))),
        View("orders",
             "One row per customer order: its state, owner, money and dates. Amounts are "
             "in major units of the order's currency. risk, overdue and days_late follow "
             "today's date (UTC) as the order board does.",
             f"FROM rm_board b LEFT JOIN rm_finance f ON f.order_id = b.order_id "
             f"LEFT JOIN {bi}currency_minor_units cu ON cu.currency = b.currency",
             (("order_id", d.uuid("b.order_id"), "The order's id."),
              ("reference", "b.reference", "The order's reference (the customer's PO number)."),
              ("customer_id", d.uuid("b.customer_id"), "The customer's id (bi.customers)."),
              ("customer_name", "b.customer_name", "The customer's name."),
              ("state", "b.state",
               "inquiry, quoted, sampling, pi_issued, pi_signed, confirmed, in_production, "
               "inspected, ready_to_ship, shipped, closed or cancelled."),
              ("owner", "b.owner", "The merchandiser who follows the order."),
              ("currency", "b.currency", "ISO 4217 code of every amount of the order."),
              ("total", d.money("b.total_minor"), "The contract total."),
              ("deposit_percent", d.number("f.deposit_percent"),
               "The deposit the payment terms ask for, in percent of the total."),
              ("deposit_due", d.money("f.deposit_due_minor"), "The deposit the terms ask for."),
              ("deposit_received", d.money("f.deposit_received_minor"),
               "Deposits received so far."),
              ("balance_received", d.money("f.balance_received_minor"),
               "Balance payments received so far."),
              ("paid", d.money("f.paid_minor"), "Deposits and balance received (fees apart)."),
              ("balance_due", d.money("f.balance_due_minor"), "What is still to be paid."),
              ("fees_received", d.money("f.fees_received_minor"),
               "Sample and mould fees received."),
              ("margin", d.number("f.margin"),
               "The latest cost analysis's margin as a fraction (0.0470 is 4.7 %); null "
               "before one."),
              ("margin_approved", "f.margin_approved",
               "A manager approved a margin below the threshold."),
              ("shipment_without_balance", "f.shipment_without_balance",
               "A manager approved shipping before the balance is paid."),
              ("delivery_date", "b.delivery_date", "The delivery date of the contract."),
              ("agreed_on", "b.agreed_on",
               "The latest date the customer agreed to: the delivery date, or a later one "
               "consented to after a delay."),
              ("forecast_ex_factory", "b.forecast_ex_factory",
               "The latest forecast ex-factory date; null before a delay or forecast."),
              ("next_milestone", "b.next_milestone", "The next step the order waits for."),
              ("next_milestone_on", "b.next_milestone_on",
               "The planned date of the production plan's next uncompleted milestone."),
              ("plan_risk", "b.plan_risk",
               "red, amber or green as the plan and the forecasts give it on their own."),
              ("risk", f"CASE WHEN b.state IN {DONE} THEN 'green' "
                       f"WHEN b.plan_risk = 'red' OR b.agreed_on < {d.today} THEN 'red' "
                       f"WHEN b.plan_risk = 'amber' OR b.next_milestone_on < {d.today} "
                       f"THEN 'amber' ELSE 'green' END",
               "The board's risk today: red past the agreed date or when the plan says "
               "red, amber with a milestone past its planned date; green once shipped."),
              ("overdue", f"b.state NOT IN {DONE} AND b.delivery_date < {d.today}",
               "Past its delivery date today and not yet shipped (nor closed or cancelled)."),
              ("days_late", f"CASE WHEN b.state IN {DONE} THEN 0 "
                            f"WHEN {d.json('b.facts', 'plan')} IS NOT NULL "
                            f"AND b.next_milestone_on IS NOT NULL "
                            f"THEN {d.days_since('b.next_milestone_on')} "
                            f"ELSE {d.days_since('b.delivery_date')} END",
               "Days late today: past the next milestone's planned date when planned, else "
               "past the delivery date; 0 once shipped."),
              ("blockers", d.json_list("b.blockers"),
               "What stops the next step, '; ' between them; null when nothing does."),
              ("open_blockers", "json_array_length(b.blockers)", "How many blockers."),
              ("open_alerts", "json_array_length(b.alerts)", "Alerts raised and not cleared."),
              ("samples_required", d.json_bool("b.facts", "samples_required"),
               "The order needs an approved pre-production sample before confirmation."),
              ("final_inspection_result", d.json("b.facts", "final_inspection", "result"),
               "passed or failed: the latest final inspection; null before one."),
              ("created_at", d.at("b.created_at"), "When the order was created."),
              ("updated_at", d.at("b.updated_at"), "When the order last changed."))),
        View("payments",
             "One row per payment received from a customer, from the audit trail: "
             "deposits, balance payments and fees. Amounts in major units.",
             "FROM rm_audit a LEFT JOIN rm_finance f ON f.order_id = a.order_id "
             "WHERE a.aggregate_type = 'order' AND a.type IN ("
             + ", ".join(f"'{t}'" for t in PAYMENT_KINDS) + ")",
             (("event_position", "a.position",
               "Global position of the event that recorded the payment: unique, in order "
               "of recording."),
              ("order_id", d.uuid("a.order_id"), "The order paid (bi.orders)."),
              ("order_reference", "f.reference", "The order's reference."),
              ("customer_id", d.uuid("f.customer_id"), "Who paid: the order's customer."),
              ("customer_name", "f.customer_name", "The customer's name."),
              ("kind", "CASE a.type " + " ".join(
                  f"WHEN '{t}' THEN '{k}'" for t, k in PAYMENT_KINDS.items()) + " END",
               "deposit, balance or fee."),
              ("fee_kind", d.json("a.data", "kind"), "sample_fee or mould_fee; null otherwise."),
              ("amount", d.number(d.json("a.data", "amount")), "The amount received."),
              ("currency", d.json("a.data", "currency"), "ISO 4217 code of the amount."),
              ("received_on", f"CAST({d.json('a.data', 'received_on')} AS date)"
               if d.pg else d.json("a.data", "received_on"),
               "The day the money was received."),
              ("payment_reference", d.json("a.data", "reference"),
               "The bank's or payer's reference (TT number...)."),
              ("recorded_at", d.at("a.occurred_at"), "When it was recorded."),
              ("recorded_by", "a.actor_sub", "Who recorded it."))),
        View("purchase_orders",
             "One row per purchase order to a supplier (the PO board). Amounts in major "
             "units of the PO's currency.",
             f"FROM rm_purchase_orders p LEFT JOIN rm_board b ON b.order_id = p.order_id "
             f"LEFT JOIN {bi}currency_minor_units cu ON cu.currency = p.currency",
             (("purchase_order_id", d.uuid("p.id"), "The PO's id."),
              ("supplier_id", d.uuid("p.supplier_id"), "The supplier (bi.suppliers)."),
              ("supplier_name", "p.supplier_name", "The supplier's name."),
              ("order_id", d.uuid("p.order_id"),
               "The customer order it serves (bi.orders); null for stock."),
              ("order_reference", "b.reference", "That order's reference."),
              ("state", "p.state", "draft, reviewed, sent, countered, signed or cancelled."),
              ("revision", "p.revision", "The current revision."),
              ("signed", "p.signed", "The current revision is signed back: the PO is placed."),
              ("signed_revision", "p.signed_revision", "The latest revision signed back."),
              ("sent_revision", "p.sent_revision", "The latest revision sent to the supplier."),
              ("sent_at", d.at("p.sent_at"),
               "When the current revision was sent; null while in preparation."),
              ("last_sent_at", d.at("p.last_sent_at"), "When a revision was last sent."),
              ("due_date", "p.due_date", "The earliest delivery date of its lines."),
              ("currency", "p.currency", "ISO 4217 code of every amount of the PO."),
              ("total", d.money("p.total_minor"), "The current revision's total."),
              ("sent_total", d.money("p.sent_total_minor"), "The total of the revision sent."),
              ("invoiced", d.money("p.invoiced_minor"), "Invoiced by the supplier."),
              ("paid", d.money("p.paid_minor"), "Paid to the supplier."),
              ("adjusted", d.money("p.adjusted_minor"), "Credit notes and adjustments."),
              ("outstanding", d.money("p.invoiced_minor - p.paid_minor - p.adjusted_minor"),
               "Invoiced less paid less adjusted: what is owed."),
              ("lines", "json_array_length(p.lines)", "How many lines the current revision has."),
              ("fully_received", "p.fully_received", "Every line received in full."),
              ("receipts", "p.receipts", "Goods receipts recorded."),
              ("last_received_on", "p.last_received_on", "The day of the latest receipt."),
              ("open_alerts", "p.open_alerts", "Alerts raised and not cleared."),
              ("overdue", f"p.due_date < {d.today} AND NOT p.fully_received "
                          f"AND p.state <> 'cancelled'",
               "Past its earliest delivery date today, not fully received, not cancelled."),
              ("created_at", d.at("p.created_at"), "When the PO was drafted."),
              ("updated_at", d.at("p.updated_at"), "When the PO last changed."))),
        View("supplier_performance",
             "One row per supplier with deliveries or proposals: its counters from "
             "receipts, invoices and counter-proposals, and its incoming lots.",
             "FROM rm_supplier_performance sp LEFT JOIN rm_suppliers s ON s.id = sp.supplier_id "
             "LEFT JOIN (SELECT supplier_id, sum(incoming_lots) AS lots, "
             "sum(rejected_lots) AS rejected FROM rm_factory_quality "
             "WHERE supplier_id IS NOT NULL GROUP BY supplier_id) q "
             "ON q.supplier_id = sp.supplier_id",
             (("supplier_id", d.uuid("sp.supplier_id"), "The supplier (bi.suppliers)."),
              ("supplier_name", "s.name", "The supplier's name."),
              ("country", "s.country", "ISO 3166-1 alpha-2 country code."),
              ("receipts", "sp.receipts", "Goods receipts recorded."),
              ("lines_due_received", "sp.lines_due_received", "PO lines received, on time or not."),
              ("lines_on_time", "sp.lines_on_time", "Of which received by their due date."),
              ("on_time_rate", d.ratio("sp.lines_on_time", "sp.lines_due_received"),
               "lines_on_time / lines_due_received, to 4 places; null before any."),
              ("ordered_quantity", d.number("sp.ordered_quantity"),
               "Quantity ordered on the lines received."),
              ("accepted_quantity", d.number("sp.accepted_quantity"), "Quantity accepted."),
              ("rejected_quantity", d.number("sp.rejected_quantity"), "Quantity rejected."),
              ("fill_rate", d.ratio("sp.accepted_quantity", "sp.ordered_quantity"),
               "accepted_quantity / ordered_quantity, to 4 places."),
              ("short_deliveries", "sp.short_deliveries", "Receipts short beyond the tolerance."),
              ("over_deliveries", "sp.over_deliveries", "Receipts over beyond the tolerance."),
              ("price_deviations", "sp.price_deviations",
               "Receipts whose price differed from the PO."),
              ("invoice_price_deviations", "sp.invoice_price_deviations",
               "Invoices whose price differed from the PO."),
              ("counter_proposals", "sp.counter_proposals", "Counter-proposals to POs."),
              ("alerts_raised", "sp.alerts_raised", "Alerts its POs raised."),
              ("incoming_lots", "coalesce(q.lots, 0)",
               "Incoming lots inspected (re-inspections not counted)."),
              ("rejected_lots", "coalesce(q.rejected, 0)", "Of which failed."),
              ("rejection_rate", d.ratio("q.rejected", "q.lots"),
               "rejected_lots / incoming_lots, to 4 places; null before any."))),
        View("delays", "One row per delay reported on an order's production.",
             "FROM rm_delays dl",
             (("event_position", "dl.position",
               "Global position of the DelayReported event: unique, in order of reporting."),
              ("order_id", d.uuid("dl.order_id"), "The order delayed (bi.orders)."),
              ("order_reference", "dl.reference", "The order's reference."),
              ("delay_id", "dl.delay_id", "The delay's id within the order."),
              ("cause", "dl.cause", "plan_error, equipment_failure, material_shortage, "
                                    "high_defect_rate, rush_orders, accumulated_delay or "
                                    "workforce."),
              ("responsible", "dl.responsible", "factory, supplier, customer or company."),
              ("days", "dl.days", "Days of delay reported."),
              ("forecast_ex_factory", "dl.forecast_ex_factory",
               "The ex-factory date forecast with it."),
              ("reported_on", "dl.reported_on", "The day it was reported."))),
        View("inspections",
             "One row per quality inspection: of an order (pre-production to final) or of "
             "a PO's delivery (incoming).",
             "FROM rm_inspections i",
             (("inspection_id", d.uuid("i.inspection_id"), "The inspection's id."),
              ("order_id", d.uuid("i.order_id"),
               "The order inspected, or the one the PO serves (bi.orders)."),
              ("purchase_order_id", d.uuid("i.purchase_order_id"),
               "The PO whose delivery was inspected; null for an order's inspection."),
              ("order_reference", "i.reference", "The order's reference."),
              ("stage", "i.stage", "pre_production, first_piece, inline or final (an "
                                   "order's); incoming (a PO's delivery)."),
              ("factory", "i.factory", "'supplier:' and the supplier's id, or 'own:' and the "
               "workshop's name."),
              ("supplier_id", "CASE WHEN i.factory LIKE 'supplier:%' THEN "
               + d.uuid("substr(i.factory, 10)") + " END",
               "The supplier when the factory is one (bi.suppliers)."),
              ("product", "i.product", "The product (item or SKU) inspected."),
              ("lot_size", "i.lot_size", "Units in the lot."),
              ("level", "i.level", "ISO 2859-1 inspection level: S-1 to S-4, I, II or III."),
              ("severity", "i.severity", "normal, tightened or reduced inspection."),
              ("result", "i.result", "passed or failed."),
              ("defects_critical", "i.defects_critical", "Critical defects found."),
              ("defects_major", "i.defects_major", "Major defects found."),
              ("defects_minor", "i.defects_minor", "Minor defects found."),
              ("inspected_on", "i.inspected_on", "The day of the inspection."),
              ("report_ref", "i.report_ref", "The inspection report's reference."),
              ("inspector", "i.inspector", "Who inspected."),
              ("corrective_actions", "i.corrective_actions", "Corrective actions it opened."),
              ("open_corrective_actions", "i.open_corrective_actions",
               "Of which not yet closed."),
              ("concession", "i.concession",
               "A manager accepted the failed lot by concession."),
              ("recorded_at", d.at("i.recorded_at"), "When it was recorded."))),
        View("factory_quality",
             "One row per factory and product: the ISO 2859-1 switching severity and the "
             "incoming lots judged and rejected.",
             "FROM rm_factory_quality fq",
             (("record_id", d.uuid("fq.record_id"), "The quality record's id."),
              ("factory", "fq.factory", "'supplier:' and the supplier's id, or 'own:' and the "
               "workshop's name."),
              ("supplier_id", d.uuid("fq.supplier_id"),
               "The supplier when the factory is one (bi.suppliers)."),
              ("product", "fq.product", "The product."),
              ("severity", "fq.severity", "normal, tightened or reduced: the next lot's."),
              ("severity_reason", "fq.severity_reason", "Why (the switching rule applied)."),
              ("discontinued", "fq.discontinued",
               "Inspection discontinued until a supervisor resumes it."),
              ("incoming_lots", "fq.incoming_lots", "Incoming lots inspected."),
              ("rejected_lots", "fq.rejected_lots", "Of which failed."),
              ("rejection_rate", d.ratio("fq.rejected_lots", "fq.incoming_lots"),
               "rejected_lots / incoming_lots, to 4 places; null before any."),
              ("rejected_quantity", d.number("fq.rejected_quantity"),
               "Quantity taken back off the POs by failed lots."))),
        View("read_model_positions",
             "How current the views are: each read model's position in the event store "
             "(a view is as current as the read models it reads).",
             "FROM rm_tracking t",
             (("read_model", "t.name", "The read model."),
              ("position", "t.position", "Global position of the last event it applied."))),
    ]


def _create_view(d: Dialect, view: View) -> None:
    columns = ",\n  ".join(f"{expr} AS {name}" for name, expr, _ in view.columns)
    op.execute(f"CREATE VIEW {d.name(view.name)} AS SELECT\n  {columns}\n{view.source}")
    if d.pg:
        op.execute(f"COMMENT ON VIEW bi.{view.name} IS {_literal(view.comment)}")
        for name, _, comment in view.columns:
            op.execute(f"COMMENT ON COLUMN bi.{view.name}.{name} IS {_literal(comment)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _currencies() -> list[dict[str, object]]:
    codes = sorted({c.code for c in Currency})
    return [dict(currency=code, minor_units=units, scale_factor=10 ** units)
            for code in codes if (units := currency_minor_units(code)) is not None]


def upgrade() -> None:
    d = Dialect(pg=op.get_bind().dialect.name == "postgresql")
    schema = "bi" if d.pg else None
    if d.pg:
        op.execute("CREATE SCHEMA bi")
        op.execute("COMMENT ON SCHEMA bi IS 'Views over the read models for BI tools "
                   "(README: BI in SQL); gendan bi grant gives a role SELECT on them only.'")
    table = op.create_table(
        "currency_minor_units" if d.pg else "bi_currency_minor_units",
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("minor_units", sa.SmallInteger(), nullable=False),
        sa.Column("scale_factor", sa.Integer(), nullable=False),
        schema=schema,
    )
    op.bulk_insert(table, _currencies())
    if d.pg:
        op.execute("COMMENT ON TABLE bi.currency_minor_units IS 'ISO 4217 minor units of "
                   "each currency: the read models keep amounts in minor units.'")
        for name, comment in (
            ("currency", "ISO 4217 code."),
            ("minor_units", "Decimal places of the currency (USD 2, JPY 0, KWD 3)."),
            ("scale_factor", "10 ^ minor_units: minor units per major unit."),
        ):
            op.execute(f"COMMENT ON COLUMN bi.currency_minor_units.{name} IS {_literal(comment)}")
    for view in views(d):
        _create_view(d, view)


def downgrade() -> None:
    d = Dialect(pg=op.get_bind().dialect.name == "postgresql")
    for view in reversed(views(d)):
        op.execute(f"DROP VIEW {d.name(view.name)}")
    op.drop_table("currency_minor_units" if d.pg else "bi_currency_minor_units",
                  schema="bi" if d.pg else None)
    if d.pg:
        # Not CASCADE: whatever someone else put in the schema stays, and says so.
        op.execute("DROP SCHEMA bi")
