"""Cursors: what the pages hand out reads back, and anything else is an
InvalidValue (422) before a store sees it, never an OverflowError,
RecursionError or a value a store cannot bind (all were 500s)."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from app.domain.errors import InvalidValue
from app.projections.paging import MAX_CURSOR_CHARS, decode_cursor, encode_cursor


def forged(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


@pytest.mark.parametrize(("key", "types"), [
    ([41], (int,)),
    ([2**63 - 1], (int,)),
    (["2027-03-01", "0b6e1c52-9f8e-4a4c-8d1e-2b8f5a7c9d10"], (date, str)),
    # A supplier's name may hold a tab and characters outside the BMP; the
    # longest name (200 characters, each escaped to 12 bytes) still fits.
    (["Shenzhen\tParts 🏭", "id"], (str, str)),
    (["🏭" * 200, "0b6e1c52-9f8e-4a4c-8d1e-2b8f5a7c9d10"], (str, str)),
])
def test_what_a_page_hands_out_reads_back(key, types):
    cursor = encode_cursor(key)
    assert len(cursor) <= MAX_CURSOR_CHARS
    expected = [date.fromisoformat(v) if t is date else v for v, t in zip(key, types)]
    assert decode_cursor(cursor, types) == expected


@pytest.mark.parametrize(("text", "types"), [
    ("[Infinity]", (int,)),            # OverflowError before
    ("[-Infinity]", (int,)),
    ("[NaN]", (int,)),
    ("[1e400]", (int,)),               # a float literal that parses as infinity
    ("[1.0]", (int,)),
    ('["12"]', (int,)),                # int("12"): no coercion
    ('["١٢"]', (int,)),                # int("١٢") is 12
    ("[true]", (int,)),                # bool is an int subclass
    ("[-1]", (int,)),
    (f"[{2**63}]", (int,)),
    (f"[{'9' * 5000}]", (int,)),
    ("[" * 5000 + "]" * 5000, (int,)),  # RecursionError before
    ("[[1]]", (int,)),
    ('[{"a": 1}]', (int,)),
    ('{"a": [1]}', (int,)),
    ("[]", (int,)),
    ("[1, 2]", (int,)),
    ('["2027-03-01", "\\u0000"]', (date, str)),   # asyncpg refuses NUL
    ('["2027-03-01", "\\ud800"]', (date, str)),   # a lone surrogate no driver encodes
    ('["\\udfff", "x"]', (str, str)),
    ('["20270301", "x"]', (date, str)),           # not the form a page hands out
    ('["2027-W09-1", "x"]', (date, str)),
    ('["٢٠٢٧-03-01", "x"]', (date, str)),
    ('["2027-02-30", "x"]', (date, str)),
    ('[20270301, "x"]', (date, str)),
    ('[1, "x"]', (str, str)),
])
def test_a_forged_cursor_is_invalid(text, types):
    with pytest.raises(InvalidValue) as refused:
        decode_cursor(forged(text), types)
    assert refused.value.field == "cursor"


@pytest.mark.parametrize("cursor", [
    "x" * (MAX_CURSOR_CHARS + 1),
    forged('["' + "a" * 4000 + '", "x"]'),
    "not base64!",
    "W",
    base64.urlsafe_b64encode(b"\xff\xfe[1]").decode(),
    "",
])
def test_what_is_no_cursor_at_all_is_invalid(cursor):
    with pytest.raises(InvalidValue):
        decode_cursor(cursor, (str, str))


def test_brackets_inside_strings_are_not_nesting():
    assert decode_cursor(encode_cursor(["[[{", "]]}"]), (str, str)) == ["[[{", "]]}"]
    assert decode_cursor(encode_cursor(['a "quoted" \\ [name]', "x"]), (str, str))[0] == (
        'a "quoted" \\ [name]')

