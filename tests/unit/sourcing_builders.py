"""Building blocks of the sourcing unit tests: the actors of SPEC.md §2,
purchase orders brought to a given step by their own commands, RFQs with
quotes, and an in-memory event store. No HTTP, no database server."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5


from app.application.store import Store
from app.config import Settings
from app.domain.purchase_order import PurchaseOrder
from app.domain.rfq import Rfq
from app.domain.values import Actor, Policy

# SPEC.md §2: the purchaser drafts and sends, a supervisor reviews (someone
# other than the drafter), the supplier answers, qc receives, the accountant
# records invoices and payments.
PURCHASER = Actor("pia", "purchaser")
SUPERVISOR = Actor("sam", "supervisor")
MANAGER = Actor("chen", "manager")
QC = Actor("quinn", "qc")
ACCOUNTANT = Actor("ada", "accountant")
SUPPLIER = Actor("portal-sup-a", "supplier")

DUE = date(2027, 1, 15)
POLICY = Policy()  # receipt_tolerance ±3 %


def supplier_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"https://tests/suppliers/{name}")


SUPPLIER_A = supplier_id("a")


def line(line_no: int = 1, item: str = "YKK #5 zip", quantity: str = "1000",
         unit_price: str = "0.1250", delivery_date: date = DUE) -> dict[str, Any]:
    return {"line_no": line_no, "item": item, "quantity": quantity, "unit": "pcs",
            "unit_price": unit_price, "delivery_date": delivery_date}


THREE_LINES = [line(1, "YKK #5 zip", "1000", "0.1250"), line(2, "Nylon tape", "500", "2.00"),
               line(3, "Snap button", "200", "1.00")]


# ---- a purchase order at a given step ----------------------------------------------
def drafted(lines: list[dict[str, Any]] | None = None) -> PurchaseOrder:
    return PurchaseOrder.draft(
        supplier_id=SUPPLIER_A, order_id=None, rfq_id=None, currency="USD",
        terms="30 days net", lines=lines or [line()], waiver_reason=None, actor=PURCHASER)


def reviewed(lines: list[dict[str, Any]] | None = None) -> PurchaseOrder:
    po = drafted(lines)
    po.review(SUPERVISOR)
    return po


def sent(lines: list[dict[str, Any]] | None = None) -> PurchaseOrder:
    po = reviewed(lines)
    po.send(PURCHASER)
    return po


def placed(lines: list[dict[str, Any]] | None = None) -> PurchaseOrder:
    po = sent(lines)
    assert sign_back(po) == "signed_back"
    return po


def review_and_send(po: PurchaseOrder) -> str:
    """G7 for the current revision; the content hash the supplier signs."""
    po.review(SUPERVISOR)
    return po.send(PURCHASER)["content_hash"]


def answer(po: PurchaseOrder, decisions: list[dict[str, Any]], revision: int | None = None,
           content_hash: str | None = None) -> str:
    """The supplier's signed answer to the current revision (or the one named)."""
    current = po.current or {"content_hash": ""}
    return po.acknowledge(
        po.revision if revision is None else revision,
        current["content_hash"] if content_hash is None else content_hash,
        decisions, "key-1", {"signature": "sig=:AAAA:"}, SUPPLIER)


def sign_back(po: PurchaseOrder, **named: Any) -> str:
    return answer(po, [{"line_no": n["line_no"], "decision": "accept"} for n in po.lines],
                  **named)


def counter(line_no: int = 1, **proposal: Any) -> dict[str, Any]:
    return {"line_no": line_no, "decision": "counter", **proposal}


def got(line_no: int, received: str, accepted: str | None = None, price: str = "0.1250",
        partial: bool = False) -> dict[str, Any]:
    return {"line_no": line_no, "received": received,
            "accepted": received if accepted is None else accepted,
            "unit_price_invoiced": price, "partial": partial}


def receive(po: PurchaseOrder, *lines: dict[str, Any], on: date = DUE,
            actor: Actor = QC) -> str:
    return po.receive(on, "DN-1", list(lines), POLICY, actor)


def codes(po: PurchaseOrder) -> set[str]:
    """The open alerts, by code (what the boards show)."""
    return set(po.alerts)


def invoice(po: PurchaseOrder, invoice_no: str, quantity: str, unit_price: str = "0.1250",
            line_no: int = 1, currency: str = "USD") -> str:
    recorded = po.record_invoice(invoice_no, date(2027, 1, 26), date(2027, 2, 25), currency,
                                 [{"line_no": line_no, "quantity": quantity,
                                   "unit_price": unit_price}], ACCOUNTANT)
    return recorded["match"]["status"]


# ---- RFQs ----------------------------------------------------------------------------
def rfq(item: str = "YKK #5 zip") -> Rfq:
    return Rfq.request(item, "1000", "pcs", "nylon, black", DUE, None, PURCHASER)


def quote(r: Rfq, supplier: UUID, unit_price: str = "0.1250", currency: str = "USD",
          landed: str | None = None, lead_time_days: int = 20,
          valid_until: date | None = None) -> str:
    return r.record_quote(supplier, f"Supplier {str(supplier)[:4]}", unit_price, currency,
                          landed, lead_time_days, None, valid_until, PURCHASER)


def awarded_rfq(item: str = "YKK #5 zip", winner: UUID = SUPPLIER_A, suppliers: int = 3,
                award: bool = True) -> Rfq:
    """Quotes from ``suppliers`` different suppliers, the first from ``winner``."""
    r = rfq(item)
    others = [supplier_id(f"other-{n}") for n in range(suppliers - 1)]
    quote_ids = [quote(r, s, f"0.12{n}") for n, s in enumerate([winner, *others])]
    if award:
        r.award(quote_ids[0], "cheapest landed", SUPERVISOR)
    return r


# ---- an in-memory event store ---------------------------------------------------------
def in_memory_store() -> Store:
    """The application's store on the library's POPO recorder, snapshots on:
    every event goes through the transcoder (dates included), as it would on
    SQLite or PostgreSQL."""
    return Store(Settings(database_url="memory:"), snapshotted=(PurchaseOrder,))
