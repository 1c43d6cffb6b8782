#!/usr/bin/env python3
"""Reference client for gendan's supplier API: read a purchase order, then
acknowledge it or announce a delivery with an RFC 9421 signed request.

Copy this file into your portal. It needs only ``cryptography`` and ``httpx``
and holds every line that decides what gets signed, so you can read exactly
what your key commits you to:

* the purchase order's ``content_hash`` is the SHA-256 of its ``content`` in
  RFC 8785 (JCS) canonical JSON; you recompute it before signing, so you never
  sign a hash of content you have not seen;
* the request carries ``Content-Digest`` (RFC 9530, SHA-256 of the body) and
  is signed over ``@method``, ``@target-uri``, ``content-type`` and
  ``content-digest`` with Ed25519, valid for ``--ttl`` seconds (300 at most),
  with a random nonce so it cannot be replayed.

Usage::

    python supplier_client.py --base-url URL --token JWT --key-file key.pem --keyid ID show PO
    python supplier_client.py ... acknowledge PO (--accept-all | --lines lines.json)
    python supplier_client.py ... deliver PO --lines lines.json [--reference DN-1]

``--token`` defaults to the GENDAN_SUPPLIER_TOKEN environment variable.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

COMPONENTS = ("@method", "@target-uri", "content-type", "content-digest")
CONTENT_TYPE = "application/json"
DEFAULT_TTL = 300  # the server refuses a longer window


class ContentHashMismatch(Exception):
    """The purchase order's content does not hash to its ``content_hash``."""


# --- RFC 8785 canonical JSON: what ``content_hash`` is computed over ---------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _jcs_string(text: str) -> str:
    out = ['"']
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError("lone surrogate in string")
        out.append(_ESCAPES.get(char) or (f"\\u{ord(char):04x}" if ord(char) < 0x20 else char))
    return "".join(out) + '"'


def _jcs(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError("integer beyond 2**53")
        return str(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("object keys must be strings")
        keys = sorted(value, key=lambda key: key.encode("utf-16-be", "surrogatepass"))  # UTF-16 code units
        return "{" + ",".join(f"{_jcs_string(key)}:{_jcs(value[key])}" for key in keys) + "}"
    raise TypeError(f"{type(value).__name__} is not allowed in canonical content (decimals are strings)")


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value``, UTF-8 encoded."""
    return _jcs(value).encode("utf-8")


def content_hash(value: Any) -> str:
    """Lowercase hex SHA-256 of the canonical JSON: the purchase order's ``content_hash``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


# --- RFC 9530 Content-Digest and RFC 9421 signature: what your key signs ----------


def content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def _sf_string(text: str) -> str:
    # RFC 8941 §3.3.3: printable ASCII only, with " and \ escaped.
    if not all(0x20 <= ord(char) <= 0x7E for char in text):
        raise ValueError(f"{text!r} must be printable ASCII")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sign(
    method: str,
    url: str,
    body: bytes,
    private_key: Ed25519PrivateKey,
    keyid: str,
    *,
    content_type: str = CONTENT_TYPE,
    created: int | None = None,
    ttl: int = DEFAULT_TTL,
    nonce: str | None = None,
    label: str = "sig1",
) -> dict[str, str]:
    """Headers to send with the request: Content-Type, Content-Digest,
    Signature-Input and Signature. ``url`` is the full URL requested."""
    created = int(time.time()) if created is None else created
    nonce = secrets.token_urlsafe(16) if nonce is None else nonce  # 16 random bytes, base64url
    digest = content_digest(body)
    params = (
        "(" + " ".join(_sf_string(name) for name in COMPONENTS) + ")"
        f";created={created};expires={created + ttl}"
        f";keyid={_sf_string(keyid)};alg=\"ed25519\";nonce={_sf_string(nonce)}"
    )
    values = {"@method": method.upper(), "@target-uri": url, "content-type": content_type, "content-digest": digest}
    # RFC 9421 §2.5: one line per covered component, then the parameters line.
    base = "".join(f'"{name}": {values[name]}\n' for name in COMPONENTS) + f'"@signature-params": {params}'
    signature = base64.b64encode(private_key.sign(base.encode("ascii"))).decode()
    return {
        "Content-Type": content_type,
        "Content-Digest": digest,
        "Signature-Input": f"{label}={params}",
        "Signature": f"{label}=:{signature}:",
    }


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


# --- the API calls ------------------------------------------------------------------


def show(client: httpx.Client, po_id: str) -> dict[str, Any]:
    """The purchase order, after checking its content hash."""
    response = client.get(f"/v1/supplier/purchase-orders/{po_id}")
    response.raise_for_status()
    order = response.json()
    recomputed = content_hash(order["content"])
    if recomputed != order["content_hash"]:
        raise ContentHashMismatch(f"content hashes to {recomputed}, the server says {order['content_hash']}")
    return order


def send_signed(
    client: httpx.Client, path: str, payload: Any, private_key: Ed25519PrivateKey, keyid: str, *, ttl: int = DEFAULT_TTL
) -> httpx.Response:
    """POST ``payload`` as JSON, signed over the exact URL httpx will send."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    request = client.build_request("POST", path, content=body)
    request.headers.update(sign("POST", str(request.url), body, private_key, keyid, ttl=ttl))
    return client.send(request)


def acknowledge(
    client: httpx.Client,
    po_id: str,
    private_key: Ed25519PrivateKey,
    keyid: str,
    *,
    accept_all: bool = False,
    lines: list[dict[str, Any]] | None = None,
    ttl: int = DEFAULT_TTL,
) -> httpx.Response:
    """Acknowledge the revision you just read: every line accepted, or your ``lines`` decisions."""
    if accept_all == (lines is not None):
        raise ValueError("give exactly one of accept_all=True or lines")
    order = show(client, po_id)  # refuses to sign if the hash does not match
    if accept_all:
        lines = [{"line_no": line["line_no"], "decision": "accept"} for line in order["content"]["lines"]]
    payload = {"revision": order["revision"], "content_hash": order["content_hash"], "lines": lines}
    path = f"/v1/supplier/purchase-orders/{po_id}/acknowledgement"
    return send_signed(client, path, payload, private_key, keyid, ttl=ttl)


def deliver(
    client: httpx.Client,
    po_id: str,
    private_key: Ed25519PrivateKey,
    keyid: str,
    *,
    lines: list[dict[str, Any]],
    reference: str | None = None,
    ttl: int = DEFAULT_TTL,
) -> httpx.Response:
    """Announce a delivery of ``lines`` against the purchase order."""
    payload = {"reference": reference, "lines": lines}
    path = f"/v1/supplier/purchase-orders/{po_id}/delivery-notes"
    return send_signed(client, path, payload, private_key, keyid, ttl=ttl)


# --- command line ---------------------------------------------------------------------


def _read_lines(path: str) -> list[dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["lines"] if isinstance(data, dict) else data


def _print_response(response: httpx.Response) -> int:
    print(response.status_code)
    try:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    except ValueError:
        print(response.text)
    return 0 if response.is_success else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", default=os.environ.get("GENDAN_SUPPLIER_TOKEN"))
    parser.add_argument("--key-file", help="Ed25519 private key PEM (required to sign)")
    parser.add_argument("--keyid", help="the keyid your public key was registered under")
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL, help="signature lifetime in seconds")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("show").add_argument("po_id")
    ack = commands.add_parser("acknowledge")
    ack.add_argument("po_id")
    choice = ack.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept-all", action="store_true")
    choice.add_argument("--lines", help='JSON file: [{"line_no": 1, "decision": "accept"}, ...]')
    dn = commands.add_parser("deliver")
    dn.add_argument("po_id")
    dn.add_argument("--lines", required=True, help="JSON file with the delivered lines")
    dn.add_argument("--reference")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or GENDAN_SUPPLIER_TOKEN) is required")
    if args.command != "show" and not (args.key_file and args.keyid):
        parser.error("--key-file and --keyid are required to sign")

    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        try:
            if args.command == "show":
                print(json.dumps(show(client, args.po_id), indent=2, ensure_ascii=False))
                print("content_hash OK")
                return 0
            key = load_private_key(args.key_file)
            if args.command == "acknowledge":
                lines = None if args.accept_all else _read_lines(args.lines)
                response = acknowledge(
                    client, args.po_id, key, args.keyid, accept_all=args.accept_all, lines=lines, ttl=args.ttl
                )
            else:
                response = deliver(
                    client, args.po_id, key, args.keyid,
                    lines=_read_lines(args.lines), reference=args.reference, ttl=args.ttl,
                )  # fmt: skip
        except ContentHashMismatch as exc:
            print(f"REFUSED to sign: {exc}", file=sys.stderr)
            return 1
        except httpx.HTTPStatusError as exc:
            return _print_response(exc.response)
    return _print_response(response)


if __name__ == "__main__":
    sys.exit(main())
