"""Purchase orders, staff side: draft (G8), review and send (G7),
amendments, counter-proposals, receipts, supplier invoices and payments,
and the evidence of what suppliers signed."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, Response

from app.api.conditions import Conditions, Keyed
from app.api.deps import GendanDep
from app.api.links import PURCHASE_ORDER_LINKS
from app.api.permissions import (
    AmendPurchaseOrders,
    AnswerCounterProposals,
    CancelPurchaseOrders,
    DraftPurchaseOrders,
    PaySuppliers,
    ReadSourcing,
    ReceiveMaterials,
    RecordSupplierInvoices,
    ReviewPurchaseOrders,
    SendPurchaseOrders,
    actor,
)
from app.api.routes.order_common import RESPONSES, NoInput, answer
from app.api.schemas.problems import CREATED
from app.api.schemas.purchase_orders import (
    AmendmentIn,
    CounterAnswerIn,
    EvidencePage,
    InvoiceIn,
    PurchaseOrderCreate,
    PurchaseOrderPublic,
    ReasonIn,
    ReceiptIn,
    SupplierPaymentIn,
)

router = APIRouter(prefix="/v1", tags=["purchase orders"])
Public = PurchaseOrderPublic


@router.post("/purchase-orders", status_code=201, operation_id="draftPurchaseOrder",
             responses={**RESPONSES, 201: {"links": PURCHASE_ORDER_LINKS, **CREATED}})
def draft_purchase_order(body: PurchaseOrderCreate, gendan: GendanDep, keyed: Keyed,
                         principal: DraftPurchaseOrders,
                         response: Response) -> PurchaseOrderPublic:
    """Draft a PO (`PurchaseOrderDrafted`). G8: an item never bought before
    needs `rfq_id` of an awarded RFQ with quotes from 3 suppliers, awarded to
    this supplier, or a supervisor's or manager's `waiver_reason`."""
    result = gendan.purchase_orders.draft_purchase_order(
        supplier_id=body.supplier_id, order_id=body.order_id, rfq_id=body.rfq_id,
        currency=body.currency, terms=body.terms,
        lines=[line.as_domain() for line in body.lines], waiver_reason=body.waiver_reason,
        actor=actor(principal), cond=keyed)
    response.headers["Location"] = f"/v1/purchase-orders/{result.view['id']}"
    return answer(response, result, PurchaseOrderPublic, status=201)


@router.get("/purchase-orders/{purchase_order_id}", operation_id="getPurchaseOrder",
            responses=RESPONSES)
def get_purchase_order(purchase_order_id: UUID, gendan: GendanDep, principal: ReadSourcing,
                       response: Response) -> PurchaseOrderPublic:
    """The PO from the event store: state, revision, content and hash,
    signed or not, receipts, invoices, payments, alerts."""
    view = gendan.purchase_orders.get_purchase_order(purchase_order_id)
    response.headers["ETag"] = f'"{view["version"]}"'
    return PurchaseOrderPublic.from_view(view)


@router.get("/purchase-orders/{purchase_order_id}/evidence",
            operation_id="getPurchaseOrderEvidence", responses=RESPONSES)
def get_evidence(purchase_order_id: UUID, gendan: GendanDep,
                 principal: ReadSourcing) -> EvidencePage:
    """Every signed request the supplier sent for this PO, as received,
    with the public key it verified against: verify it offline with
    `examples/verify_evidence.py`."""
    return EvidencePage(data=gendan.purchase_orders.purchase_order_evidence(purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/review", operation_id="reviewPurchaseOrder",
             responses=RESPONSES)
def review(purchase_order_id: UUID, gendan: GendanDep, cond: Conditions,
           principal: ReviewPurchaseOrders, response: Response,
           body: NoInput = None) -> PurchaseOrderPublic:
    """A supervisor reviewed the current revision (`PurchaseOrderReviewed`, G7)."""
    return answer(response, gendan.purchase_orders.review_purchase_order(
        purchase_order_id, actor(principal), cond), Public)


@router.post("/purchase-orders/{purchase_order_id}/send", operation_id="sendPurchaseOrder",
             responses=RESPONSES)
def send(purchase_order_id: UUID, gendan: GendanDep, cond: Conditions,
         principal: SendPurchaseOrders, response: Response,
         body: NoInput = None) -> PurchaseOrderPublic:
    """Send the reviewed revision to the supplier (`PurchaseOrderSent`) with
    its `content_hash`; an unreviewed one is refused (G7)."""
    return answer(response, gendan.purchase_orders.send_purchase_order(
        purchase_order_id, actor(principal), cond), Public)


@router.post("/purchase-orders/{purchase_order_id}/amendments", operation_id="amendPurchaseOrder",
             responses=RESPONSES)
def amend(purchase_order_id: UUID, body: AmendmentIn, gendan: GendanDep, cond: Conditions,
          principal: AmendPurchaseOrders, response: Response) -> PurchaseOrderPublic:
    """Replace the lines (`PurchaseOrderAmended`). Once a revision was sent
    this makes the next one: reviewed, sent and signed back again."""
    return answer(response, gendan.purchase_orders.amend_purchase_order(
        purchase_order_id, [line.as_domain() for line in body.lines], body.terms, body.reason,
        actor(principal), cond), Public)


@router.post("/purchase-orders/{purchase_order_id}/counter-proposal/decision",
             operation_id="answerCounterProposal", responses=RESPONSES)
def answer_counter(purchase_order_id: UUID, body: CounterAnswerIn, gendan: GendanDep,
                   cond: Conditions, principal: AnswerCounterProposals,
                   response: Response) -> PurchaseOrderPublic:
    """Accept the supplier's counter-proposal (`CounterProposalAccepted` and
    a new revision with its figures, to review, send and sign again) or
    reject it (`CounterProposalRejected`)."""
    return answer(response, gendan.purchase_orders.answer_counter_proposal(
        purchase_order_id, body.decision == "accept", body.reason, actor(principal), cond),
        Public)


@router.post("/purchase-orders/{purchase_order_id}/cancellation",
             operation_id="cancelPurchaseOrder", responses=RESPONSES)
def cancel(purchase_order_id: UUID, body: ReasonIn, gendan: GendanDep, cond: Conditions,
           principal: CancelPurchaseOrders, response: Response) -> PurchaseOrderPublic:
    """Cancel a PO nothing was received against (`PurchaseOrderCancelled`)."""
    return answer(response, gendan.purchase_orders.cancel_purchase_order(
        purchase_order_id, body.reason, actor(principal), cond), Public)


@router.post("/purchase-orders/{purchase_order_id}/receipts", status_code=201,
             operation_id="receiveMaterials", responses=RESPONSES)
def receive(purchase_order_id: UUID, body: ReceiptIn, gendan: GendanDep, cond: Conditions,
            principal: ReceiveMaterials, response: Response) -> PurchaseOrderPublic:
    """Materials received per PO line (`MaterialsReceived`): quantity off
    the PO beyond the tolerance, a price above it, or a late line raise
    alerts for the accountant and in supplier performance."""
    received_on = body.received_on or datetime.now(timezone.utc).date()
    return answer(response, gendan.purchase_orders.receive_materials(
        purchase_order_id, received_on, body.delivery_note,
        [line.model_dump() for line in body.lines], actor(principal), cond), Public, status=201)


@router.post("/purchase-orders/{purchase_order_id}/invoices", status_code=201,
             operation_id="recordSupplierInvoice", responses=RESPONSES)
def record_invoice(purchase_order_id: UUID, body: InvoiceIn, gendan: GendanDep,
                   cond: Conditions, principal: RecordSupplierInvoices,
                   response: Response) -> PurchaseOrderPublic:
    """A supplier invoice (`SupplierInvoiceRecorded`), matched three ways:
    price against the PO, quantity against what was accepted and not yet
    invoiced. A mismatch raises an alert."""
    return answer(response, gendan.purchase_orders.record_supplier_invoice(
        purchase_order_id, body.invoice_no, body.invoice_date, body.due_date, body.currency,
        [line.model_dump() for line in body.lines], actor(principal), cond), Public, status=201)


@router.post("/purchase-orders/{purchase_order_id}/payments", status_code=201,
             operation_id="paySupplier", responses=RESPONSES)
def pay(purchase_order_id: UUID, body: SupplierPaymentIn, gendan: GendanDep, cond: Conditions,
        principal: PaySuppliers, response: Response) -> PurchaseOrderPublic:
    """A payment to the supplier (`SupplierPaid`), with adjustments for late
    or short deliveries and their reasons; never more than is invoiced and
    not yet settled."""
    adjustments = [{**a.model_dump(), "amount": Decimal(a.amount)} for a in body.adjustments]
    return answer(response, gendan.purchase_orders.pay_supplier(
        purchase_order_id, Decimal(body.amount), body.currency, body.paid_on, body.reference,
        body.invoice_no, adjustments, actor(principal), cond), Public, status=201)
