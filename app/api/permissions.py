"""Who may do what: SPEC.md §2 as one table.

The role sets are defined once, each named for what it is; every act of the
HTTP API names the set that may do it, and a route declares its act as the
type of its ``principal`` (``principal: ConfirmOrders``). A role outside
the set answers 403 before anything runs.

This is the door. The role half of a gate (a manager confirms, a supervisor
reviews a PO, a supervisor or manager waives) is also checked by the domain
where the rule lives (app/domain/gates.py), so a caller that is not HTTP
cannot skip it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from app.api.auth import Principal, get_principal, require_roles, role_check
from app.application.feed import withhold_evidence
from app.domain.roles import BI, MANAGERS, STAFF, SUPERVISORS
from app.domain.values import Actor

# ---- role sets (SPEC.md §2) -----------------------------------------------------
# The domain defines the sets its rules name (MANAGERS confirm, SUPERVISORS
# review and waive, STAFF: the company's own people); the API's own are here.
ACCOUNTANT = ("accountant",)
PURCHASER = ("purchaser",)
SUPPLIER = ("supplier",)
# The staff who answer for money: the manager, the supervisor and the accountant.
MONEY_STAFF = ("manager", "accountant", "supervisor")
# Sales: the merchandiser (業務員) opens and follows orders, with supervisors.
SALES = ("merchandiser", "supervisor", "manager")
# Sourcing staff: the purchaser, with supervisors (who may waive G8).
SOURCING = ("purchaser", "supervisor", "manager")
# Who receives goods: the purchaser and QC (incoming inspection).
RECEIVERS = ("purchaser", "qc")
# Who costs an order (rough and detailed analyses): the merchandiser (Plan 5
# form 4: the salesperson analyses the costs of an inquiry), supervisors, and
# the accountant.
COSTING = ("merchandiser", "supervisor", "manager", "accountant")
# Who compares quotes: sourcing staff and the accountant.
QUOTE_READERS = ("purchaser", "supervisor", "manager", "accountant")
# Who reports a milestone done: who follows the order, and QC (its inspections).
MILESTONE_REPORTERS = ("merchandiser", "qc", "supervisor", "manager")
# Who reports the day's progress from the floor: the merchandiser and QC.
FLOOR = ("merchandiser", "qc")
# Who inspects an order's goods (and closes the corrective actions an
# inspection opened): QC and the merchandiser who follows the order, with
# supervisors (issue 12).
INSPECTORS = ("qc", "merchandiser", "supervisor", "manager")
# Who inspects a PO's delivery (incoming): QC and the purchaser who received
# it (SPEC.md §2: the purchaser's incoming inspection), with supervisors.
INCOMING_INSPECTORS = ("qc", "purchaser", "supervisor", "manager")


def _may(roles: tuple[str, ...]) -> type[Principal]:
    return Annotated[Principal, Depends(require_roles(*roles))]  # type: ignore[return-value]


def _read_model(staff: tuple[str, ...]) -> type[Principal]:
    """A read of a projection or of the event feed: these staff, and bi.

    SPEC.md §2, bi: "read projections and the event feed, nothing else". So
    bi is in these acts and in no other: not in the reads of one aggregate
    from the event store (an order, a customer, a supplier, a PO and its
    evidence, an RFQ). What bi reads of signed evidence is its digest
    (``as_seen_by``)."""
    return _may((*staff, BI))


def as_seen_by(principal: Principal, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events of the feed or the audit trail as this caller may read them:
    signatures, signature bases and signed bodies are for staff; bi reads
    that evidence exists and its digest (``withhold_evidence``)."""
    if principal.role in STAFF:
        return events
    return [withhold_evidence(event) for event in events]


_read_audit = role_check(*MONEY_STAFF, BI)
_read_order_file = role_check(*STAFF, BI)


async def _audit_reader(request: Request,
                  principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The audit trail filtered by ``order_id`` is one order's file (Plan 5
    form 11, "資料FILE"): every staff role reads it. Unfiltered, it stays
    with the staff who answer for money (and bi)."""
    if request.query_params.get("order_id"):
        return _read_order_file(principal)
    return _read_audit(principal)


# ---- each act of the API and the role set that may do it --------------------------
# customers and orders
ReadOrders = _may(STAFF)
RegisterCustomers = _may(SUPERVISORS)
CreateOrders = _may(SALES)
RequestSamples = _may(SALES)
RecordCustomerAnswers = _may(SUPERVISORS)  # sample decisions, signed-back PIs
IssueProformaInvoices = _may(SUPERVISORS)
AmendPaymentTerms = _may(SUPERVISORS)
AnalyseCosts = _may(COSTING)
ApproveMargins = _may(MANAGERS)  # G2
ConfirmOrders = _may(MANAGERS)  # G1
CancelOrders = _may(SUPERVISORS)
ReassignOrders = _may(SUPERVISORS)  # the owner: who follows the order
RecordPayments = _may(ACCOUNTANT)
ReleaseProduction = _may(SUPERVISORS)
ApproveShipmentWithoutBalance = _may(MANAGERS)  # G4
RecordLettersOfCredit = _may(MONEY_STAFF)  # G4: the credit that secures an L/C balance
RecordShipments = _may(SOURCING)  # booking and documents: the purchaser
CloseOrders = _may(SOURCING)  # the purchaser files finished orders (Plan 5 purchaser #17)

# production follow-up (issue 11): the merchandiser's day, with supervisors
DraftProductionNotices = _may(SALES)  # frozen by ReleaseProduction
PlanProduction = _may(SALES)
CompleteMilestones = _may(MILESTONE_REPORTERS)
ReportProgress = _may(FLOOR)
ReportDelays = _may(SALES)
RecordDelayConsents = _may(SALES)  # G6: the customer's word, with evidence
RequestChanges = _may(SALES)
DecideChanges = _may(SUPERVISORS)  # G9: a partly produced order's change
ReadProductionTemplates = _may(STAFF)

# quality and packing (issue 12)
RecordInspections = _may(INSPECTORS)
RecordIncomingInspections = _may(INCOMING_INSPECTORS)
CloseCorrectiveActions = _may(INSPECTORS)  # with the factory's or supplier's evidence
GrantQualityConcessions = _may(MANAGERS)  # G11: the customer's acceptance of the defects
DecideSwitching = _may(SUPERVISORS)  # ISO 2859-1 clause 9: reduced, irregular, resume
SetQuantityTolerances = _may(SALES)  # G12: how far a packing list may differ
IssuePackingLists = _may(SALES)
AcceptPackingDifferences = _may(SUPERVISORS)  # G12: the customer's agreement
ReadQuality = _may(STAFF)  # inspection reports, packing lists, switching, sampling plans

# suppliers, RFQs, purchase orders
ReadSourcing = _may(STAFF)
RegisterSuppliers = _may(SOURCING)
ManageSupplierKeys = _may(SUPERVISORS)
RequestQuotes = _may(PURCHASER)  # G8: three quotes
RecordQuotes = _may(PURCHASER)
ReadQuotes = _may(QUOTE_READERS)
AwardQuotes = _may(SUPERVISORS)
DraftPurchaseOrders = _may(SOURCING)  # supervisors' drafts may carry a G8 waiver
ReviewPurchaseOrders = _may(SUPERVISORS)  # G7
SendPurchaseOrders = _may(PURCHASER)
AmendPurchaseOrders = _may(PURCHASER)
AnswerCounterProposals = _may(PURCHASER)
CancelPurchaseOrders = _may(SUPERVISORS)
ReceiveMaterials = _may(RECEIVERS)
RecordSupplierInvoices = _may(ACCOUNTANT)
PaySuppliers = _may(ACCOUNTANT)

# the supplier portal: its own POs only (checked by the use case)
ActAsSupplier = _may(SUPPLIER)

# read models and the event feed: bi reads each of them, and nothing else
ReadBoards = _read_model(STAFF)  # the order and PO boards, suppliers, performance
ReadMoney = _read_model(MONEY_STAFF)  # finance, payables
ReadAudit = Annotated[Principal, Depends(_audit_reader)]
ReadFeed = _read_model(MANAGERS)  # the manager spot-checks everything
# One order's production follow-up: issue 11's table opens it to bi too.
ReadProduction = _read_model(STAFF)


def actor(principal: Principal) -> Actor:
    """Who the domain records as having acted (SPEC.md §2: every command)."""
    return Actor(principal.sub, principal.role)
