"""The event feed's items in the contract: one schema per event type, keyed
by ``type`` (an OpenAPI discriminator), each with its ``class_version`` and
its ``data`` as the domain event class declares it (app.application.feed),
so a generated client has a typed model per event.

The components are added to the document by ``add_event_schemas`` (the
app's ``openapi()``); the runtime model stays the generic record
(``FeedEvent`` of app.api.schemas.reads), so an
event is never refused for its shape: the contract tests and the fuzzer
check what the feed sends against these schemas.
"""

from __future__ import annotations

from typing import Any

from app.application.feed import class_version, event_classes, payload_schema

_REF = "#/components/schemas/{}"


def _event_types() -> dict[str, list[type]]:
    """Event classes by the ``type`` the feed gives them (the class name; a
    few names, such as ``AlertRaised``, are shared by several aggregates)."""
    by_type: dict[str, list[type]] = {}
    for cls in event_classes():
        by_type.setdefault(cls.__name__, []).append(cls)
    return by_type


def _merged_payload(classes: list[type]) -> dict[str, Any]:
    """One ``data`` schema for the classes of one name: every attribute, the
    ones all of them have required."""
    schemas = [payload_schema(cls) for cls in classes]
    properties: dict[str, Any] = {}
    for schema in schemas:
        properties.update(schema["properties"])
    required = [name for name in properties
                if all(name in schema["required"] for schema in schemas)]
    return {"type": "object", "properties": properties, "required": required}


def _doc(cls: type) -> str:
    """The event class's own docstring; not the one ``dataclasses`` writes for
    a class without one (its Python signature, no use to a client)."""
    doc = " ".join((cls.__doc__ or "").split())
    return "" if doc.startswith(f"{cls.__name__}(") else doc


def _record(name: str, classes: list[type]) -> dict[str, Any]:
    versions = sorted({class_version(cls) for cls in classes})
    doc = _doc(classes[0]) if len(classes) == 1 else ""
    uuid = {"type": "string", "format": "uuid"}
    record = {
        "type": "object",
        "title": f"{name}Event",
        "properties": {
            "position": {"type": "integer", "description": "Global position in the store"},
            "type": {"type": "string", "const": name},
            "class_version": ({"type": "integer", "const": versions[0]} if len(versions) == 1
                              else {"type": "integer", "minimum": 1}),
            "order_id": {"anyOf": [uuid, {"type": "null"}]},
            "aggregate_id": uuid,
            "aggregate_type": {"type": "string"},
            "version": {"type": "integer", "description": "The aggregate's version"},
            "occurred_at": {"type": "string", "format": "date-time"},
            "actor": {"$ref": _REF.format("ActorPublic")},
            "data": {"$ref": _REF.format(f"{name}Payload")},
        },
        "required": ["position", "type", "class_version", "order_id", "aggregate_id",
                     "aggregate_type", "version", "occurred_at", "actor", "data"],
    }
    if doc:
        record["description"] = doc
    return record


def event_components() -> dict[str, dict[str, Any]]:
    """``<Type>Event`` (the feed's record) and ``<Type>Payload`` (its data)
    for every event type."""
    components: dict[str, dict[str, Any]] = {}
    for name, classes in sorted(_event_types().items()):
        components[f"{name}Event"] = _record(name, classes)
        components[f"{name}Payload"] = {"title": f"{name}Payload", **_merged_payload(classes)}
    return components


def feed_item_schema() -> dict[str, Any]:
    """An item of GET /v1/events: one of the ``<Type>Event`` schemas."""
    names = sorted(_event_types())
    return {
        "oneOf": [{"$ref": _REF.format(f"{name}Event")} for name in names],
        "discriminator": {"propertyName": "type", "mapping": {
            name: _REF.format(f"{name}Event") for name in names}},
    }


def add_event_schemas(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    # The runtime record, which pydantic lists too: the items name the per-type schemas.
    components.pop("FeedEvent", None)
    for name, definition in event_components().items():
        assert name not in components, f"{name}: an event schema's name is taken"
        components[name] = definition
