"""A factory's quality record for one product: the ISO 2859-1 switching
state (normal, tightened, reduced, discontinued) that its lots' results
move (clause 9), across every order and PO it makes.

A factory is a registered supplier (``supplier:<id>``) or the company's
own workshop (``own:<name>``); the record's id derives from the factory
and the product, so the first lot opens it and concurrent lots of the same
factory and product meet on one aggregate (a version conflict, retried).
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from app.domain import quality
from app.domain.errors import InvalidState
from app.domain.values import Actor

_NS = uuid5(NAMESPACE_URL, "https://gendan/quality-records")


def factory_key(supplier_id: Any = None, own_name: str | None = None) -> str:
    if supplier_id is not None:
        return f"supplier:{supplier_id}"
    return f"own:{(own_name or 'own workshop').strip().casefold()}"


def record_id(factory: str, product: str) -> UUID:
    return uuid5(_NS, f"{factory}|{product.strip().casefold()}")


class QualityRecord(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class RecordOpened(Event, Aggregate.Created):
        factory: str
        product: str

    def __init__(self, *, factory: str, product: str, actor_sub: str, actor_role: str):
        self.factory = factory
        self.product = product
        self.state = quality.new_record()
        self.reason = "normal inspection at the start"

    @classmethod
    def open(cls, factory: str, product: str, actor: Actor) -> QualityRecord:
        return cls._create(cls.RecordOpened, id=record_id(factory, product), factory=factory,
                           product=product.strip(), actor_sub=actor.sub,
                           actor_role=actor.role)

    @property
    def severity(self) -> str:
        return self.state["severity"]

    def require_open(self) -> None:
        """Further inspections are refused while inspection is discontinued."""
        if self.state["discontinued"]:
            raise InvalidState(
                f"Inspection of {self.factory} for {self.product} is discontinued (5 lots not "
                "accepted on tightened inspection) until a supervisor resumes it")

    class LotJudged(Event):
        inspection_id: str
        subject_id: str  # the order or the PO inspected
        stage: str
        result: str
        severity_used: str
        state: dict[str, Any]
        reason: str

        def apply(self, record: QualityRecord) -> None:
            record.state, record.reason = self.state, self.reason

    def judge_lot(self, inspection_id: str, subject_id: str,
                  inspection: dict[str, Any], actor: Actor) -> None:
        state, reason = quality.switch(self.state, inspection)
        self.trigger_event(self.LotJudged, actor_sub=actor.sub, actor_role=actor.role,
                           inspection_id=inspection_id, subject_id=subject_id,
                           stage=inspection["stage"], result=inspection["result"],
                           severity_used=inspection["severity"], state=state, reason=reason)

    class SwitchingDecided(Event):
        decision: str
        state: dict[str, Any]
        reason: str

        def apply(self, record: QualityRecord) -> None:
            record.state, record.reason = self.state, self.reason

    def decide(self, decision: str, actor: Actor) -> None:
        state, reason = quality.decide(self.state, decision)
        self.trigger_event(self.SwitchingDecided, actor_sub=actor.sub, actor_role=actor.role,
                           decision=decision, state=state, reason=reason)
