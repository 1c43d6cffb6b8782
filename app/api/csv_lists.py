"""Every list as CSV for a spreadsheet (issue 13, item 6).

``?format=csv`` or ``Accept: text/csv`` (preferred over JSON) turns a list
into RFC 4180 CSV: UTF-8 with a byte order mark, CRLF, a header row, one
row per item, the cells of app/api/documents/csv_export.py (formula
injection quoted). The columns are the item's JSON fields in the contract's
order; a nested object is spread over ``<field>_<key>`` columns (the audit's
``actor_sub``, ``actor_role``), a list of strings is joined with ``; ``, any
other list or map is its JSON. Amounts are the JSON's decimal strings in
major units, beside their ``currency`` column; dates and times ISO 8601.

A paged list streams every page from ``cursor`` on (pages of 500 read one
after another while the answer is sent; ``limit`` is not used) up to
``Settings.csv_max_rows`` rows, announced in ``CSV-Max-Rows``. The first
page is read before the answer starts, so a bad cursor is still a 422 (the
event feed's has none: its pages are read from the store as they are sent).
"""

from __future__ import annotations

import csv
import io
import json
import types
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from app.api.documents.csv_export import BOM, _cell
from app.api.documents.negotiate import CSV, JSON, choose
from app.api.fields import named

# Pages read behind a CSV download: the most a JSON page may hold.
CSV_PAGE = 500
# Named: the contract holds the enum once, not once per list (fields.named).
Format = Annotated[named(Literal["json", "csv"], "ListFormat") | None, Query(
    alias="format", description="`csv`: the whole list as text/csv (also chosen by `Accept: text/csv`); "
                "a paged list streams every page from `cursor` on, `limit` unused")]
# What openapi.json says a list answers besides its JSON.
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"},
                            "example": "\ufeffreference,currency,total\r\nPO-1,USD,8500.00\r\n"}}


def csv_responses(responses: dict[int | str, Any]) -> dict[int | str, Any]:
    """A list route's responses, its 200 also as text/csv."""
    return {**responses, 200: {"content": CSV_CONTENT}}


def wants_csv(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "csv"
    return choose(request.headers.get("accept"), (JSON, CSV)) == CSV


# ---- columns and rows from the item's model ------------------------------------------
def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (``X``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (typing.Union, types.UnionType):
        models = [m for a in get_args(annotation) if (m := _model_of(a)) is not None]
        return models[0] if len(models) == 1 else None
    return None


def columns(model: type[BaseModel]) -> list[tuple[str, str, str | None]]:
    """(header, field, key of a nested object or None) in the model's order."""
    spread: list[tuple[str, str, str | None]] = []
    for name, field in model.model_fields.items():
        nested = _model_of(field.annotation)
        if nested is None:
            spread.append((name, name, None))
        else:
            spread += [(f"{name}_{key}", name, key) for key in nested.model_fields]
    return spread


def _value(value: Any) -> Any:
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def row(spread: list[tuple[str, str, str | None]], item: dict[str, Any]) -> list[str]:
    cells = []
    for _, name, key in spread:
        value = item.get(name)
        if key is not None:
            value = value.get(key) if isinstance(value, dict) else None
        cells.append(_cell(_value(value)))
    return cells


def lines(model: type[BaseModel], spread: list[tuple[str, str, str | None]],
          items: Iterable[Any]) -> str:
    """The CSV lines of these items, validated as the JSON answer would be."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for item in items:
        writer.writerow(row(spread, model.model_validate(item).model_dump(mode="json")))
    return out.getvalue()


def _header(spread: list[tuple[str, str, str | None]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([h for h, _, _ in spread])
    return BOM + out.getvalue()


def _answer(body: AsyncIterator[bytes], name: str, max_rows: int | None = None) -> StreamingResponse:
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"', "Vary": "Accept"}
    if max_rows is not None:
        headers["CSV-Max-Rows"] = str(max_rows)
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)


def item_model(page_model: type[BaseModel]) -> type[BaseModel]:
    """The model of a page's ``data`` items."""
    (model,) = get_args(page_model.model_fields["data"].annotation)
    return model


# ---- the answers -----------------------------------------------------------------------
Fetch = Callable[[int, Any], Awaitable[dict[str, Any]]]


def streamed_csv(request: Request, model: type[BaseModel], fetch: Fetch, cursor: Any,
                 name: str, first: dict[str, Any] | None = None,
                 spread: list[tuple[str, str, str | None]] | None = None) -> StreamingResponse:
    """Every page of a list from ``cursor`` on, as one CSV, streamed.
    ``fetch(limit, cursor)`` answers a page ``{data, next_cursor, has_more}``;
    ``first``, when given, is the page at ``cursor`` already read; ``spread``,
    when given, the columns (else the model's, in its order)."""
    max_rows = request.app.state.settings.csv_max_rows
    spread = spread if spread is not None else columns(model)

    async def body() -> AsyncIterator[bytes]:
        page, sent = first, 0
        if page is None:
            page = await fetch(min(CSV_PAGE, max_rows), cursor)
        yield _header(spread).encode()
        while True:
            items = page["data"][:max_rows - sent]
            sent += len(items)
            yield lines(model, spread, items).encode()
            if not page["has_more"] or sent >= max_rows:
                return
            page = await fetch(min(CSV_PAGE, max_rows - sent), page["next_cursor"])

    return _answer(body(), name, max_rows)


async def paged_or_csv(request: Request, format_: str | None, page_model: type[BaseModel],
                       fetch: Fetch, limit: int, cursor: str | None, name: str) -> Any:
    """A list route's answer: its JSON page, or every page as CSV."""
    if wants_csv(request, format_):
        # The first page before the answer starts: a bad cursor is still a 422.
        first = await fetch(min(CSV_PAGE, request.app.state.settings.csv_max_rows), cursor)
        return streamed_csv(request, item_model(page_model), fetch, cursor, name, first)
    return page_model.model_validate(await fetch(limit, cursor))


def rows_csv(model: type[BaseModel], items: list[Any], name: str) -> StreamingResponse:
    """A list that is not paged (a report's groups), as CSV."""
    spread = columns(model)

    async def body() -> AsyncIterator[bytes]:
        yield (_header(spread) + lines(model, spread, items)).encode()

    return _answer(body(), name)
