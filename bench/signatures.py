"""What the supplier portal's cryptography costs the server, per request:
RFC 9421 verification (Content-Digest, signature base, Ed25519) and the
RFC 8785 content hash of a PO revision, in microseconds, median of 5 runs.

    .venv/bin/python -m bench.signatures

Figures go to stdout as ``name value unit`` lines, as bench.run's do.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.canonical import content_hash
from app.api.httpsig import HttpRequestParts, sign_request, verify_request

URI = "http://127.0.0.1:8000/v1/supplier/purchase-orders/c04cb490-8201-447a-8982-d35c0144f519/acknowledgement"


def _median_us(work: Callable[[], object], n: int = 2000, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(n):
            work()
        timings.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(timings)


def _content(lines: int) -> dict:
    return {"purchase_order_id": "c04cb490-8201-447a-8982-d35c0144f519", "revision": 1,
            "supplier_id": "c97434c8-4d0c-4abc-bb29-a4d9ef06ad1d", "order_id": None,
            "currency": "USD", "terms": None, "total": "6250.00",
            "lines": [{"line_no": n, "item": "YKK #5 zip 18cm", "quantity": "1000",
                       "unit": "pcs", "unit_price": "0.125", "amount": "125.00",
                       "delivery_date": "2027-01-15"} for n in range(1, lines + 1)]}


def main() -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    for lines in (1, 20, 50):
        body = json.dumps({"revision": 1, "content_hash": "a" * 64, "lines": [
            {"line_no": n, "decision": "accept"} for n in range(1, lines + 1)]}).encode()
        signed = sign_request("POST", URI, {"content-type": "application/json"}, body, key, "k1")
        headers = {"content-type": "application/json",
                   **{name.lower(): value for name, value in signed.items()}}
        parts = HttpRequestParts("POST", URI, headers, body)
        # A fresh `now` each call is what the server does; the nonce is not
        # checked here (that is one INSERT, measured with the HTTP figures).
        verify = _median_us(lambda: verify_request(parts, lambda keyid: public))
        print(f"verify_ack_{lines}_lines {verify:.0f} us")
    for lines in (1, 20, 50):
        content = _content(lines)
        print(f"content_hash_{lines}_lines {_median_us(lambda: content_hash(content)):.0f} us")


if __name__ == "__main__":
    main()
