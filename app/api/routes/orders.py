"""Orders: creation, reading, and the commands up to confirmation.

Routes are plain ``def``: the eventsourcing library is synchronous, so
FastAPI runs them in its threadpool. Each one parses, calls one use case
(``gendan.orders.<command>``) and answers the order as it is now, with ``version``, ``position`` and
``ETag: "<version>"``. The money and fulfilment commands (costs, payments,
production, shipment, closure) live in ``order_money`` and are included here,
so ``app.main`` only knows this router.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from app.api.conditions import Conditions, Keyed
from app.api.deps import GendanDep
from app.api.links import ORDER_LINKS, SAMPLE_LINKS
from app.api.permissions import (
    AmendPaymentTerms,
    CancelOrders,
    ConfirmOrders,
    CreateOrders,
    IssueProformaInvoices,
    ReadOrders,
    ReassignOrders,
    RecordCustomerAnswers,
    RequestSamples,
    actor,
)
from app.api.routes import order_money
from app.api.routes.order_common import RESPONSES, NoInput, answer
from app.api.schemas.problems import CREATED
from app.api.schemas.orders import (
    CancellationIn,
    ConfirmationIn,
    OrderCreate,
    OrderPublic,
    OwnerIn,
    PaymentTerms,
    PISignedBack,
    SampleDecision,
    SampleRequest,
    SampleRequestedPublic,
)

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post(
    "/orders", status_code=201, operation_id="createOrder",
    responses={**RESPONSES, 201: {"links": ORDER_LINKS, **CREATED}},
)
def create_order(body: OrderCreate, gendan: GendanDep, keyed: Keyed, principal: CreateOrders,
                 response: Response) -> OrderPublic:
    """Create an export order (`OrderCreated`). G3 checks the payment terms
    against the total and the customer's region; a reference the customer
    already used answers 409."""
    result = gendan.orders.create_order(
        reference=body.reference, customer_id=body.customer_id, currency=body.currency,
        incoterm=body.incoterm, delivery_date=body.delivery_date,
        samples_required=body.samples_required, payment_terms=body.payment_terms.as_domain(),
        lines=[line.as_domain() for line in body.lines], actor=actor(principal), cond=keyed,
    )
    response.headers["Location"] = f"/v1/orders/{result.view['id']}"
    return answer(response, result, status=201)


@router.get("/orders/{order_id}", operation_id="getOrder", responses=RESPONSES)
def get_order(
    order_id: UUID, gendan: GendanDep, principal: ReadOrders, response: Response,
    min_position: Annotated[int | None, Query(
        ge=0, description="Accepted for symmetry with the projections; always satisfied",
    )] = None,
) -> OrderPublic:
    """The order's current state, replayed from the event store.

    ``min_position`` is satisfied at once: the event store already holds
    every acknowledged write, unlike the projections, which may lag."""
    view = gendan.orders.get_order(order_id)
    response.headers["ETag"] = f'"{view["version"]}"'
    return OrderPublic.from_view(view)


@router.post(
    "/orders/{order_id}/samples", status_code=201, operation_id="requestSample",
    responses={**RESPONSES, 201: {"links": SAMPLE_LINKS}},
)
def request_sample(order_id: UUID, body: SampleRequest, gendan: GendanDep, cond: Conditions,
                   principal: RequestSamples, response: Response) -> SampleRequestedPublic:
    """Request a style, approval or pre-production sample (`SampleRequested`)."""
    result = gendan.orders.request_sample(order_id, body.stage, actor(principal), cond)
    return answer(response, result, SampleRequestedPublic, status=201)


@router.post(
    "/orders/{order_id}/samples/{sample_id}/decision", operation_id="decideSample",
    responses=RESPONSES,
)
def decide_sample(order_id: UUID, sample_id: UUID, body: SampleDecision, gendan: GendanDep,
                  cond: Conditions,
                  principal: RecordCustomerAnswers, response: Response) -> OrderPublic:
    """Record the customer's decision on a sample (`SampleApproved` /
    `SampleRejected`, with comments for the next round). An approval needs
    the customer's `evidence_ref` (G5); a rejection may have none."""
    return answer(response, gendan.orders.decide_sample(
        order_id, str(sample_id), body.decision, body.comments, body.evidence_ref,
        actor(principal), cond))


@router.post(
    "/orders/{order_id}/proforma-invoice", operation_id="issueProformaInvoice",
    responses=RESPONSES,
)
def issue_proforma_invoice(order_id: UUID, gendan: GendanDep,
                           cond: Conditions, principal: IssueProformaInvoices,
                           response: Response, body: NoInput = None) -> OrderPublic:
    """Issue the proforma invoice (`ProformaInvoiceIssued`): it freezes the
    lines, prices and terms the customer signs."""
    return answer(response, gendan.orders.issue_proforma_invoice(
        order_id, actor(principal), cond))


@router.post(
    "/orders/{order_id}/proforma-invoice/signed-back",
    operation_id="recordProformaInvoiceSignedBack", responses=RESPONSES,
)
def record_pi_signed_back(order_id: UUID, body: PISignedBack, gendan: GendanDep, cond: Conditions,
                          principal: RecordCustomerAnswers, response: Response) -> OrderPublic:
    """Record the customer's signed-back proforma invoice, with its evidence."""
    return answer(response, gendan.orders.record_proforma_invoice_signed_back(
        order_id, body.signed_by, body.evidence_ref, actor(principal), cond))


@router.put(
    "/orders/{order_id}/payment-terms", operation_id="amendPaymentTerms", responses=RESPONSES,
)
def amend_payment_terms(order_id: UUID, body: PaymentTerms, gendan: GendanDep, cond: Conditions,
                        principal: AmendPaymentTerms, response: Response) -> OrderPublic:
    """Replace the payment terms before confirmation (`PaymentTermsAmended`);
    G3 checks them again, e.g. a Nigerian L/C gaining a confirming bank."""
    return answer(response, gendan.orders.amend_payment_terms(
        order_id, body.as_domain(), actor(principal), cond))


@router.post(
    "/orders/{order_id}/confirmation", operation_id="confirmOrder", responses=RESPONSES,
)
def confirm_order(order_id: UUID, body: ConfirmationIn, gendan: GendanDep, cond: Conditions,
                  principal: ConfirmOrders, response: Response) -> OrderPublic:
    """Confirm the order (`OrderConfirmed`): G1 wants a signed-back PI or a
    waiver with reason, G2 a cost analysis and an approved margin when below
    the threshold, G3 acceptable terms (a Nigerian L/C confirmed by a bank in
    a third country: neither NG nor the company's own)."""
    return answer(response, gendan.orders.confirm_order(
        order_id, body.waiver_reason, actor(principal), cond))


@router.put("/orders/{order_id}/owner", operation_id="changeOrderOwner", responses=RESPONSES)
def change_owner(order_id: UUID, body: OwnerIn, gendan: GendanDep, cond: Conditions,
                 principal: ReassignOrders, response: Response) -> OrderPublic:
    """Hand the order to another merchandiser (`OrderOwnerChanged`): the
    creator owns it until a supervisor or manager reassigns it, and the
    board's `owner` filter follows. The same owner again records nothing."""
    return answer(response, gendan.orders.change_owner(
        order_id, body.owner, actor(principal), cond))


@router.post(
    "/orders/{order_id}/cancellation", operation_id="cancelOrder", responses=RESPONSES,
)
def cancel_order(order_id: UUID, body: CancellationIn, gendan: GendanDep, cond: Conditions,
                 principal: CancelOrders, response: Response) -> OrderPublic:
    """Cancel an order that has not shipped (`OrderCancelled`). After the
    production release G9 applies: a partly produced order records what the
    customer bears (`CancellationCostsAgreed`) and flags its open POs for the
    purchaser; a finished one is 409 G9."""
    return answer(response, gendan.orders.cancel_order(
        order_id, body.reason, actor(principal), cond,
        customer_bears=body.costs_borne(), evidence_ref=body.evidence_ref))


router.include_router(order_money.router)
