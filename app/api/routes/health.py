"""Liveness and readiness, for load balancers and orchestrators (no auth)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.api.errors import PROBLEM_RESPONSES, NotReady

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (answers before the store is reachable)."""
    return {"status": "alive"}


@router.get("/readyz", operation_id="readyz", responses={503: PROBLEM_RESPONSES[503]})
def readyz(request: Request) -> dict[str, Any]:
    """The store answers, the schema is current and the projections run."""
    boot = request.app.state.boot
    if boot.gendan is None:
        raise NotReady(f"not ready: {boot.error}", retry_after=2)
    try:
        position = boot.gendan.last_position()
    except Exception as exc:  # noqa: BLE001 - any store failure means "not ready"
        raise NotReady(f"the event store does not answer: {type(exc).__name__}", 2) from None
    projections: dict[str, int] = {}
    if boot.runner is not None:
        if not boot.runner.is_running():
            raise NotReady("the projections are not running", retry_after=2)
        projections = boot.runner.positions()
    return {"status": "ready", "position": position, "projections": projections}
