"""FastAPI dependencies: the one application object and the read models,
built by the boot thread of ``create_app`` and kept on ``app.state.boot``.

``async``: FastAPI runs a plain ``def`` dependency in the threadpool, one
trip per dependency per request, for what is an attribute read here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from app.application import Gendan
from app.projections.reads import ReadModels
from app.projections.waiting import NotReady


def _booted(request: Request) -> Any:
    boot = request.app.state.boot
    if boot.gendan is None:
        # The boot error (database host, driver...) is logged, never told to callers.
        raise NotReady("The service is starting", retry_after=2)
    return boot


async def get_gendan(request: Request) -> Gendan:
    return _booted(request).gendan


async def get_reads(request: Request) -> ReadModels:
    return _booted(request).reads


GendanDep = Annotated[Gendan, Depends(get_gendan)]
ReadsDep = Annotated[ReadModels, Depends(get_reads)]
