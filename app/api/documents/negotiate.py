"""One entry point for the routes that answer a document: JSON, CSV or PDF
chosen by the request's ``Accept`` header (RFC 9110 §12.5.1)."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.errors import problem

Kind = Literal["packing_list", "inspection"]

JSON = "application/json"
# The media types offered, the first preferred when the client accepts
# several equally (``*/*``, a missing Accept).
OFFERED: tuple[str, ...] = (JSON,)


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights, q=0 kept
    (it refuses a type a wider range would admit)."""
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _weight(offered: str, ranges: list[tuple[str, float]]) -> float:
    """The weight of the most specific range matching ``offered``."""
    kind = offered.split("/")[0]
    best, specificity = 0.0, -1
    for media, q in ranges:
        rank = 2 if media == offered else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if rank > specificity:
            best, specificity = q, rank
    return best if specificity >= 0 else 0.0


def choose(accept: str | None, offered: tuple[str, ...] = OFFERED) -> str | None:
    """The offered media type the client prefers, or None if it takes none."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    weighted = [(_weight(media, ranges), -index, media) for index, media in enumerate(offered)]
    weight, _, media = max(weighted)
    return media if weight > 0 else None


def _not_acceptable(request: Request, offered: tuple[str, ...]) -> Response:
    return problem(
        406, "Not acceptable", f"This resource is available as {', '.join(offered)}",
        "/problems/not-acceptable", request.url.path, available=list(offered),
    )


def document_response(
    request: Request,
    view: dict,
    kind: Kind,
    model: type[BaseModel] | None = None,
) -> Response:
    """Answer ``view`` (a packing list or inspection view of
    ``gendan.quality``) in the form the request's Accept asks for; 406
    problem+json when it accepts none of them."""
    media = choose(request.headers.get("accept"))
    if media is None:
        return _not_acceptable(request, OFFERED)
    body = model.model_validate(view) if model is not None else view
    return JSONResponse(jsonable_encoder(body), headers={"Cache-Control": "no-store",
                                                          "Vary": "Accept"})
