"""Keyset pages of the read models: the cursor is the last row's sort key,
opaque to clients (urlsafe base64 of JSON), so pages stay stable while
rows are added."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from typing import Any

from app.domain.errors import InvalidValue

# The longest cursor this API hands out is a supplier's: a 200-character
# name, every character escaped by json.dumps (12 bytes for one outside the
# BMP), and an id: under 3,300 base64 characters. Anything longer is refused
# before it is decoded, so a forged cursor costs no parsing.
MAX_CURSOR_CHARS = 4096
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What the stores cannot bind, and so no sort key of ours contains: asyncpg
# refuses NUL, and neither driver encodes a lone surrogate (both were 500s).
# Other control characters stay: a supplier's name may hold a tab.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The sort key in a cursor; 422 for anything this API did not hand out."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        _flat_list(text)
        key = json.loads(text, parse_constant=_no_constant, parse_float=_no_float)
        if not isinstance(key, list) or len(key) != len(types):
            raise ValueError("wrong shape")
        return [_value(v, t) for v, t in zip(key, types, strict=True)]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidValue("cursor", "not a cursor this endpoint returned") from None


def _flat_list(text: str) -> None:
    """Every cursor is a flat list of strings and integers: refuse any other
    nesting before parsing (5,000 nested lists made json.loads recurse
    until RecursionError, a 500)."""
    outside_strings = _STRING.sub('""', text)
    if outside_strings.count("[") + outside_strings.count("{") > 1:
        raise ValueError("nested")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a sort key")  # NaN, Infinity: OverflowError later


def _no_float(text: str) -> Any:
    raise ValueError("no sort key is a fraction")  # 1e400 parses as infinity


def _value(value: Any, kind: type) -> Any:
    """One sort key's value, of exactly the type the page encoded: no
    coercion (int("١٢") is 12) and nothing the stores cannot bind."""
    if kind is int:
        if type(value) is not int or not 0 <= value < 2**63:
            raise ValueError("not a 64-bit position")  # else SQL overflows: 500
        return value
    if not isinstance(value, str) or _UNSTORABLE.search(value):
        raise ValueError("not a text sort key")
    if kind is date:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("not an ISO date")
        return date.fromisoformat(value)
    return value


def _page(rows: list[Any], limit: int, item: Any, key: Any) -> dict[str, Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": [item(r) for r in rows],
            "next_cursor": encode_cursor(key(rows[-1])) if more else None, "has_more": more}
