"""Queries of the sourcing read models (suppliers, the PO board, supplier
performance, payables), mixed into ``ReadModels`` (app/projections/reads.py),
whose engine and helpers they use. What depends on today's date (overdue,
the age of unsigned POs) is computed here, never stored."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import and_, case, func, not_, or_, select, tuple_

from app.domain.errors import NotFound
from app.domain.purchase_order import portal_status
from app.domain.values import decimal_text
from app.projections.common import from_minor
from app.projections.paging import _page, decode_cursor
from app.projections.tables import (
    factory_quality,
    purchase_orders,
    supplier_performance,
    suppliers,
)


class SourcingReads:
    # ---- sourcing: suppliers, the PO board, performance, payables ---------------
    async def suppliers(self, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        query = (select(suppliers.c.id, suppliers.c.name, suppliers.c.country)
                 .order_by(suppliers.c.name, suppliers.c.id).limit(limit + 1))
        if cursor is not None:
            after_name, after_id = decode_cursor(cursor, (str, str))
            query = query.where(tuple_(suppliers.c.name, suppliers.c.id) > (after_name, after_id))
        rows = await self._all(query)
        return _page(rows, limit, dict, lambda r: [r["name"], r["id"]])

    async def purchase_orders(self, supplier_id: str | None = None, order_id: str | None = None,
                              state: str | None = None, signed: bool | None = None,
                              overdue: bool | None = None, limit: int = 50,
                              cursor: str | None = None) -> dict[str, Any]:
        """The PO board, in order of drafting. ``overdue``: past the earliest
        delivery date, not every line received, not cancelled."""
        po = purchase_orders.c
        today = datetime.now(timezone.utc).date()
        query = select(purchase_orders).order_by(po.created_position).limit(limit + 1)
        if supplier_id is not None:
            query = query.where(po.supplier_id == supplier_id)
        if order_id is not None:
            query = query.where(po.order_id == order_id)
        if state is not None:
            query = query.where(po.state == state)
        if signed is not None:
            query = query.where(po.signed if signed else not_(po.signed))
        if overdue is not None:
            late = and_(po.due_date < today, not_(po.fully_received), po.state != "cancelled")
            query = query.where(late if overdue else not_(late))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(po.created_position > after)
        rows = await self._all(query)
        return _page(rows, limit, lambda r: _po_item(r, today), lambda r: [r["created_position"]])

    async def supplier_purchase_orders(self, supplier_id: str, limit: int = 50,
                                       cursor: str | None = None) -> dict[str, Any]:
        """The POs sent to one supplier (the supplier portal): the latest
        revision sent of each, never a draft nor another supplier's PO."""
        po = purchase_orders.c
        query = (select(po.id, po.state, po.signed, po.sent_revision, po.content_hash,
                        po.last_sent_at, po.sent_due_date, po.currency, po.sent_total_minor,
                        po.created_position)
                 .where(po.supplier_id == _canonical_id(supplier_id),
                        po.sent_revision.is_not(None))
                 .order_by(po.created_position).limit(limit + 1))
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            query = query.where(po.created_position > after)
        rows = await self._all(query)
        return _page(rows, limit, _supplier_po_item, lambda r: [r["created_position"]])

    async def supplier_performance(self, supplier_id: str) -> dict[str, Any]:
        """The supplier's counters, with what follows from its POs' states
        now: POs sent, signed back, placed, the unsigned ones and their age
        in days (today's date: computed here, never stored); and its
        incoming lots judged and rejected and its switching severity per
        item (issue 12, rm_factory_quality)."""
        po = purchase_orders.c
        perf = supplier_performance.c
        sid = _canonical_id(supplier_id)
        now = datetime.now(timezone.utc)
        async with self._engine.connect() as conn:
            row = (await conn.execute(
                select(supplier_performance, suppliers.c.name, suppliers.c.country)
                .join(suppliers, suppliers.c.id == perf.supplier_id)
                .where(perf.supplier_id == sid))).mappings().first()
            if row is None:
                raise NotFound(f"Supplier {supplier_id} not found")
            counts = (await conn.execute(
                select(func.count(po.sent_revision).label("sent"),
                       func.count(po.signed_revision).label("signed_back"),
                       func.coalesce(func.sum(case((po.signed, 1), else_=0)), 0).label("placed"),
                       func.coalesce(func.sum(po.open_alerts), 0).label("open_alerts"))
                .where(po.supplier_id == sid))).mappings().one()
            unsigned = (await conn.execute(
                select(po.id, po.revision, po.state, po.sent_at)
                .where(po.supplier_id == sid, po.state.in_(("sent", "countered")))
                .order_by(po.sent_at, po.id))).mappings().all()
            items = (await conn.execute(
                select(factory_quality).where(factory_quality.c.supplier_id == sid)
                .order_by(factory_quality.c.product, factory_quality.c.record_id)
            )).mappings().all()
        return {**_performance(row, counts, unsigned, now), **_lot_quality(items)}

    async def payables(self) -> dict[str, Any]:
        """What is owed to suppliers, per supplier and currency and per
        currency. Cancelled POs count what was invoiced, paid or adjusted on
        them; POs never sent have nothing payable and are left out."""
        po = purchase_orders.c
        counted = and_(po.sent_revision.is_not(None), or_(
            po.state != "cancelled", po.invoiced_minor != 0, po.paid_minor != 0,
            po.adjusted_minor != 0))
        sums = (
            func.count().label("purchase_orders"),
            func.sum(po.invoiced_minor).label("invoiced"),
            func.sum(po.paid_minor).label("paid"),
            func.sum(po.adjusted_minor).label("adjusted"),
        )
        per_supplier = await self._all(
            select(po.supplier_id, po.supplier_name, po.currency, *sums).where(counted)
            .group_by(po.supplier_id, po.supplier_name, po.currency)
            .order_by(po.supplier_name, po.supplier_id, po.currency))
        per_currency = await self._all(
            select(po.currency, *sums).where(counted).group_by(po.currency)
            .order_by(po.currency))
        return {
            "suppliers": [{"supplier_id": r["supplier_id"], "supplier_name": r["supplier_name"],
                           **_payable(r)} for r in per_supplier],
            "currencies": [_payable(r) for r in per_currency],
            "position": await self.position(),
        }


def _canonical_id(value: str) -> str:
    """An id as the read models store it (lower-case UUID text); anything
    else matches no row."""
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError):
        return value


def _ratio(part: Decimal | int, whole: Decimal | int) -> str | None:
    if not whole:
        return None
    return format((Decimal(part) / Decimal(whole)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP), "f")


# What the supplier is asked to do, as the portal's own view says it.
supplier_status = portal_status


def _po_item(row: Any, today: date) -> dict[str, Any]:
    currency = row["currency"]
    item = {k: v for k, v in row.items()
            if not k.endswith("_minor") and k not in (
                "received", "created_position", "open_alerts", "last_sent_at", "sent_due_date")}
    outstanding = row["invoiced_minor"] - row["paid_minor"] - row["adjusted_minor"]
    item.update(
        total=from_minor(row["total_minor"], currency),
        invoiced=from_minor(row["invoiced_minor"], currency),
        paid=from_minor(row["paid_minor"], currency),
        adjusted=from_minor(row["adjusted_minor"], currency),
        outstanding=from_minor(outstanding, currency),
        overdue=(row["due_date"] < today and not row["fully_received"]
                 and row["state"] != "cancelled"),
    )
    return item


def _supplier_po_item(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"], "revision": row["sent_revision"],
        "status": supplier_status(row["state"], row["signed"]),
        "content_hash": row["content_hash"], "sent_at": row["last_sent_at"],
        "due_date": row["sent_due_date"], "currency": row["currency"],
        "total": from_minor(row["sent_total_minor"], row["currency"]),
    }


def _performance(row: Any, counts: Any, unsigned: Any, now: datetime) -> dict[str, Any]:
    ordered = Decimal(row["ordered_quantity"])
    accepted = Decimal(row["accepted_quantity"])
    return {
        "supplier_id": row["supplier_id"], "supplier_name": row["name"],
        "country": row["country"], "receipts": row["receipts"],
        "lines_due_received": row["lines_due_received"], "lines_on_time": row["lines_on_time"],
        "on_time_rate": _ratio(row["lines_on_time"], row["lines_due_received"]),
        "ordered_quantity": row["ordered_quantity"], "accepted_quantity": row["accepted_quantity"],
        "fill_rate": _ratio(accepted, ordered),
        "rejected_quantity": row["rejected_quantity"],
        "short_deliveries": row["short_deliveries"], "over_deliveries": row["over_deliveries"],
        "price_deviations": row["price_deviations"],
        "invoice_price_deviations": row["invoice_price_deviations"],
        "counter_proposals": row["counter_proposals"], "alerts_raised": row["alerts_raised"],
        "open_alerts": int(counts["open_alerts"]),
        "purchase_orders_sent": int(counts["sent"]),
        "purchase_orders_signed": int(counts["signed_back"]),
        "purchase_orders_placed": int(counts["placed"]),
        "unsigned_purchase_orders": [{
            "id": u["id"], "revision": u["revision"], "state": u["state"],
            "sent_at": u["sent_at"],
            "age_days": (now - datetime.fromisoformat(u["sent_at"])).days,
        } for u in unsigned],
        "position": row["position"],
    }


def _lot_quality(items: Any) -> dict[str, Any]:
    """The supplier's incoming lots (original inspections) and those
    rejected, in all and per item, with each item's switching severity."""
    lots = sum(i["incoming_lots"] for i in items)
    rejected = sum(i["rejected_lots"] for i in items)
    return {
        "incoming_lots": lots, "rejected_lots": rejected,
        "rejection_rate": _ratio(rejected, lots),
        "rejected_lot_quantity": decimal_text(
            sum((Decimal(i["rejected_quantity"]) for i in items), Decimal(0))),
        "quality_by_item": [{
            "item": i["product"], "severity": i["severity"],
            "severity_reason": i["severity_reason"], "discontinued": i["discontinued"],
            "incoming_lots": i["incoming_lots"], "rejected_lots": i["rejected_lots"],
            "rejection_rate": _ratio(i["rejected_lots"], i["incoming_lots"]),
            "rejected_quantity": i["rejected_quantity"],
        } for i in items],
    }


def _payable(row: Any) -> dict[str, Any]:
    currency = row["currency"]
    invoiced, paid, adjusted = (int(row[k]) for k in ("invoiced", "paid", "adjusted"))
    return {
        "currency": currency, "purchase_orders": int(row["purchase_orders"]),
        "invoiced": from_minor(invoiced, currency), "paid": from_minor(paid, currency),
        "adjusted": from_minor(adjusted, currency),
        "outstanding": from_minor(invoiced - paid - adjusted, currency),
    }
