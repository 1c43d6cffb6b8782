"""``gendan serve --log-format json`` (issue 13, item 8): one JSON object a
line, one access record per request with its request id and route."""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
import uuid

import httpx
import pytest

from app.api.logging_json import JsonFormatter, log_config
from tests.live import free_port
from tests.processes import Processes, clean_env, wait_until

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_the_formatter_writes_one_object_with_the_access_fields():
    record = logging.LogRecord("gendan.access", logging.INFO, __file__, 1, "%s %s", ("GET", "/x"),
                               None)
    for name, field in dict(request_id="r-1", method="GET", route="/v1/orders/{order_id}",
                            path="/v1/orders/1", status=200, duration_ms=1.5).items():
        setattr(record, name, field)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert TIME.fullmatch(entry.pop("time"))
    assert entry == {"level": "INFO", "logger": "gendan.access", "message": "GET /x",
                     "request_id": "r-1", "method": "GET", "route": "/v1/orders/{order_id}",
                     "path": "/v1/orders/1", "status": 200, "duration_ms": 1.5}
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("gendan", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failed))["exc_info"]


def test_text_keeps_uvicorns_logging_and_other_formats_are_refused():
    assert log_config("text", "info") is None
    assert log_config("json", "info")["root"]["level"] == "INFO"
    with pytest.raises(ValueError):
        log_config("xml", "info")


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path, clean_env())
    yield procs
    procs.stop_all()


def test_serve_logs_json_lines_with_the_request_id(processes):
    port = free_port()
    server = processes.start("serve", "--port", str(port), "--log-format", "json")
    base = f"http://127.0.0.1:{port}"
    wait_until(f"{base}/readyz")
    rid = f"it-{uuid.uuid4().hex[:8]}"
    token = processes.run("token", "--sub", "chen", "--role", "manager")
    missing = httpx.get(f"{base}/v1/orders/{uuid.uuid4()}", headers={
        "Request-Id": rid, "Authorization": f"Bearer {token}"})
    assert missing.status_code == 404 and missing.headers["request-id"] == rid
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    lines = server.stderr.read().decode().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one object
    assert all(TIME.fullmatch(e["time"]) and e["level"] and "message" in e for e in entries)
    access = [e for e in entries if e["logger"] == "gendan.access" and e["request_id"] == rid]
    assert len(access) == 1, lines
    entry = access[0]
    assert (entry["method"], entry["route"], entry["status"]) == (
        "GET", "/v1/orders/{order_id}", 404)
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert not any(e["logger"] == "uvicorn.access" for e in entries)  # replaced, not doubled
    assert any(e["logger"].startswith("uvicorn") for e in entries)  # the server's own, as JSON
