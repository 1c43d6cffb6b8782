"""The supplier portal: a supplier's token sees only its own POs (another
supplier's is 404, so its existence is not revealed), and its commands are
signed with its registered Ed25519 key (app/api/signed.py)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool

from app.api.conditions import Keyed
from app.api.deps import GendanDep
from app.api.errors import OPENAPI_MODELS
from app.api.permissions import ActAsSupplier
from app.api.ratelimit import TOO_MANY_REQUESTS, portal_rate_limit
from app.api.routes.order_common import answer
from app.api.schemas.portal import (
    AcknowledgementIn,
    DeliveryNoteIn,
    SupplierPurchaseOrderPublic,
)
from app.api.schemas.problems import PROBLEM_RESPONSES
from app.api.signed import Signed

# Every portal request, read or command, is rate limited per token and per
# supplier before anything else (app/api/ratelimit.py).
router = APIRouter(prefix="/v1/supplier", tags=["supplier portal"],
                   dependencies=[Depends(portal_rate_limit)])

PORTAL_RESPONSES = {**{code: PROBLEM_RESPONSES[code] for code in (401, 403, 404, 409, 413, 422)},
                    429: TOO_MANY_REQUESTS}
SIGNED_HEADERS = [
    {"name": name, "in": "header", "required": True, "schema": {"type": "string"},
     "description": text}
    for name, text in (
        ("Content-Digest", "RFC 9530: `sha-256=:<base64 of SHA-256 of the body>:`"),
        ("Signature-Input", 'RFC 9421: e.g. `sig1=("@method" "@target-uri" "content-type" '
                            '"content-digest");created=…;expires=…(≤ created+300);'
                            'keyid="…";alg="ed25519";nonce="…"`'),
        ("Signature", "RFC 9421: `sig1=:<base64 Ed25519 signature>:`"),
    )
]


def _body_doc(model: type) -> dict:
    """The body is read raw (its signature is checked before parsing), so
    its schema is declared here for the OpenAPI document."""
    OPENAPI_MODELS.append(model)
    return {
        "parameters": SIGNED_HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}},
    }


@router.get("/purchase-orders/{purchase_order_id}", operation_id="getMyPurchaseOrder",
            responses=PORTAL_RESPONSES)
def get_my_purchase_order(purchase_order_id: UUID, gendan: GendanDep,
                          principal: ActAsSupplier) -> SupplierPurchaseOrderPublic:
    """The latest revision sent to you: sign `content_hash` after recomputing
    it from `content` (RFC 8785 JSON, SHA-256, lowercase hex)."""
    return SupplierPurchaseOrderPublic.from_view(gendan.portal.get_purchase_order(
        principal.supplier_id or "", purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/acknowledgement",
             operation_id="acknowledgePurchaseOrder", responses=PORTAL_RESPONSES,
             openapi_extra=_body_doc(AcknowledgementIn))
async def acknowledge(purchase_order_id: UUID, signed: Signed, gendan: GendanDep, keyed: Keyed,
                      response: Response) -> SupplierPurchaseOrderPublic:
    """Sign back the current revision (all lines accepted:
    `PurchaseOrderSignedBack`) or answer with a counter-proposal (any line
    rejected or countered: `PurchaseOrderCountered`). A revision or hash
    that is not the current one is 409."""
    body = signed.parse(AcknowledgementIn)
    result = await run_in_threadpool(
        gendan.portal.acknowledge_purchase_order, signed.supplier_id, purchase_order_id,
        revision=body.revision, content_hash=body.content_hash,
        decisions=[line.model_dump() for line in body.lines], keyid=signed.verified.keyid,
        evidence=signed.evidence, actor=signed.actor, cond=keyed)
    return answer(response, result, SupplierPurchaseOrderPublic)


@router.post("/purchase-orders/{purchase_order_id}/delivery-notes", status_code=201,
             operation_id="declareDelivery", responses=PORTAL_RESPONSES,
             openapi_extra=_body_doc(DeliveryNoteIn))
async def declare_delivery(purchase_order_id: UUID, signed: Signed, gendan: GendanDep,
                           keyed: Keyed, response: Response) -> SupplierPurchaseOrderPublic:
    """Declare a shipment against PO lines (`DeliveryNoteReceived`), signed
    like the acknowledgement."""
    body = signed.parse(DeliveryNoteIn)
    result = await run_in_threadpool(
        gendan.portal.declare_delivery, signed.supplier_id, purchase_order_id,
        reference=body.reference, lines=[line.model_dump() for line in body.lines],
        keyid=signed.verified.keyid, evidence=signed.evidence, actor=signed.actor, cond=keyed)
    return answer(response, result, SupplierPurchaseOrderPublic, status=201)
