"""One entry point for the routes that answer a document: JSON, CSV or PDF
chosen by the request's ``Accept`` header (RFC 9110 §12.5.1), 406
problem+json when it accepts none of them."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.documents import csv_export, pdf_inspection, pdf_packing_list
from app.api.documents.pdf import FontMissing
from app.api.errors import problem

log = logging.getLogger("gendan.api")

Kind = Literal["packing_list", "inspection"]

JSON, CSV, PDF = "application/json", "text/csv", "application/pdf"
# The media types offered, the first preferred when the client accepts
# several equally (``*/*``, a missing Accept).
OFFERED: tuple[str, ...] = (JSON, CSV, PDF)
# What the answer varies by, and that a browser or client must not keep.
HEADERS = {"Cache-Control": "no-store", "Vary": "Accept"}
FONT_PACKAGE = "fonts-wqy-microhei"


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
                    q = min(max(float(value.strip()), 0.0), 1.0)
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


def filename(view: dict[str, Any], kind: Kind, extension: str) -> str:
    """``packing-list-<reference>-r<revision>`` or
    ``inspection-report-<reference>-<stage>-<id prefix>``, then the extension."""
    if kind == "packing_list":
        stem = f"packing-list-{view.get('reference')}-r{view.get('revision')}"
    else:
        inspection = str(view.get("inspection_id") or "")[:8]
        stem = f"inspection-report-{view.get('reference')}-{view.get('stage')}-{inspection}"
    return f"{stem}.{extension}"


def content_disposition(name: str) -> str:
    """``inline`` with an ASCII-safe filename for every client and the exact
    one, Chinese included, as RFC 6266 / RFC 8187 ``filename*``."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "document"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _not_acceptable(request: Request) -> Response:
    return problem(
        406, "Not acceptable", f"This resource is available as {', '.join(OFFERED)}",
        "/problems/not-acceptable", request.url.path, headers=HEADERS, available=list(OFFERED),
    )


def _font_missing(request: Request, exc: FontMissing) -> Response:
    log.warning("PDF font %s missing: install %s or set GENDAN_PDF_FONT", exc.path, FONT_PACKAGE)
    return problem(
        503, "PDF unavailable",
        f"The PDF font is missing on the server: install the Debian package {FONT_PACKAGE} "
        "or set GENDAN_PDF_FONT to a TrueType font file; JSON and CSV still answer",
        "/problems/pdf-font-missing", request.url.path, headers=HEADERS,
    )


def document_response(
    request: Request,
    view: dict,
    kind: Kind,
    model: type[BaseModel] | None = None,
) -> Response:
    """Answer ``view`` (a packing list or inspection view of
    ``gendan.quality``) in the form the request's Accept asks for: JSON
    (validated by ``model`` when given), CSV or PDF."""
    media = choose(request.headers.get("accept"))
    if media is None:
        return _not_acceptable(request)
    if media == JSON:
        body = model.model_validate(view) if model is not None else view
        return JSONResponse(jsonable_encoder(body), headers=HEADERS)
    if media == CSV:
        disposition = content_disposition(filename(view, kind, "csv"))
        return Response(csv_export.render(view, kind), media_type="text/csv; charset=utf-8",
                        headers={**HEADERS, "Content-Disposition": disposition})
    build = pdf_packing_list.build if kind == "packing_list" else pdf_inspection.build
    try:
        document = build(view, request.app.state.settings.pdf_font)
    except FontMissing as exc:
        return _font_missing(request, exc)
    disposition = content_disposition(filename(view, kind, "pdf"))
    return Response(bytes(document.output()), media_type=PDF,
                    headers={**HEADERS, "Content-Disposition": disposition})
