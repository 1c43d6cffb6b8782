"""Keyset pages of the read models: the cursor is the last row's sort key,
opaque to clients (urlsafe base64 of JSON), so pages stay stable while
rows are added."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from app.domain.errors import InvalidValue


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The sort key in a cursor; 422 for anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
        if not isinstance(key, list) or len(key) != len(types):
            raise ValueError("wrong shape")
        pairs = zip(key, types, strict=True)
        values = [date.fromisoformat(v) if t is date else t(v) for v, t in pairs]
        if any(isinstance(v, int) and not 0 <= v < 2**63 for v in values):
            raise ValueError("outside the 64-bit positions")  # else SQL overflows: 500
        return values
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidValue("cursor", "not a cursor this endpoint returned") from None


def _page(rows: list[Any], limit: int, item: Any, key: Any) -> dict[str, Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": [item(r) for r in rows],
            "next_cursor": encode_cursor(key(rows[-1])) if more else None}
