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

ORDER_LINKS: dict[str, Any] = {
    _name(op): {
        "operationId": op,
        "parameters": {"order_id": "$response.body#/id"},
        "description": "The new order's id is the `order_id` of its reads and commands",
    }
    for op in _ORDER_OPERATIONS
}

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
    **{_name(op): {
        "operationId": op,
        "parameters": {"supplier_id": "$response.body#/id"},
        "description": "The supplier just registered",
    } for op in ("getSupplier", "addSupplierKey", "getSupplierPerformance")},
    "DraftPurchaseOrder": {
        "operationId": "draftPurchaseOrder",
        "requestBody": {"supplier_id": "$response.body#/id"},
        "description": "The new supplier's id is the `supplier_id` of its purchase orders",
    },
}

RFQ_LINKS: dict[str, Any] = {
    _name(op): {
        "operationId": op,
        "parameters": {"rfq_id": "$response.body#/id"},
        "description": "The new RFQ's id is the `rfq_id` of its quotes and award",
    }
    for op in ("getRfq", "recordQuote", "awardRfq")
}

QUOTE_LINKS: dict[str, Any] = {
    "AwardRfq": {
        "operationId": "awardRfq",
        "parameters": {"rfq_id": "$request.path.rfq_id"},
        "requestBody": {"quote_id": "$response.body#/quote_id"},
        "description": "Award the RFQ to the quote just recorded",
    },
}

PURCHASE_ORDER_LINKS: dict[str, Any] = {
    _name(op): {
        "operationId": op,
        "parameters": {"purchase_order_id": "$response.body#/id"},
        "description": "The new purchase order's id is the `purchase_order_id` of its "
                       "reads and commands",
    }
    for op in _PO_OPERATIONS
}
