"""The contract reads cleanly in generators (issue 13, item 3): what tripped
openapi-python-client and openapi-typescript is asserted on the app's own
document, so it cannot come back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from app.application.feed import class_version, event_classes
from app.cli import render_openapi

COMMANDS = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(render_openapi())


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{path}/{n}")


def _commands(spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path.startswith("/v1/") and method in COMMANDS:
                yield method, path, operation


def test_maps_are_additional_properties_never_pattern_properties(spec):
    assert [p for p, node in _walk(spec) if "patternProperties" in node] == []
    fx_rates = spec["components"]["schemas"]["CostAnalysisIn"]["properties"]["fx_rates"]
    assert fx_rates["type"] == "object"
    assert fx_rates["additionalProperties"]["type"] == "string"
    assert fx_rates["additionalProperties"]["pattern"]
    assert fx_rates["additionalProperties"]["format"] == "decimal"
    assert fx_rates["propertyNames"] == {"pattern": "^[A-Z]{3}$"}


def test_body_less_commands_take_an_optional_empty_object_never_null(spec):
    empty = {"$ref": "#/components/schemas/Empty"}
    body_less = []
    for method, path, operation in _commands(spec):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media in body["content"].values():
            assert "anyOf" not in media["schema"], f"{method} {path}: {media['schema']}"
            if media["schema"].get("$ref") == empty["$ref"]:
                body_less.append(path)
                assert not body.get("required"), f"{path}: no body must be accepted"
    assert {"/v1/orders/{order_id}/closure", "/v1/orders/{order_id}/proforma-invoice",
            "/v1/purchase-orders/{purchase_order_id}/send"} <= set(body_less)
    assert spec["components"]["schemas"]["Empty"]["additionalProperties"] is False


def test_commands_declare_their_headers_and_503(spec):
    created_with_location = set()
    for method, path, operation in _commands(spec):
        responses = operation["responses"]
        successes = [code for code in responses if code.startswith("2")]
        assert successes, f"{method} {path}"
        for code in successes:
            headers = responses[code].get("headers", {})
            assert {"ETag", "Idempotency-Replayed"} <= set(headers), f"{method} {path} {code}"
            if "Location" in headers:
                assert code == "201"
                created_with_location.add(operation["operationId"])
        assert "Retry-After" in responses["503"]["headers"], f"{method} {path}"
        for code in ("409", "429"):
            if code in responses:
                assert "Retry-After" in responses[code]["headers"], f"{method} {path} {code}"
    assert created_with_location == {"createCustomer", "createOrder", "draftPurchaseOrder",
                                     "registerSupplier", "requestQuotes"}
    portal = spec["paths"]["/v1/supplier/purchase-orders/{purchase_order_id}/acknowledgement"]
    assert "429" in portal["post"]["responses"]


def test_decimal_strings_say_so(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["CostIn"]["properties"]["amount"]["format"] == "decimal"
    assert schemas["OrderLineIn"]["properties"]["unit_price"]["format"] == "decimal"
    decimals = [p for p, node in _walk(spec) if node.get("format") == "decimal"]
    assert len(decimals) > 30


# The names an answer gives its decimal strings: money, quantities, prices,
# rates, percents, weights and sizes. A string property of an answer's
# component by one of these names is a decimal and must say so.
DECIMAL_ANSWERS = frozenset("""
    amount total contract_amount paid invoiced adjusted outstanding
    deposit_due deposit_received balance_received balance_due fees_received
    unit_price po_unit_price unit_price_invoiced landed_cost_per_unit landed_unit_price
    quantity quantity_per_carton ordered received accepted rejected accepted_not_invoiced
    total_received total_accepted rejected_quantity ordered_quantity accepted_quantity
    rejected_lot_quantity moq cut made finished packed planned behind difference
    margin rejection_rate on_time_rate fill_rate
    deposit_percent tolerance_percent quantity_tolerance_percent
    net_kg gross_kg cbm length_cm width_cm height_cm
""".split())


def _refs(node: Any) -> Iterator[str]:
    for _, n in _walk(node):
        if "$ref" in n:
            yield n["$ref"].rsplit("/", 1)[-1]


def _answer_components(spec) -> set[str]:
    """Every component a 2xx answer reaches, through any depth of $ref."""
    schemas = spec["components"]["schemas"]
    todo = [name for item in spec["paths"].values() for operation in item.values()
            for code, answer in operation.get("responses", {}).items()
            if code.startswith("2") for name in _refs(answer)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            todo += _refs(schemas[name])
    return seen


def test_every_decimal_string_of_an_answer_says_so(spec):
    schemas = spec["components"]["schemas"]
    answers = _answer_components(spec)
    assert {"OrderPublic", "FinanceOrder", "PurchaseOrderRow", "CartonPublic",
            "SupplierPerformance", "ReceiptLine", "OrderCreatedPayload"} <= answers
    checked, missing = 0, []
    for name in sorted(answers):
        for field, prop in schemas[name].get("properties", {}).items():
            strings = [a for a in prop.get("anyOf", [prop]) if a.get("type") == "string"]
            if field not in DECIMAL_ANSWERS or not strings:
                continue
            checked += 1
            if any(a.get("format") != "decimal" for a in strings):
                missing.append(f"{name}.{field}")
    assert missing == []
    assert checked > 100

def test_each_enum_is_one_component(spec):
    """The same set of values inline in two places would be two classes in
    a generated client (GetBoardStateType0, OrderPublicState...)."""
    places = defaultdict(list)
    for path, node in _walk(spec):
        if "enum" in node and len(node["enum"]) > 1:
            places[tuple(sorted(map(str, node["enum"])))].append(path)
    assert {values: paths for values, paths in places.items() if len(paths) > 1} == {}
    schemas = spec["components"]["schemas"]
    assert "inquiry" in schemas["OrderState"]["enum"]
    assert schemas["BoardItem"]["properties"]["state"] == {"$ref": "#/components/schemas/OrderState"}
    board_state = spec["paths"]["/v1/board"]["get"]["parameters"][0]
    assert {"$ref": "#/components/schemas/OrderState"} in board_state["schema"]["anyOf"]


def test_the_feed_cursor_has_the_type_of_after(spec):
    operation = spec["paths"]["/v1/events"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert params["after"]["type"] == "integer"
    cursor = spec["components"]["schemas"]["EventsPage"]["properties"]["next_cursor"]
    assert {"type": "integer"} in cursor["anyOf"] and {"type": "null"} in cursor["anyOf"]
    assert params["wait"]["type"] == "integer" and params["wait"]["maximum"] == 30


def test_every_event_type_has_a_versioned_payload_schema_keyed_by_type(spec):
    schemas = spec["components"]["schemas"]
    items = schemas["EventsPage"]["properties"]["data"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    mapping = items["discriminator"]["mapping"]
    names = {cls.__name__ for cls in event_classes()}
    assert set(mapping) == names and len(items["oneOf"]) == len(names)
    for cls in event_classes():
        record = schemas[f"{cls.__name__}Event"]
        assert record["properties"]["type"]["const"] == cls.__name__
        version = record["properties"]["class_version"]
        assert version.get("const", class_version(cls)) == class_version(cls)
        payload = schemas[f"{cls.__name__}Payload"]
        assert record["properties"]["data"] == {
            "$ref": f"#/components/schemas/{cls.__name__}Payload"}
        assert payload["type"] == "object"
    created = schemas["OrderCreatedPayload"]
    assert created["properties"]["total"] == {"type": "string", "format": "decimal"}
    assert created["properties"]["customer_id"] == {"type": "string", "format": "uuid"}
    assert created["properties"]["delivery_date"] == {"type": "string", "format": "date"}
    assert "reference" in created["required"]
    analysed = schemas["CostAnalysedPayload"]["properties"]["fx_rates"]
    assert analysed["additionalProperties"] == {"type": "string", "format": "decimal"}
