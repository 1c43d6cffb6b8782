"""Production follow-up (issue 11), the merchandiser's day: the production
notice, the time-and-action plan worked backward from the ex-factory date,
milestones, daily progress, delays and the customer's consent to a later
date (G6), and order changes decided by how far production has gone (G9).

The conventions of ``orders``: plain ``def``, one use case
(``gendan.production.<command>``), ``Idempotency-Key`` and ``If-Match``;
each command answers the order's production view with ``ETag`` and
``position``. The production release stays with the order's commands
(``order_money``): it approves and freezes the notice.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from app.api.conditions import Conditions
from app.api.deps import GendanDep
from app.api.permissions import (
    CompleteMilestones,
    DecideChanges,
    DraftProductionNotices,
    PlanProduction,
    ReadProduction,
    ReadProductionTemplates,
    RecordDelayConsents,
    ReportDelays,
    ReportProgress,
    RequestChanges,
    actor,
)
from app.api.routes.order_common import RESPONSES, answer
from app.api.schemas.production import (
    MILESTONE_CODE,
    ChangeAnswer,
    ChangeDecisionIn,
    ChangeIn,
    DelayAnswer,
    DelayConsentIn,
    DelayIn,
    MilestoneCompletionIn,
    ProductionNoticeIn,
    ProductionPlanIn,
    ProductionPublic,
    ProgressIn,
    TemplatesPublic,
)
from app.api.schemas.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1", tags=["production"])

MilestoneCodePath = Annotated[str, Path(pattern=MILESTONE_CODE)]


@router.get("/production-templates", operation_id="listProductionTemplates",
            responses={code: PROBLEM_RESPONSES[code] for code in (401, 403)})
def list_templates(gendan: GendanDep, principal: ReadProductionTemplates) -> TemplatesPublic:
    """The built-in time-and-action templates: each milestone with its code,
    name, owner role and `lead_days` (the working days it needs after the
    milestone before it)."""
    return TemplatesPublic(data=gendan.production.templates())


@router.get("/orders/{order_id}/production", operation_id="getProduction",
            responses=RESPONSES)
def get_production(order_id: UUID, gendan: GendanDep, principal: ReadProduction,
                   response: Response) -> ProductionPublic:
    """The order's production follow-up: the notice, the plan (every
    milestone planned, forecast and done), the progress series against the
    plan, delays, consents and changes."""
    view = gendan.production.get_production(order_id)
    response.headers["ETag"] = f'"{view["version"]}"'
    return ProductionPublic.from_view(view)


@router.put("/orders/{order_id}/production-notice", operation_id="draftProductionNotice",
            responses=RESPONSES)
def draft_production_notice(order_id: UUID, body: ProductionNoticeIn, gendan: GendanDep,
                            cond: Conditions, principal: DraftProductionNotices,
                            response: Response) -> ProductionPublic:
    """Draft the production notice (生產通知單, `ProductionNoticeDrafted`):
    the factory, the customer's requirements, each line broken down by
    colour and size (summing to the line's quantity, else 422) and the
    accessories. A new draft replaces the last; the production release
    freezes it (409 after)."""
    return answer(response, gendan.production.draft_production_notice(
        order_id, body.factory.as_domain(), body.requirements.model_dump(),
        [row.as_domain() for row in body.breakdown],
        [item.as_domain() for item in body.accessories], actor(principal), cond),
        ProductionPublic)


@router.post("/orders/{order_id}/production-plan", status_code=201,
             operation_id="planProduction", responses=RESPONSES)
def plan_production(order_id: UUID, body: ProductionPlanIn, gendan: GendanDep,
                    cond: Conditions, principal: PlanProduction,
                    response: Response) -> ProductionPublic:
    """Plan production (`ProductionPlanned`) from a template or explicit
    milestones, worked backward from the ex-factory date on the factory's
    working days: the last milestone on it (or the working day before),
    each `lead_days(next)` working days before the next. A first milestone
    before today is recorded infeasible with the working days it is short.
    Planning again makes a new revision."""
    milestones = None if body.milestones is None else [m.model_dump()
                                                        for m in body.milestones]
    calendar = None if body.calendar is None else body.calendar.as_domain()
    return answer(response, gendan.production.plan_production(
        order_id, body.template, milestones, body.daily_capacity, calendar,
        actor(principal), cond), ProductionPublic, status=201)


@router.post("/orders/{order_id}/milestones/{code}/completion",
             operation_id="completeMilestone", responses=RESPONSES)
def complete_milestone(order_id: UUID, code: MilestoneCodePath, body: MilestoneCompletionIn,
                       gendan: GendanDep, cond: Conditions, principal: CompleteMilestones,
                       response: Response) -> ProductionPublic:
    """Record a milestone done on its actual date (`MilestoneCompleted`):
    the milestones after it are re-projected from that date with the same
    leads, giving a forecast ex-factory date."""
    return answer(response, gendan.production.complete_milestone(
        order_id, code, body.on, body.evidence_ref, body.note, actor(principal), cond),
        ProductionPublic)


@router.post("/orders/{order_id}/progress", operation_id="reportProgress",
             responses=RESPONSES)
def report_progress(order_id: UUID, body: ProgressIn, gendan: GendanDep, cond: Conditions,
                    principal: ReportProgress, response: Response) -> ProductionPublic:
    """Report cumulative quantities as of a day (`ProgressReported`); behind
    the plan by more than the threshold raises `progress_behind_plan`,
    which asks for a cause until a delay is reported."""
    return answer(response, gendan.production.report_progress(
        order_id, body.on, *body.quantities(), [row.as_domain() for row in body.by_size],
        body.lines_running, body.note, actor(principal), cond), ProductionPublic)


@router.post("/orders/{order_id}/delays", operation_id="reportDelay", responses=RESPONSES)
def report_delay(order_id: UUID, body: DelayIn, gendan: GendanDep, cond: Conditions,
                 principal: ReportDelays, response: Response) -> DelayAnswer:
    """Report a delay with its cause, who is responsible, the days lost,
    the new forecast ex-factory date and the action taken (`DelayReported`)."""
    po = None if body.purchase_order_id is None else str(body.purchase_order_id)
    return answer(response, gendan.production.report_delay(
        order_id, body.cause, body.responsible, body.days, body.forecast_ex_factory,
        body.action, po, actor(principal), cond), DelayAnswer)


@router.post("/orders/{order_id}/delay-consent", operation_id="recordDelayConsent",
             responses=RESPONSES)
def record_delay_consent(order_id: UUID, body: DelayConsentIn, gendan: GendanDep,
                         cond: Conditions, principal: RecordDelayConsents,
                         response: Response) -> ProductionPublic:
    """Record the customer's consent to a later ex-factory date, with its
    evidence and any compensation agreed (`DelayConsented`): G6 lets the
    order ship up to that date."""
    compensation = None if body.compensation is None else body.compensation.as_domain()
    return answer(response, gendan.production.record_delay_consent(
        order_id, body.consented_date, body.evidence_ref, compensation, actor(principal),
        cond), ProductionPublic)


@router.post("/orders/{order_id}/changes", status_code=201, operation_id="requestChange",
             responses=RESPONSES)
def request_change(order_id: UUID, body: ChangeIn, gendan: GendanDep, cond: Conditions,
                   principal: RequestChanges, response: Response) -> ChangeAnswer:
    """Change the quantity, packaging, delivery date or price (G9): nothing
    produced, accepted at once (`ChangeAccepted`, a new PI revision to sign
    back); partly produced, pending a supervisor's decision
    (`ChangeRequested`); production finished, 409 G9."""
    return answer(response, gendan.production.request_change(
        order_id, body.kind, [line.as_domain() for line in body.lines], body.packaging,
        body.delivery_date, body.requested_by, body.reason, body.evidence_ref,
        actor(principal), cond), ChangeAnswer, status=201)


@router.post("/orders/{order_id}/changes/{change_id}/decision", operation_id="decideChange",
             responses=RESPONSES)
def decide_change(order_id: UUID, change_id: Annotated[str, Path(max_length=100)],
                  body: ChangeDecisionIn, gendan: GendanDep, cond: Conditions,
                  principal: DecideChanges, response: Response) -> ChangeAnswer:
    """A supervisor or manager decides a pending change (`ChangeAccepted`
    with what the customer bears, or `ChangeRejected`), with the evidence."""
    return answer(response, gendan.production.decide_change(
        order_id, change_id, body.decision,
        [cost.as_domain() for cost in body.customer_bears], body.evidence_ref,
        actor(principal), cond), ChangeAnswer)
