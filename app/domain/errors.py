"""Domain errors. The API maps each class to one RFC 9457 problem type."""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses. ``detail`` is written for the user."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class GateViolation(DomainError):
    """A hard rule of SPEC.md §3 (G1..G10): answered 409 with ``rule``."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule = rule


class InvalidState(DomainError):
    """The command does not fit the order's current state (409, no gate)."""


class InvalidValue(DomainError):
    """A value the schema accepts but the domain does not (422), e.g. an
    unknown currency, a payment in another currency than the order's."""

    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field = field


class NotFound(DomainError):
    """An unknown id (404)."""


class Conflict(DomainError):
    """A uniqueness conflict, e.g. a second order with the same reference (409)."""


class RoleRefused(DomainError):
    """The role half of a gate: this role may not run the command, e.g. G1's
    "a manager confirms" (``rule``). The HTTP routes already refuse such a
    role at the door (403); the aggregate checks it too so that a caller
    that is not HTTP cannot skip the rule. Answered 403 like the door's."""

    def __init__(self, rule: str, role: str, allowed: tuple[str, ...], detail: str):
        super().__init__(detail)
        self.rule = rule
        self.role = role
        self.allowed = allowed
