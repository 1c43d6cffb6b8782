"""The HTTP contract's own models, one module per resource: what clients
send and what they get back.

Inputs derive from ``common.Input`` and forbid unknown fields, so a client
can never set a state, a total or an actor; their value types (decimal
strings, never JSON numbers) are in ``app.api.fields``. Answers carry
amounts as decimal strings in the currency's minor units. OpenAPI names a
component after its class, so a class keeps its name when it moves.
"""
