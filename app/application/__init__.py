"""The application layer: named use cases over the event store.

- ``service.Gendan``: the one object per process, composing the use cases;
- ``orders``, ``suppliers``, ``purchasing``, ``portal``, ``feed``: one
  method per command or query, ids and primitives in, DTOs out (``dto``),
  write-side views of aggregates (``views``, ``sourcing_views``);
- its adapters and their tables: ``store`` (the library's unit of work),
  ``eventstore`` (exactly-once recorders), ``idempotency``, ``nonces``,
  ``tables``, ``migrate``.

It imports the domain, never the API or the projections (pyproject's
import-linter contracts).
"""

from app.application.service import Gendan

__all__ = ["Gendan"]
