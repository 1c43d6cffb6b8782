"""Liveness and readiness, for load balancers and orchestrators (no auth)."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy.exc
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from app.api.schemas.problems import PROBLEM_RESPONSES
from app.projections.reads import NotReady

router = APIRouter(tags=["health"])
_PING_SECONDS = 2.0


@router.get("/healthz", operation_id="healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (answers before the store is reachable)."""
    return {"status": "alive"}


@router.get("/readyz", operation_id="readyz", responses={503: PROBLEM_RESPONSES[503]})
async def readyz(request: Request) -> dict[str, Any]:
    """The store answers, the schema is current and the projections run.

    The database is pinged through the read models' async engine with a
    short timeout: the event store's own client retries for ~20 s during an
    outage, far longer than a load balancer's probe waits."""
    boot = request.app.state.boot
    if boot.gendan is None:
        raise NotReady(f"not ready: {boot.error}", retry_after=2)
    try:
        await asyncio.wait_for(boot.reads.position(), _PING_SECONDS)
    except (OSError, asyncio.TimeoutError, sqlalchemy.exc.SQLAlchemyError) as exc:
        raise NotReady(f"the database does not answer: {type(exc).__name__}", 2) from None
    # The database answered: the store's own (retrying) client is quick now.
    position = await run_in_threadpool(boot.gendan.last_position)
    projections: dict[str, int] = {}
    if boot.runner is not None:
        if not boot.runner.is_running():
            raise NotReady("the projections are not running", retry_after=2)
        projections = await run_in_threadpool(boot.runner.positions)
    return {"status": "ready", "position": position, "projections": projections}
