"""Suppliers and their signing keys, and requests for quotation (G8)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from app.api.conditions import Conditions, Keyed
from app.api.deps import GendanDep
from app.api.public_keys import parse_public_key, public_key_b64
from app.api.links import QUOTE_LINKS, RFQ_LINKS, SUPPLIER_LINKS
from app.api.permissions import (
    AwardQuotes,
    ManageSupplierKeys,
    ReadQuotes,
    ReadSourcing,
    RecordQuotes,
    RegisterSuppliers,
    RequestQuotes,
    actor,
)
from app.api.routes.order_common import RESPONSES, answer
from app.api.schemas.problems import CREATED
from app.api.schemas.rfqs import AwardIn, QuoteIn, RfqCreate, RfqPublic
from app.api.schemas.suppliers import SupplierCreate, SupplierKeyIn, SupplierPublic
from app.domain.errors import InvalidValue

router = APIRouter(prefix="/v1", tags=["sourcing"])


def _key(text: str, field: str) -> str:
    """Any accepted form (PEM, base64 raw) stored one way: base64 raw."""
    try:
        return public_key_b64(parse_public_key(text))
    except ValueError as exc:
        raise InvalidValue(field, str(exc)) from None


@router.post("/suppliers", status_code=201, operation_id="registerSupplier",
             responses={**RESPONSES, 201: {"links": SUPPLIER_LINKS, **CREATED}})
def register_supplier(body: SupplierCreate, gendan: GendanDep, keyed: Keyed,
                      principal: RegisterSuppliers, response: Response) -> SupplierPublic:
    """Register a supplier with the Ed25519 public keys its portal signs
    with (`SupplierRegistered`)."""
    keys = [{"keyid": k.keyid, "public_key": _key(k.public_key, f"keys.{n}.public_key")}
            for n, k in enumerate(body.keys)]
    result = gendan.suppliers.register_supplier(body.name, body.country, body.contact, keys,
                                                actor(principal), keyed)
    response.headers["Location"] = f"/v1/suppliers/{result.view['id']}"
    return answer(response, result, SupplierPublic, status=201)


@router.get("/suppliers/{supplier_id}", operation_id="getSupplier", responses=RESPONSES)
def get_supplier(supplier_id: UUID, gendan: GendanDep, principal: ReadSourcing,
                 response: Response) -> SupplierPublic:
    """A supplier with every key it ever had (revoked ones keep verifying old evidence)."""
    view = gendan.suppliers.get_supplier(supplier_id)
    response.headers["ETag"] = f'"{view["version"]}"'
    return SupplierPublic.from_view(view)


@router.post("/suppliers/{supplier_id}/keys", status_code=201, operation_id="addSupplierKey",
             responses=RESPONSES)
def add_supplier_key(supplier_id: UUID, body: SupplierKeyIn, gendan: GendanDep,
                     cond: Conditions, principal: ManageSupplierKeys,
                     response: Response) -> SupplierPublic:
    """Add a key (`SupplierKeyAdded`): several may be active, so a supplier
    rotates with an overlap. A keyid is never reused."""
    key = _key(body.public_key, "public_key")
    return answer(response, gendan.suppliers.add_supplier_key(
        supplier_id, body.keyid, key, actor(principal), cond), SupplierPublic, status=201)


@router.delete("/suppliers/{supplier_id}/keys/{keyid}", operation_id="revokeSupplierKey",
               responses=RESPONSES)
def revoke_supplier_key(
    supplier_id: UUID, keyid: str, gendan: GendanDep, cond: Conditions,
    principal: ManageSupplierKeys,
    response: Response,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> SupplierPublic:
    """Revoke a key (`SupplierKeyRevoked`): requests signed with it are
    refused from now on; what it signed before stays verifiable."""
    return answer(response, gendan.suppliers.revoke_supplier_key(
        supplier_id, keyid, reason, actor(principal), cond), SupplierPublic)


# ---- RFQs ---------------------------------------------------------------------------
@router.post("/rfqs", status_code=201, operation_id="requestQuotes",
             responses={**RESPONSES, 201: {"links": RFQ_LINKS, **CREATED}})
def request_quotes(body: RfqCreate, gendan: GendanDep, keyed: Keyed, principal: RequestQuotes,
                   response: Response) -> RfqPublic:
    """Ask suppliers to quote for an item (`QuoteRequested`)."""
    result = gendan.rfqs.request_quotes(
        item=body.item, quantity=Decimal(body.quantity), unit=body.unit, spec=body.spec,
        required_by=body.required_by, order_id=body.order_id, actor=actor(principal),
        cond=keyed)
    response.headers["Location"] = f"/v1/rfqs/{result.view['id']}"
    return answer(response, result, RfqPublic, status=201)


@router.post("/rfqs/{rfq_id}/quotes", status_code=201, operation_id="recordQuote",
             responses={**RESPONSES, 201: {"links": QUOTE_LINKS}})
def record_quote(rfq_id: UUID, body: QuoteIn, gendan: GendanDep, cond: Conditions,
                 principal: RecordQuotes, response: Response) -> RfqPublic:
    """Record a supplier's quote (`SupplierQuoteReceived`); the answer
    carries its `quote_id`."""
    result = gendan.rfqs.record_quote(
        rfq_id, supplier_id=body.supplier_id, unit_price=Decimal(body.unit_price),
        currency=body.currency, landed_cost_per_unit=body.landed_cost_per_unit,
        lead_time_days=body.lead_time_days, moq=body.moq, valid_until=body.valid_until,
        actor=actor(principal), cond=cond)
    return answer(response, result, RfqPublic, status=201)


# A rate below a million with at most 10 decimals, in ASCII digits (Decimal
# reads "١٢" as 12). Landed prices are below 2 x 10^15 with 6 decimals; their
# product with a larger rate no longer fits the domain's 28-digit rounding
# (CNY:1e27 was a decimal.InvalidOperation, a 500).
_RATE = re.compile(r"([A-Z]{3}):([0-9]{1,6}(?:\.[0-9]{1,10})?)")


def _rates(rate: list[str]) -> dict[str, Decimal]:
    rates = {}
    for text in rate:
        match = _RATE.fullmatch(text)
        if match is None or Decimal(match[2]) <= 0:
            raise InvalidValue("rate", f"{text[:40]!r} is not CUR:rate with a rate above 0 "
                                       "and below 1000000, e.g. CNY:0.1385")
        rates[match[1]] = Decimal(match[2])
    return rates


@router.get("/rfqs/{rfq_id}", operation_id="getRfq", responses=RESPONSES)
def get_rfq(
    rfq_id: UUID, gendan: GendanDep, principal: ReadQuotes, response: Response,
    currency: Annotated[str | None, Query(
        pattern=r"^[A-Z]{3}$", description="Compare landed unit prices in this currency")] = None,
    rate: Annotated[list[str], Query(
        max_length=50, description="`CUR:rate` into `currency`, e.g. `CNY:0.1385`; repeat. "
                                   "A rate is above 0 and below 1000000, with at most 10 "
                                   "decimals")] = [],  # noqa: B006
) -> RfqPublic:
    """The RFQ with its quotes ranked by landed unit price (in `currency`,
    converted with the given rates) and by lead time."""
    view = gendan.rfqs.get_rfq(rfq_id, currency, _rates(rate))
    response.headers["ETag"] = f'"{view["version"]}"'
    return RfqPublic.from_view(view)


@router.post("/rfqs/{rfq_id}/award", operation_id="awardRfq", responses=RESPONSES)
def award_rfq(rfq_id: UUID, body: AwardIn, gendan: GendanDep, cond: Conditions,
              principal: AwardQuotes, response: Response) -> RfqPublic:
    """Award the RFQ to one quote (`RfqAwarded`)."""
    return answer(response, gendan.rfqs.award_rfq(
        rfq_id, str(body.quote_id), body.reason, actor(principal), cond), RfqPublic)
