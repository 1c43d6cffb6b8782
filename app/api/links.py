"""OpenAPI links: how the id one operation answers feeds the next one.

They document the workflow for client authors (a customer's id is the
``customer_id`` of a new order; an order's id the ``order_id`` of its
commands; a new sample's id the ``sample_id`` of its decision) and let a
stateful fuzzer (schemathesis) chain real calls instead of guessing ids.
The routes put them on their 201 answer: ``responses={201: {"links": ...}}``.
"""

from __future__ import annotations

from typing import Any

# Every operation that takes an order id in its path (operationIds).
_ORDER_OPERATIONS = (
    "getOrder", "requestSample", "issueProformaInvoice", "recordProformaInvoiceSignedBack",
    "amendPaymentTerms", "confirmOrder", "cancelOrder", "analyseCosts", "approveMargin",
    "recordPayment", "releaseProduction", "approveShipmentWithoutBalance", "recordShipment",
    "closeOrder",
)


def _name(operation_id: str) -> str:
    return operation_id[0].upper() + operation_id[1:]


def _id_into(operations: tuple[str, ...], parameter: str, description: str) -> dict[str, Any]:
    """Links giving the new resource's ``id`` as the path ``parameter`` of
    each of ``operations``."""
    return {
        _name(op): {"operationId": op, "parameters": {parameter: "$response.body#/id"},
                    "description": description}
        for op in operations
    }


CUSTOMER_LINKS: dict[str, Any] = {
    "GetCustomer": {
        "operationId": "getCustomer",
        "parameters": {"customer_id": "$response.body#/id"},
        "description": "The customer just registered",
    },
    "CreateOrder": {
        "operationId": "createOrder",
        # Only `customer_id` is given: the rest of the order is the client's.
        "requestBody": {"customer_id": "$response.body#/id"},
        "description": "The new customer's id is the `customer_id` of its orders",
    },
}

ORDER_LINKS = _id_into(_ORDER_OPERATIONS, "order_id",
                       "The new order's id is the `order_id` of its reads and commands")

SAMPLE_LINKS: dict[str, Any] = {
    "DecideSample": {
        "operationId": "decideSample",
        "parameters": {
            "order_id": "$request.path.order_id",
            "sample_id": "$response.body#/sample_id",
        },
        "description": "The customer's decision on the sample just requested",
    },
}


# ---- sourcing ------------------------------------------------------------------
_PO_OPERATIONS = (
    "getPurchaseOrder", "getPurchaseOrderEvidence", "reviewPurchaseOrder", "sendPurchaseOrder",
    "amendPurchaseOrder", "answerCounterProposal", "cancelPurchaseOrder", "receiveMaterials",
    "recordSupplierInvoice", "paySupplier",
)

SUPPLIER_LINKS: dict[str, Any] = {
    **_id_into(("getSupplier", "addSupplierKey", "getSupplierPerformance"), "supplier_id",
               "The supplier just registered"),
    "DraftPurchaseOrder": {
        "operationId": "draftPurchaseOrder",
        "requestBody": {"supplier_id": "$response.body#/id"},
        "description": "The new supplier's id is the `supplier_id` of its purchase orders",
    },
}

RFQ_LINKS = _id_into(("getRfq", "recordQuote", "awardRfq"), "rfq_id",
                     "The new RFQ's id is the `rfq_id` of its quotes and award")

QUOTE_LINKS: dict[str, Any] = {
    "AwardRfq": {
        "operationId": "awardRfq",
        "parameters": {"rfq_id": "$request.path.rfq_id"},
        "requestBody": {"quote_id": "$response.body#/quote_id"},
        "description": "Award the RFQ to the quote just recorded",
    },
}

PURCHASE_ORDER_LINKS = _id_into(
    _PO_OPERATIONS, "purchase_order_id",
    "The new purchase order's id is the `purchase_order_id` of its reads and commands")
