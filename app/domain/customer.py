"""A customer of the trading company, with the region its country lies in
(the region decides rules such as G3's "no D/P for Africa")."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from app.domain import reference
from app.domain.values import Actor, parse_country


class Customer(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class CustomerRegistered(Event, Aggregate.Created):
        name: str
        country: str
        region: str

    def __init__(self, name: str, country: str, region: str, actor_sub: str, actor_role: str):
        self.name = name
        self.country = country
        self.region = region
        self.registered_by = actor_sub

    @classmethod
    def register(cls, name: str, country: str, actor: Actor) -> Customer:
        country = parse_country(country)
        region = reference.region_of(country)
        assert region is not None  # parse_country checked it
        return cls._create(
            cls.CustomerRegistered,
            name=name.strip(),
            country=country,
            region=region,
            actor_sub=actor.sub,
            actor_role=actor.role,
        )
