"""Requests for quotation (RFQ) and the quotes suppliers send back (G8).

A new material or accessory is bought only after at least three suppliers
quoted for it (Plan 5 purchaser #4). The RFQ keeps every quote as received;
the comparison ranks them by landed unit price in one currency and by lead
time, and a supervisor awards the RFQ to one quote.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from app.domain.errors import InvalidState, InvalidValue, NotFound
from app.domain.values import Actor, parse_currency, parse_decimal

# How many quotes from different suppliers G8 asks for.
MIN_QUOTES = 3
# Unit prices of materials and accessories often go below the currency's
# minor unit (0.0125 USD a button): up to 6 places.
UNIT_PRICE_PLACES = 6


def item_key(item: str) -> str:
    """The identity of a material across RFQs and POs: case and spacing do
    not make a new item ("YKK #5 zip" and "ykk  #5 Zip" are one)."""
    return " ".join(item.split()).casefold()


def parse_unit_price(value: Any, field: str) -> Decimal:
    price = parse_decimal(value, field)
    if price < 0:
        raise InvalidValue(field, "must not be negative")
    if price.as_tuple().exponent < -UNIT_PRICE_PLACES:  # type: ignore[operator]
        raise InvalidValue(field, f"at most {UNIT_PRICE_PLACES} decimal places")
    return price


def parse_quantity(value: Any, field: str) -> Decimal:
    quantity = parse_decimal(value, field)
    if quantity <= 0:
        raise InvalidValue(field, "must be greater than zero")
    if quantity.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidValue(field, "at most 4 decimal places")
    return quantity


class Rfq(Aggregate):
    class Event(Aggregate.Event):
        actor_sub: str
        actor_role: str

    class QuoteRequested(Event, Aggregate.Created):
        item: str
        item_key: str
        quantity: Decimal
        unit: str
        spec: str | None
        required_by: date
        order_id: UUID | None

    def __init__(self, item: str, item_key: str, quantity: Decimal, unit: str,
                 spec: str | None, required_by: date, order_id: UUID | None,
                 actor_sub: str, actor_role: str):
        self.item = item
        self.item_key = item_key
        self.quantity = quantity
        self.unit = unit
        self.spec = spec
        self.required_by = required_by
        self.order_id = order_id
        self.requested_by = actor_sub
        self.quotes: dict[str, dict[str, Any]] = {}
        self.awarded: dict[str, Any] | None = None

    @classmethod
    def request(cls, item: str, quantity: Any, unit: str, spec: str | None,
                required_by: date, order_id: UUID | None, actor: Actor) -> Rfq:
        if not item.strip():
            raise InvalidValue("item", "must not be blank")
        if not unit.strip():
            raise InvalidValue("unit", "must not be blank")
        return cls._create(
            cls.QuoteRequested, id=uuid4(), item=" ".join(item.split()),
            item_key=item_key(item), quantity=parse_quantity(quantity, "quantity"),
            unit=unit.strip(), spec=spec, required_by=required_by, order_id=order_id,
            actor_sub=actor.sub, actor_role=actor.role,
        )

    class SupplierQuoteReceived(Event):
        quote_id: str
        supplier_id: UUID
        supplier_name: str
        unit_price: Decimal
        currency: str
        landed_cost_per_unit: Decimal
        lead_time_days: int
        moq: Decimal | None
        valid_until: date | None

        def apply(self, rfq: Rfq) -> None:
            rfq.quotes[self.quote_id] = {
                "quote_id": self.quote_id, "supplier_id": self.supplier_id,
                "supplier_name": self.supplier_name, "unit_price": self.unit_price,
                "currency": self.currency, "landed_cost_per_unit": self.landed_cost_per_unit,
                "lead_time_days": self.lead_time_days, "moq": self.moq,
                "valid_until": self.valid_until, "received_at": self.timestamp,
            }

    def record_quote(self, supplier_id: UUID, supplier_name: str, unit_price: Any,
                     currency: str, landed_cost_per_unit: Any, lead_time_days: int,
                     moq: Any, valid_until: date | None, actor: Actor) -> str:
        if self.awarded is not None:
            raise InvalidState("The RFQ is already awarded: no more quotes")
        if lead_time_days < 0:
            raise InvalidValue("lead_time_days", "must not be negative")
        quote_id = str(uuid4())
        self.trigger_event(
            self.SupplierQuoteReceived, quote_id=quote_id, supplier_id=supplier_id,
            supplier_name=supplier_name, unit_price=parse_unit_price(unit_price, "unit_price"),
            currency=parse_currency(currency),
            landed_cost_per_unit=parse_unit_price(landed_cost_per_unit or 0,
                                                  "landed_cost_per_unit"),
            lead_time_days=lead_time_days,
            moq=None if moq is None else parse_quantity(moq, "moq"),
            valid_until=valid_until, actor_sub=actor.sub, actor_role=actor.role,
        )
        return quote_id

    class RfqAwarded(Event):
        quote_id: str
        supplier_id: UUID
        reason: str | None

        def apply(self, rfq: Rfq) -> None:
            rfq.awarded = {"quote_id": self.quote_id, "supplier_id": self.supplier_id,
                           "reason": self.reason, "awarded_at": self.timestamp,
                           "awarded_by": self.actor_sub}

    def award(self, quote_id: str, reason: str | None, actor: Actor) -> None:
        if self.awarded is not None:
            raise InvalidState(f"The RFQ is already awarded to quote {self.awarded['quote_id']}")
        quote = self.quotes.get(quote_id)
        if quote is None:
            raise NotFound(f"Quote {quote_id} is not part of this RFQ")
        self.trigger_event(self.RfqAwarded, quote_id=quote_id, supplier_id=quote["supplier_id"],
                           reason=reason, actor_sub=actor.sub, actor_role=actor.role)

    # ---- what G8 asks of an RFQ ----------------------------------------------
    @property
    def supplier_count(self) -> int:
        return len({q["supplier_id"] for q in self.quotes.values()})

    def covers(self, key: str) -> bool:
        """Awarded, for this item, with quotes from enough different suppliers."""
        return (self.awarded is not None and self.item_key == key
                and self.supplier_count >= MIN_QUOTES)


def compare(quotes: list[dict[str, Any]], currency: str | None,
            rates: dict[str, Decimal], today: date) -> list[dict[str, Any]]:
    """The quotes with their landed unit price in ``currency`` (unit price +
    landed cost per unit, times the rate into ``currency``), ranked by that
    price and, independently, by lead time. A quote in a currency without a
    rate keeps ``landed_unit_price`` None and ranks after the others."""
    rows = []
    for quote in quotes:
        landed = quote["unit_price"] + quote["landed_cost_per_unit"]
        if currency is None or quote["currency"] == currency:
            converted: Decimal | None = landed
        elif quote["currency"] in rates:
            converted = (landed * rates[quote["currency"]]).quantize(
                Decimal(1).scaleb(-UNIT_PRICE_PLACES))
        else:
            converted = None
        valid = quote["valid_until"] is None or quote["valid_until"] >= today
        rows.append({**quote, "landed_unit_price": converted, "expired": not valid})
    by_price = sorted(rows, key=lambda r: (r["landed_unit_price"] is None,
                                           r["landed_unit_price"] or 0, r["lead_time_days"]))
    for rank, row in enumerate(by_price, start=1):
        row["price_rank"] = rank if row["landed_unit_price"] is not None else None
    for rank, row in enumerate(sorted(rows, key=lambda r: (r["lead_time_days"],
                                                           r["landed_unit_price"] is None,
                                                           r["landed_unit_price"] or 0)),
                               start=1):
        row["lead_time_rank"] = rank
    return by_price
