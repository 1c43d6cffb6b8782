"""Suppliers, RFQs and purchase orders as clients see them, built from the
aggregates loaded out of the event store (as ``views`` does for orders).

The supplier's view of a PO shows only what was sent to it: the latest
sent revision's ``content`` and ``content_hash``, never a draft, an
internal note or another supplier's figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.purchase_order import PurchaseOrder, portal_status
from app.domain.rfq import Rfq, compare
from app.domain.supplier import Supplier


def supplier_view(supplier: Supplier) -> dict[str, Any]:
    return {
        "id": supplier.id, "name": supplier.name, "country": supplier.country,
        "contact": supplier.contact, "version": supplier.version,
        "keys": [{
            "keyid": k["keyid"], "public_key": k["public_key"],
            "added_at": k["added_at"] or supplier.created_on,
            "revoked_at": k["revoked_at"], "active": k["revoked_at"] is None,
        } for k in supplier.keys.values()],
    }


def rfq_view(rfq: Rfq, currency: str | None = None,
             rates: dict[str, Decimal] | None = None) -> dict[str, Any]:
    quotes = compare(list(rfq.quotes.values()), currency, rates or {}, date.today())
    return {
        "id": rfq.id, "item": rfq.item, "quantity": rfq.quantity, "unit": rfq.unit,
        "spec": rfq.spec, "required_by": rfq.required_by, "order_id": rfq.order_id,
        "version": rfq.version, "requested_by": rfq.requested_by,
        "supplier_count": rfq.supplier_count, "awarded": rfq.awarded,
        "comparison_currency": currency, "quotes": quotes,
    }


def purchase_order_view(po: PurchaseOrder) -> dict[str, Any]:
    current = po.current
    return {
        "id": po.id, "supplier_id": po.supplier_id, "order_id": po.order_id,
        "rfq_id": po.rfq_id, "state": po.state, "revision": po.revision,
        "version": po.version, "currency": po.currency, "terms": po.terms,
        "lines": po.lines, "total": po.total, "waiver_reason": po.waiver_reason,
        "drafted_by": po.drafted_by,
        "content": current["content"] if current else None,
        "content_hash": current["content_hash"] if current else None,
        "signed_revision": po.signed_revision or None, "placed": po.placed,
        "sent_revisions": [{"revision": s["revision"], "content_hash": s["content_hash"],
                            "sent_at": s["sent_at"]} for s in po.sent.values()],
        "counter_proposal": po.counter,
        "acknowledgements": _without_evidence(po.acknowledgements),
        "delivery_notes": _without_evidence(po.delivery_notes),
        "receipts": po.receipts,
        "invoices": list(po.invoices.values()),
        "payments": po.payments,
        "invoiced": po.invoiced, "paid": po.paid, "adjusted": po.adjusted,
        "outstanding": po.outstanding,
        # Issue 12: incoming inspections; a failed lot's quantities are taken back.
        "inspections": [{
            "inspection_id": i["inspection_id"], "result": i["result"],
            "severity": i["severity"], "inspected_on": i["inspected_on"],
            "receipt_id": i["receipt_id"], "rejected": i["rejected"],
            "open_corrective_actions": sum(1 for a in i["corrective_actions"]
                                           if not a.get("closed_at")),
        } for i in po.inspections.values()],
        "alerts": list(po.alerts.values()),
    }


def supplier_purchase_order_view(po: PurchaseOrder) -> dict[str, Any]:
    latest = po.sent[max(po.sent, key=int)]
    return {
        "id": po.id, "revision": latest["revision"], "status": portal_status(po.state, po.placed),
        "content": latest["content"], "content_hash": latest["content_hash"],
        "sent_at": latest["sent_at"], "signed_revision": po.signed_revision or None,
        "counter_proposal": po.counter,
        "delivery_notes": _without_evidence(po.delivery_notes),
    }


def _without_evidence(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Signed records as the PO shows them; the signed request itself is
    served by ``evidence_view`` only."""
    return [{k: v for k, v in r.items() if k != "evidence"} for r in records]


def evidence_view(po: PurchaseOrder, supplier: Supplier) -> list[dict[str, Any]]:
    """Every signed request the supplier sent for this PO, as received, with
    the public key it verified against: enough to verify it offline."""
    signed = [
        {"kind": a["type"], "revision": a["revision"], "received_at": a["at"],
         **a["evidence"]} for a in po.acknowledgements
    ] + [
        {"kind": "delivery_note", "revision": None, "received_at": d["at"], **d["evidence"]}
        for d in po.delivery_notes
    ]
    for item in signed:
        key = supplier.keys.get(item["keyid"])
        item["public_key"] = key["public_key"] if key else None
        item["key_revoked_at"] = key["revoked_at"] if key else None
    return sorted(signed, key=lambda item: item["received_at"])
