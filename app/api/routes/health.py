"""Liveness and readiness, for load balancers and orchestrators (no auth).

Anyone can call these, so they answer a bare status: why the service is not
ready (the database's host and driver, the boot error, the positions) goes
to the log, not to the caller."""

from __future__ import annotations

import asyncio
import logging
import time

import sqlalchemy.exc
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from app.api.schemas.problems import PROBLEM_RESPONSES
from app.application.breaker import INERT
from app.projections.waiting import NotReady

router = APIRouter(tags=["health"])
log = logging.getLogger("gendan.health")
# Within a load balancer's patience and issue 14's "readiness within 1 s".
_PING_SECONDS = 0.8


@router.get("/healthz", operation_id="healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (answers before the store is reachable)."""
    return {"status": "alive"}


@router.get("/readyz", operation_id="readyz", responses={503: PROBLEM_RESPONSES[503]})
async def readyz(request: Request) -> dict[str, str]:
    """The store answers, the schema is current and the projections run:
    `{"status": "ready"}`, else 503 with `Retry-After` (and no detail).

    Answers within a second: at once while the database is known to be
    down (a circuit breaker, closed again within about half a second of its
    return), else after pinging the read models and the event store with a
    short timeout."""
    boot = request.app.state.boot
    if boot.gendan is None:
        raise _not_ready(request, f"starting: {boot.error}")
    breaker = getattr(boot.reads, "breaker", INERT)
    deadline = time.monotonic() + _PING_SECONDS
    try:
        breaker.check()  # open: 503 at once (and the prober runs)
        await asyncio.wait_for(boot.reads.position(), _PING_SECONDS)
        # The event store's own pool and client (a command's path).
        await asyncio.wait_for(run_in_threadpool(boot.gendan.last_position),
                               max(0.05, deadline - time.monotonic()))
    except (OSError, asyncio.TimeoutError, sqlalchemy.exc.SQLAlchemyError,
            OperationalError, InterfaceError) as exc:
        raise _not_ready(request, f"the database does not answer: "
                                  f"{type(exc).__name__}: {exc}") from None
    if boot.runner is not None and not boot.runner.is_running():
        raise _not_ready(request, "the projections are not running")
    if getattr(request.app.state, "unready_because", None) is not None:
        request.app.state.unready_because = None
        log.info("ready again")
    return {"status": "ready"}


def _not_ready(request: Request, reason: str) -> NotReady:
    """503 saying only that; the reason is logged once per change (a load
    balancer probes every few seconds)."""
    if getattr(request.app.state, "unready_because", None) != reason:
        request.app.state.unready_because = reason
        log.warning("not ready: %s", reason)
    return NotReady("The service is not ready", retry_after=2)
