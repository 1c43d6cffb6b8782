"""RFC 8785 (JCS) canonical JSON and the content hash built on it.

A supplier signs a purchase order's ``content_hash``; the supplier's portal
recomputes it from the JSON it received, in whatever language it is written.
JCS makes that possible: one byte string per value, defined by ECMAScript's
``JSON.stringify`` plus UTF-16 key ordering, so any conforming library agrees
with us. Our content holds decimals as strings, so numbers are limited to
integers that a JavaScript number holds exactly; a float is refused rather
than risking a hash another implementation cannot reproduce.
"""

from __future__ import annotations

import hashlib
from typing import Any

MAX_SAFE_MAGNITUDE = 2**53

# JSON.stringify's short escapes; every other control char is \u00xx.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def canonical_json(value: Any) -> bytes:
    """The JCS serialization of ``value``, UTF-8 encoded."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("utf-8")


def content_hash(value: Any) -> str:
    """Lowercase hex SHA-256 of ``canonical_json(value)``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _write(value: Any, out: list[str]) -> None:
    # bool before int: bool is an int subclass in Python.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(_integer(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        _write_object(value, out)
    else:
        # float and Decimal included: content carries decimals as strings.
        raise TypeError(f"canonical JSON refuses {type(value).__name__} values; use str for decimals")


def _write_object(value: dict[Any, Any], out: list[str]) -> None:
    members = []
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"canonical JSON object keys must be str, not {type(key).__name__}")
        serialized = _string(key)  # refuses lone surrogates before they reach the sort
        # UTF-16-BE bytes compare exactly as UTF-16 code units do (RFC 8785 §3.2.3).
        members.append((key.encode("utf-16-be"), serialized, key))
    members.sort()
    out.append("{")
    for index, (_, serialized, key) in enumerate(members):
        if index:
            out.append(",")
        out.append(serialized)
        out.append(":")
        _write(value[key], out)
    out.append("}")


def _integer(number: int) -> str:
    if abs(number) > MAX_SAFE_MAGNITUDE:
        raise ValueError(f"integer {number} is beyond 2**53: a JavaScript number would not hold it exactly")
    return str(number)


def _string(text: str) -> str:
    chars = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"string contains a lone surrogate U+{code:04X}, which is not valid Unicode")
        if char in _SHORT_ESCAPES:
            chars.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            chars.append(f"\\u{code:04x}")
        else:
            chars.append(char)
    chars.append('"')
    return "".join(chars)
