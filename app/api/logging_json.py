"""``gendan serve --log-format json``: one JSON object a line on stderr.

The standard ``logging`` module with a small formatter (no dependency: the
fields are few and fixed). Every record has ``time`` (UTC, ISO 8601 with
milliseconds), ``level``, ``logger``, ``message`` and, while a request is
answered, its ``request_id``; the access records of ``gendan.access``
(app/api/observe.py) add ``method``, ``route``, ``path``, ``status`` and
``duration_ms`` and replace uvicorn's own access lines.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from app.api.request_id import current_request_id

LOG_FORMATS = ("text", "json")
ACCESS_FIELDS = ("method", "route", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(log_format: str, level: str) -> dict[str, Any] | None:
    """The ``logging.config`` dictionary uvicorn applies in every worker;
    None for ``text``: uvicorn's own (its access lines included)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}: one of {', '.join(LOG_FORMATS)}")
    if log_format == "text":
        return None
    propagate = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": propagate,
            "uvicorn.error": propagate,
            # gendan.access says the same with the request id and the route.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
