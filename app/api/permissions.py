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

from typing import Annotated

from fastapi import Depends

from app.api.auth import Principal, require_roles
from app.domain.roles import MANAGERS, ROLES, STAFF, SUPERVISORS
from app.domain.values import Actor

# ---- role sets (SPEC.md §2) -----------------------------------------------------
# The domain defines the sets its rules name (MANAGERS confirm, SUPERVISORS
# review and waive, STAFF: the company's own people); the API's own are here.
ACCOUNTANT = ("accountant",)
PURCHASER = ("purchaser",)
SUPPLIER = ("supplier",)
# The staff and BI tools (read-only).
STAFF_AND_BI = (*STAFF, "bi")
# Who answers for money: the managers, the accountant, and BI reading it.
MONEY_READERS = ("manager", "accountant", "supervisor", "bi")
# The raw event feed: BI tools and the manager who spot-checks everything.
FEED_READERS = ("bi", "manager")
# Sales: the merchandiser (業務員) opens and follows orders, with supervisors.
SALES = ("merchandiser", "supervisor", "manager")
# Sourcing staff: the purchaser, with supervisors (who may waive G8).
SOURCING = ("purchaser", "supervisor", "manager")
# Who receives goods: the purchaser and QC (incoming inspection).
RECEIVERS = ("purchaser", "qc")
# Who costs an order: supervisors and the accountant (rough and detailed analyses).
COSTING = ("supervisor", "manager", "accountant")
# Who compares quotes: sourcing staff and the accountant.
QUOTE_READERS = ("purchaser", "supervisor", "manager", "accountant")
assert set(STAFF_AND_BI) <= set(ROLES)


def _may(roles: tuple[str, ...]) -> type[Principal]:
    return Annotated[Principal, Depends(require_roles(*roles))]  # type: ignore[return-value]


# ---- each act of the API and the role set that may do it --------------------------
# customers and orders
ReadOrders = _may(STAFF_AND_BI)
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
RecordPayments = _may(ACCOUNTANT)
ReleaseProduction = _may(SUPERVISORS)
ApproveShipmentWithoutBalance = _may(MANAGERS)  # G4
RecordShipments = _may(SOURCING)  # booking and documents: the purchaser
CloseOrders = _may(SUPERVISORS)

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

# read models
ReadBoards = _may(STAFF_AND_BI)
ReadMoney = _may(MONEY_READERS)  # finance, payables
ReadAudit = _may(MONEY_READERS)
ReadFeed = _may(FEED_READERS)


def actor(principal: Principal) -> Actor:
    """Who the domain records as having acted (SPEC.md §2: every command)."""
    return Actor(principal.sub, principal.role)
