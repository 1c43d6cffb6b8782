"""RFC 8785 canonical JSON: the bytes a supplier's portal must reproduce."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from app.domain.canonical import canonical_json, content_hash


def test_rfc8785_sorting_example_orders_keys_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: U+1F600 is the surrogate pair D83D DE00, so it sorts
    # before U+FB33 although its code point is larger.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\x80": "Control",
        "\xf6": "Latin Small Letter O With Diaeresis",
    }
    out = canonical_json(value).decode("utf-8")
    keys = [key for key, _ in json.loads(out, object_pairs_hook=list)]
    assert keys == ["\r", "1", "\x80", "\xf6", "\u20ac", "\U0001f600", "\ufb33"]
    assert out == (
        '{"\\r":"Carriage Return","1":"One","\x80":"Control",'
        '"\xf6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )


def test_rfc8785_string_and_literal_example() -> None:
    # RFC 8785 §3.2.2 main example, without its numbers (we refuse floats).
    value = {
        "literals": [None, True, False],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
    }
    expected = '{"literals":[null,true,false],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonical_json(value) == expected.encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x01\x1f", '"\\u0000\\u0001\\u001f"'),
        ("\x7f", '"\x7f"'),  # DEL is not escaped by JSON.stringify
        ("</script>", '"</script>"'),  # nor is "/"
        ("é漢\U0001f600", '"é漢\U0001f600"'),  # non-ASCII stays literal
    ],
)
def test_string_escapes_follow_json_stringify(text: str, expected: str) -> None:
    assert canonical_json(text) == expected.encode("utf-8")


def test_nesting_has_no_whitespace_and_sorts_every_level() -> None:
    value = {"b": [1, {"z": None, "a": -0}], "a": {"y": "x", "x": [[]]}, "": {}}
    assert canonical_json(value) == b'{"":{},"a":{"x":[[]],"y":"x"},"b":[1,{"a":0,"z":null}]}'


def test_content_hash_is_sha256_hex_of_canonical_bytes() -> None:
    value = {"lines": [{"line_no": 1, "qty": "12.50"}], "currency": "USD"}
    expected = hashlib.sha256(b'{"currency":"USD","lines":[{"line_no":1,"qty":"12.50"}]}').hexdigest()
    assert content_hash(value) == expected
    # Independent of input key order.
    assert content_hash({"currency": "USD", "lines": [{"qty": "12.50", "line_no": 1}]}) == expected


def test_integers_up_to_2_pow_53() -> None:
    assert canonical_json([2**53, -(2**53), 0]) == b"[9007199254740992,-9007199254740992,0]"
    with pytest.raises(ValueError, match="2\\*\\*53"):
        canonical_json(2**53 + 1)
    with pytest.raises(ValueError):
        canonical_json({"n": -(2**53) - 1})


@pytest.mark.parametrize("value", [1.5, 1.0, Decimal("1.5"), {"a": [0.1]}, (1, 2), {1, 2}, b"x"])
def test_non_json_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(TypeError):
        canonical_json({1: "a"})


@pytest.mark.parametrize("value", ["\ud800", {"\udc00": 1}, ["ok", "a\udfffb"]])
def test_lone_surrogates_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="surrogate"):
        canonical_json(value)


def test_output_matches_python_json_for_ascii_sorted_input() -> None:
    # A cross-check on plain data where Python's json is known to agree with JCS.
    value = {"id": "PO-1", "revision": 3, "lines": [{"line_no": 2, "sku": "A\"B\\C"}], "ok": True}
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")
