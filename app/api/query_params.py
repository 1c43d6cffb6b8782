"""Unknown query parameters are a 422 on every route of the contract.

FastAPI ignores a query parameter a route does not declare, so a typo or a
filter that does not exist (``GET /v1/board?referense=...``) answered the
unfiltered list as if it had been applied. One dependency of the whole app
compares the request's parameter names with those its route declares (read
from its dependant, aliases included: ``type`` for the
audit's ``type_``). It runs before the route's own dependencies, so an
unknown parameter is refused before the token is read: the names a route
accepts are public (openapi.json), so the order tells a caller nothing.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_validation_alias
from fastapi.exceptions import RequestValidationError

def declared_query(dependant: Dependant) -> frozenset[str]:
    """The query parameters a route and its dependencies declare, by the
    name a client sends."""
    names = {get_validation_alias(field) for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= declared_query(sub)
    return frozenset(names)


async def known_query_parameters(request: Request) -> None:
    """422 naming each query parameter the matched route does not declare."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    # The contract's routes only: the docs pages and /metrics are not in it.
    if not request.query_params or dependant is None or not route.include_in_schema:
        return
    declared = declared_query(dependant)  # a walk of a dozen nodes: not worth a cache
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        accepted = ", ".join(sorted(declared)) or "none"
        raise RequestValidationError([{
            "loc": ("query", name), "type": "unknown_query_parameter",
            "msg": f"not a query parameter of {route.path} (it accepts: {accepted})",
        } for name in unknown])
