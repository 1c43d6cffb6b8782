"""Quality and packing (issue 12): the ISO 2859-1 sampling plan, inspections
of an order's goods and of a PO's delivery, their corrective actions, a
manager's concession (G11), a factory's switching state and a supervisor's
decisions on it, the order's quantity tolerance, the packing list and a
supervisor's acceptance of its differences (G12).

The conventions of ``orders``: plain ``def``, one use case
(``gendan.quality.<command>``), ``Idempotency-Key`` and ``If-Match``, each
command answers with ``ETag`` and ``position``. An inspection report and a
packing list are documents: JSON, CSV or PDF by ``Accept``.
"""

from __future__ import annotations

from typing import Annotated, Any

from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.conditions import Conditions
from app.api.deps import GendanDep
from app.api.documents.negotiate import document_response
from app.api.fields import Sku
from app.api.permissions import (
    AcceptPackingDifferences,
    CloseCorrectiveActions,
    DecideSwitching,
    GrantQualityConcessions,
    IssuePackingLists,
    ReadQuality,
    RecordIncomingInspections,
    RecordInspections,
    SetQuantityTolerances,
    actor,
)
from app.api.routes.order_common import RESPONSES, answer
from app.api.schemas.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES
from app.api.schemas.quality import (
    AQL,
    ActionClosureIn,
    ConcessionIn,
    DifferenceAcceptanceIn,
    Factory,
    InspectionAnswer,
    InspectionIn,
    InspectionPublic,
    Level,
    MAX_LOT,
    OrderStatePublic,
    PackingListIn,
    PackingListPublic,
    PoInspectionIn,
    PurchaseOrderVersionPublic,
    SamplingPlanPublic,
    Severity,
    SwitchingDecisionIn,
    SwitchingPublic,
    ToleranceIn,
)
from app.domain.errors import InvalidValue

router = APIRouter(prefix="/v1", tags=["quality"])

Id = Annotated[str, Path(min_length=1, max_length=100)]
READ_RESPONSES = {code: PROBLEM_RESPONSES[code] for code in (401, 403, 404, 422)}


def _documents() -> dict[int | str, dict[str, Any]]:
    """A document's answers: the view as JSON (the route's response model),
    the same as CSV or PDF, or 406 when the caller accepts none of them."""
    return {
        **READ_RESPONSES,
        200: {"description": "As JSON, CSV or PDF, by Accept", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        }},
        406: {"description": "Accept names none of JSON, CSV and PDF (/problems/not-acceptable)",
              "content": {PROBLEM_MEDIA_TYPE: {
                  "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
    }


# ---- the sampling plan and the switching state ------------------------------------------


@router.get("/sampling-plan", operation_id="getSamplingPlan", responses=READ_RESPONSES)
def get_sampling_plan(
    gendan: GendanDep, principal: ReadQuality,
    lot: Annotated[int, Query(ge=2, le=MAX_LOT, description="Lot size")],
    aql: Annotated[str, Query(pattern=AQL, description="An AQL of the ISO 2859-1 series")],
    level: Annotated[Level, Query(description="Inspection level")] = "II",
    severity: Annotated[Severity, Query()] = "normal",
) -> SamplingPlanPublic:
    """The ISO 2859-1 single-sampling plan: Table 1's code letter for the
    lot and level, and the plan the severity's master table gives at the
    AQL (Tables 2-A, 2-B, 2-C), arrows followed to the letter they point to
    (`code_letter`, with that letter's sample size); 100 % inspection when
    the sample reaches the lot. An AQL outside the series → 422."""
    try:
        plan = gendan.quality.sampling_plan(lot, level, aql, severity)
    except InvalidValue as exc:  # named as the query parameter it came in
        raise InvalidValue(f"query.{exc.field}", exc.detail) from None
    return SamplingPlanPublic(**plan)


@router.get("/quality/switching", operation_id="getSwitchingState", responses=READ_RESPONSES)
def get_switching(
    gendan: GendanDep, principal: ReadQuality,
    factory: Annotated[Factory, Query(description="supplier:<id> or own:<name>")],
    product: Annotated[Sku, Query(description="The SKU or item")],
) -> SwitchingPublic:
    """A factory's switching state for a product (ISO 2859-1 clause 9):
    the severity its next lot is inspected at and why, the switching
    score, and whether inspection is discontinued."""
    return SwitchingPublic.from_view(gendan.quality.get_switching(factory, product))


@router.post("/quality/switching/decision", operation_id="decideSwitching", responses=RESPONSES)
def decide_switching(body: SwitchingDecisionIn, gendan: GendanDep, cond: Conditions,
                     principal: DecideSwitching, response: Response) -> SwitchingPublic:
    """A supervisor's decision (`SwitchingDecided`): `approve_reduced`
    (switching score 30 on normal inspection, production steady),
    `irregular` (reduced back to normal), `resume` (a discontinued
    inspection resumes at tightened). `If-Match` names the record's version."""
    return answer(response, gendan.quality.decide_switching(
        body.factory, body.product, body.decision, actor(principal), cond), SwitchingPublic)


# ---- inspections -----------------------------------------------------------------------


@router.post("/orders/{order_id}/inspections", status_code=201,
             operation_id="recordInspection", responses=RESPONSES)
def record_inspection(order_id: UUID, body: InspectionIn, gendan: GendanDep, cond: Conditions,
                      principal: RecordInspections, response: Response) -> InspectionAnswer:
    """Record an inspection of the order's goods (`InspectionRecorded`): the
    plan per defect class at the severity the factory's record gives, and
    the result (a class passes with defects ≤ Ac; the inspection when every
    class passes). A failed one opens corrective actions; a passed final
    inspection moves the order to `inspected` (G11). The order's first
    final inspection moves the factory's switching state; while it is
    discontinued, 409."""
    return answer(response, gendan.quality.record_order_inspection(
        order_id, stage=body.stage, **body.as_domain(), factory_id=body.factory_id,
        product=body.product, actor=actor(principal), cond=cond), InspectionAnswer, status=201)


@router.post("/purchase-orders/{purchase_order_id}/inspections", status_code=201,
             operation_id="recordIncomingInspection", responses=RESPONSES)
def record_incoming_inspection(purchase_order_id: UUID, body: PoInspectionIn,
                               gendan: GendanDep, cond: Conditions,
                               principal: RecordIncomingInspections,
                               response: Response) -> InspectionAnswer:
    """Record an incoming inspection of the PO's delivery (stage
    `incoming`): a failed lot is rejected on the receipt named (its
    accepted quantities come off the PO's received figures, `rejected`)
    and opens corrective actions for the supplier."""
    return answer(response, gendan.quality.record_po_inspection(
        purchase_order_id, **body.as_domain(), receipt_id=body.receipt_id,
        actor=actor(principal), cond=cond), InspectionAnswer, status=201)


@router.get("/orders/{order_id}/inspections/{inspection_id}", operation_id="getInspection",
            response_model=InspectionPublic, responses=_documents())
def get_inspection(order_id: UUID, inspection_id: Id, request: Request, gendan: GendanDep,
                   principal: ReadQuality) -> Response:
    """The inspection report: plans, defects, findings, corrective actions
    and any concession; JSON, CSV or PDF by `Accept`."""
    view = gendan.quality.get_inspection(order_id, inspection_id)
    return document_response(request, view, "inspection", InspectionPublic)


@router.post("/orders/{order_id}/inspections/{inspection_id}/corrective-actions/{action_id}"
             "/closure", operation_id="closeCorrectiveAction", responses=RESPONSES)
def close_corrective_action(order_id: UUID, inspection_id: Id, action_id: Id,
                            body: ActionClosureIn, gendan: GendanDep, cond: Conditions,
                            principal: CloseCorrectiveActions,
                            response: Response) -> OrderStatePublic:
    """Close a corrective action with its evidence (`CorrectiveActionClosed`:
    the factory's signed report of the measures taken)."""
    return answer(response, gendan.quality.close_corrective_action(
        order_id, inspection_id, action_id, body.evidence_ref, actor(principal), cond),
        OrderStatePublic)


@router.post("/purchase-orders/{purchase_order_id}/inspections/{inspection_id}"
             "/corrective-actions/{action_id}/closure",
             operation_id="closeSupplierCorrectiveAction", responses=RESPONSES)
def close_supplier_corrective_action(purchase_order_id: UUID, inspection_id: Id, action_id: Id,
                                     body: ActionClosureIn, gendan: GendanDep,
                                     cond: Conditions, principal: RecordIncomingInspections,
                                     response: Response) -> PurchaseOrderVersionPublic:
    """Close a corrective action a failed incoming inspection opened for
    the supplier, with its evidence (`CorrectiveActionClosed` on the PO)."""
    return answer(response, gendan.quality.close_po_corrective_action(
        purchase_order_id, inspection_id, action_id, body.evidence_ref, actor(principal), cond),
        PurchaseOrderVersionPublic)


@router.post("/orders/{order_id}/inspections/{inspection_id}/concession",
             operation_id="grantQualityConcession", responses=RESPONSES)
def grant_concession(order_id: UUID, inspection_id: Id, body: ConcessionIn,
                     gendan: GendanDep, cond: Conditions, principal: GrantQualityConcessions,
                     response: Response) -> OrderStatePublic:
    """G11: a manager lets the defects of the latest, failed final
    inspection ship, with the customer's acceptance as evidence
    (`QualityConcessionGranted`); the order moves to `inspected`."""
    return answer(response, gendan.quality.grant_concession(
        order_id, inspection_id, body.reason, body.evidence_ref, actor(principal), cond),
        OrderStatePublic)


# ---- packing ---------------------------------------------------------------------------


@router.put("/orders/{order_id}/quantity-tolerance", operation_id="setQuantityTolerance",
            responses=RESPONSES)
def set_quantity_tolerance(order_id: UUID, body: ToleranceIn, gendan: GendanDep,
                           cond: Conditions, principal: SetQuantityTolerances,
                           response: Response) -> OrderStatePublic:
    """How far each line, colour and size may be packed over or short of
    the order without a supervisor's acceptance (G12), in percent
    (`QuantityToleranceSet`; default 0). A later packing list is checked
    against it."""
    return answer(response, gendan.quality.set_quantity_tolerance(
        order_id, body.quantity_tolerance_percent, actor(principal), cond), OrderStatePublic)


@router.put("/orders/{order_id}/packing-list", operation_id="issuePackingList",
            responses=RESPONSES)
def issue_packing_list(order_id: UUID, body: PackingListIn, gendan: GendanDep,
                       cond: Conditions, principal: IssuePackingLists,
                       response: Response) -> PackingListPublic:
    """Issue the packing list (`PackingListIssued`, a new revision each
    time): carton ranges and their totals, checked line, colour and size
    against the production notice's breakdown and the cut quantities; the
    answer lists the differences. On an `inspected` order it moves to
    `ready_to_ship`."""
    return answer(response, gendan.quality.issue_packing_list(
        order_id, [c.model_dump() for c in body.cartons], actor(principal), cond),
        PackingListPublic)


@router.get("/orders/{order_id}/packing-list", operation_id="getPackingList",
            response_model=PackingListPublic, responses=_documents())
def get_packing_list(order_id: UUID, request: Request, gendan: GendanDep,
                     principal: ReadQuality) -> Response:
    """The latest packing list: cartons, totals per line, colour and size,
    weights and volume, and the differences from the order; JSON, CSV or
    PDF by `Accept`."""
    view = gendan.quality.get_packing_list(order_id)
    answered = document_response(request, view, "packing_list", PackingListPublic)
    answered.headers["ETag"] = f'"{view["version"]}"'
    return answered


@router.post("/orders/{order_id}/packing-list/difference-acceptance",
             operation_id="acceptPackingDifference", responses=RESPONSES)
def accept_packing_difference(order_id: UUID, body: DifferenceAcceptanceIn,
                              gendan: GendanDep, cond: Conditions,
                              principal: AcceptPackingDifferences,
                              response: Response) -> PackingListPublic:
    """G12: a supervisor accepts the packing list's differences beyond the
    tolerance, with the customer's agreement as evidence
    (`PackingDifferenceAccepted`)."""
    return answer(response, gendan.quality.accept_packing_difference(
        order_id, body.reason, body.evidence_ref, actor(principal), cond), PackingListPublic)
