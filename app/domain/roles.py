"""The roles of SPEC.md §2 and the sets of them that the rules name.

Defined once, here in the domain: the gates check the role half of a rule
with these sets (a manager confirms, a supervisor reviews), and the API's
permission table reuses them at its door, so the two cannot drift apart.
"""

from __future__ import annotations

MANAGER = "manager"
SUPERVISOR = "supervisor"
ACCOUNTANT = "accountant"
PURCHASER = "purchaser"
MERCHANDISER = "merchandiser"
QC = "qc"
SUPPLIER = "supplier"
BI = "bi"

# Every role a token may carry, in the order SPEC.md §2 lists them.
ROLES: tuple[str, ...] = (MANAGER, SUPERVISOR, ACCOUNTANT, PURCHASER, MERCHANDISER, QC,
                          SUPPLIER, BI)
# The company's own people: not a supplier's portal, not a BI tool.
STAFF: tuple[str, ...] = tuple(r for r in ROLES if r not in (SUPPLIER, BI))
# "manager: everything a supervisor may" (§2): wherever a supervisor may act,
# so may a manager (review a PO, G7; waive the three quotes, G8).
SUPERVISORS: tuple[str, ...] = (SUPERVISOR, MANAGER)
# The manager alone: confirm orders (G1), approve a low margin (G2), approve
# a shipment without balance (G4).
MANAGERS: tuple[str, ...] = (MANAGER,)


def spoken(roles: tuple[str, ...]) -> str:
    """("supervisor", "manager") -> "a supervisor or manager", for messages."""
    return "a " + " or ".join(roles)
