"""Orders from costing to closure: cost analysis and margin approval (G2),
payments, production release (G1, G2, G5), shipment (G4) and closure.

Included by ``orders.router``; the conventions are the same (plain ``def``,
one use case, the order with ``ETag`` in the answer)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from app.api.conditions import Conditions
from app.api.deps import GendanDep
from app.api.permissions import (
    AnalyseCosts,
    ApproveMargins,
    ApproveShipmentWithoutBalance,
    CloseOrders,
    RecordLettersOfCredit,
    RecordPayments,
    RecordShipments,
    ReleaseProduction,
    actor,
)
from app.api.routes.order_common import RESPONSES, NoInput, answer
from app.api.schemas.order_money import (
    CostAnalysisIn,
    LetterOfCreditIn,
    LetterOfCreditTerms,
    MarginApprovalIn,
    PaymentIn,
    ShipmentIn,
    ShipmentWithoutBalanceIn,
)
from app.api.schemas.orders import OrderPublic

router = APIRouter()


@router.post(
    "/orders/{order_id}/cost-analysis", operation_id="analyseCosts", responses=RESPONSES,
)
def analyse_costs(order_id: UUID, body: CostAnalysisIn, gendan: GendanDep, cond: Conditions,
                  principal: AnalyseCosts, response: Response) -> OrderPublic:
    """Record a cost analysis (`CostAnalysed`): costs are converted into the
    order currency with ``fx_rates`` and the margin is (total - costs) / total,
    floored to 4 places. A new analysis needs a new margin approval. Made
    before confirmation it is rough, after it detailed (G2, Plan 5 form 4)."""
    return answer(response, gendan.orders.analyse_costs(
        order_id, [cost.as_domain() for cost in body.costs], body.rates(), actor(principal),
        cond))


@router.post(
    "/orders/{order_id}/margin-approval", operation_id="approveMargin", responses=RESPONSES,
)
def approve_margin(order_id: UUID, body: MarginApprovalIn, gendan: GendanDep, cond: Conditions,
                   principal: ApproveMargins, response: Response) -> OrderPublic:
    """The manager approves the latest cost analysis's margin (`MarginApproved`, G2)."""
    return answer(response, gendan.orders.approve_margin(
        order_id, body.reason, actor(principal), cond))


@router.post("/orders/{order_id}/payments", operation_id="recordPayment", responses=RESPONSES)
def record_payment(order_id: UUID, body: PaymentIn, gendan: GendanDep, cond: Conditions,
                   principal: RecordPayments, response: Response) -> OrderPublic:
    """Record money received (`DepositReceived`, `BalanceReceived`,
    `FeeReceived`). Only in the order's currency; never more than is due."""
    return answer(response, gendan.orders.record_payment(
        order_id, body.kind, Decimal(body.amount), body.currency, body.received_on,
        body.reference, actor(principal), cond))


@router.post(
    "/orders/{order_id}/production-release", operation_id="releaseProduction",
    responses=RESPONSES,
)
def release_production(order_id: UUID, gendan: GendanDep,
                       cond: Conditions, principal: ReleaseProduction,
                       response: Response, body: NoInput = None) -> OrderPublic:
    """Release bulk production (`ProductionOrderReleased`): G1 confirmed,
    G2 a detailed cost analysis (made after confirmation) with an acceptable
    or approved margin, G5 an approved pre-production sample, and a
    production notice (409 `invalid-state` without one), which the release
    approves and freezes. Without the deposit it succeeds with the alert
    ``production_without_deposit``."""
    return answer(response, gendan.orders.release_production(order_id, actor(principal), cond))


@router.post(
    "/orders/{order_id}/letters-of-credit", operation_id="receiveLetterOfCredit",
    responses=RESPONSES,
)
def receive_letter_of_credit(order_id: UUID, body: LetterOfCreditIn, gendan: GendanDep,
                             cond: Conditions, principal: RecordLettersOfCredit,
                             response: Response) -> OrderPublic:
    """Record the L/C the customer's bank opened (`LetterOfCreditReceived`),
    for an order paid by `LC`. G4 counts the balance as secured when a
    received credit covers it in the order's currency, the shipment is not
    after its latest shipment date nor its expiry, and a Nigerian bank's
    credit is confirmed by a third-country bank (as G3). 409 when the order
    is not paid by L/C, is shipped, or the number is already received."""
    return answer(response, gendan.orders.receive_letter_of_credit(
        order_id, {**body.as_domain(), "number": body.number}, actor(principal), cond))


@router.put(
    "/orders/{order_id}/letters-of-credit/{number}", operation_id="amendLetterOfCredit",
    responses=RESPONSES,
)
def amend_letter_of_credit(order_id: UUID, number: Annotated[str, Path(max_length=200)],
                           body: LetterOfCreditTerms,
                           gendan: GendanDep, cond: Conditions,
                           principal: RecordLettersOfCredit,
                           response: Response) -> OrderPublic:
    """Record the bank's amendment of a received L/C (`LetterOfCreditAmended`,
    e.g. a later latest shipment date): every term restated. The same terms
    again record nothing. 404 for a number not received."""
    return answer(response, gendan.orders.amend_letter_of_credit(
        order_id, number, body.as_domain(), actor(principal), cond))


@router.post(
    "/orders/{order_id}/shipment-without-balance",
    operation_id="approveShipmentWithoutBalance", responses=RESPONSES,
)
def approve_shipment_without_balance(order_id: UUID, body: ShipmentWithoutBalanceIn,
                                     gendan: GendanDep, cond: Conditions,
                                     principal: ApproveShipmentWithoutBalance,
                                     response: Response) -> OrderPublic:
    """The manager lets the order ship with balance due (G4); the accountant
    sees the alert ``shipment_without_balance`` until the balance arrives."""
    return answer(response, gendan.orders.approve_shipment_without_balance(
        order_id, body.reason, actor(principal), cond))


@router.post("/orders/{order_id}/shipments", operation_id="recordShipment", responses=RESPONSES)
def record_shipment(order_id: UUID, body: ShipmentIn, gendan: GendanDep,
                    cond: Conditions, principal: RecordShipments,
                    response: Response) -> OrderPublic:
    """Record that the goods left (`Shipped`); G4 wants the balance in full
    or a manager's approval."""
    return answer(response, gendan.orders.record_shipment(
        order_id, body.shipped_on, body.carrier, body.transport_document, actor(principal),
        cond))


@router.post("/orders/{order_id}/closure", operation_id="closeOrder", responses=RESPONSES)
def close_order(order_id: UUID, gendan: GendanDep,
                cond: Conditions, principal: CloseOrders,
                response: Response, body: NoInput = None) -> OrderPublic:
    """Close the order file of a shipped order (`OrderClosed`): the
    purchaser files finished orders, or a supervisor or manager."""
    return answer(response, gendan.orders.close_order(order_id, actor(principal), cond))
