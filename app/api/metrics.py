"""``GET /metrics``: Prometheus text for operators (``prometheus-client``).

Labels are bounded: the route is its template (``/v1/orders/{order_id}``,
never the id), ``<none>`` when no route answered (an unknown path, a CORS
preflight); commands are named by their operationId. Counted as requests
are answered (``Observe``, app/api/observe.py):

- ``gendan_http_requests_total{method,route,status}`` and
  ``gendan_http_request_duration_seconds{method,route}`` (a histogram);
- ``gendan_commands_total{operation,outcome}``: POST, PUT and DELETE
  routes by status class (``2xx``, ``4xx``, ``5xx``);
- ``gendan_idempotency_replays_total{operation}``: answers replayed for a
  retried ``Idempotency-Key`` (``Idempotency-Replayed: true``);
- ``gendan_signature_refusals_total{route}``: the portal's 401s for a
  missing or bad signature (they carry ``Accept-Signature``).

Read when scraped, from what the process already knows: the event store's
last position and each projection's, and the lag between them
(``gendan_event_store_position``, ``gendan_projection_position{projection}``,
``gendan_projection_lag_events{projection}``).

Each process counts its own requests: with ``--workers N`` a scrape reads
one worker's (Prometheus' multiprocess mode is not set up).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from sqlalchemy import select

from app.projections.runner import NAMES, make_engine
from app.projections.tables import tracking

log = logging.getLogger("gendan.metrics")
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Seconds: most answers take a few ms (FACTS.md); a waiting read up to
# read_wait_seconds (5 s by default).
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Positions:
    """The gauges read at scrape time. Before the boot is done, or while
    the database does not answer, they are left out (the counters stay)."""

    def __init__(self, app: FastAPI):
        self._app = app
        self._engine: Any = None  # for a process without its own projections

    def _projection_positions(self, boot: Any) -> dict[str, int]:
        if boot.runner is not None:
            return boot.runner.positions()
        if self._engine is None:
            self._engine = make_engine(boot.settings)
        with self._engine.connect() as conn:
            rows = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
        return {name: int(rows.get(name, 0)) for name in NAMES}

    def collect(self) -> Iterator[Metric]:
        boot = getattr(self._app.state, "boot", None)
        if boot is None or boot.gendan is None:
            return
        try:
            store = boot.gendan.last_position()
            projections = self._projection_positions(boot)
        except Exception as exc:  # noqa: BLE001 - a scrape in an outage keeps the counters
            log.warning("metrics: positions unavailable: %s: %s", type(exc).__name__, exc)
            return
        yield GaugeMetricFamily("gendan_event_store_position",
                                "The event store's last notification id", value=store)
        position = GaugeMetricFamily("gendan_projection_position",
                                     "The last event a projection applied", labels=["projection"])
        lag = GaugeMetricFamily("gendan_projection_lag_events",
                                "Events stored but not yet applied by a projection",
                                labels=["projection"])
        for name, at in sorted(projections.items()):
            position.add_metric([name], at)
            lag.add_metric([name], max(0, store - at))
        yield position
        yield lag


class Metrics:
    """One registry per app (tests build several apps in one process)."""

    def __init__(self, app: FastAPI):
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("gendan_http_requests", "HTTP answers",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("gendan_http_request_duration_seconds",
                                 "Time to answer, first byte of the request to the last of the "
                                 "answer", ["method", "route"], buckets=_BUCKETS, registry=r)
        self.commands = Counter("gendan_commands", "Commands by operationId and status class",
                                ["operation", "outcome"], registry=r)
        self.replays = Counter("gendan_idempotency_replays",
                               "Answers replayed for a retried Idempotency-Key",
                               ["operation"], registry=r)
        self.signature_refusals = Counter("gendan_signature_refusals",
                                          "Portal requests refused for their signature (401)",
                                          ["route"], registry=r)
        self.positions = Positions(app)
        r.register(self.positions)

    def observe(self, *, method: str, route: str, operation: str | None, status: int,
                seconds: float, replayed: bool, signature_refused: bool) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if operation is not None and method in COMMAND_METHODS:
            self.commands.labels(operation, f"{status // 100}xx").inc()
            if replayed:
                self.replays.labels(operation).inc()
        if signature_refused:
            self.signature_refusals.labels(route).inc()


def install_metrics(app: FastAPI) -> Metrics:
    # No ``*_created`` series beside every counter (process-wide): they double
    # the scrape for a start time Prometheus does not need.
    disable_created_metrics()
    metrics = Metrics(app)
    app.state.metrics = metrics

    # A plain def: the positions are read from the database in the threadpool.
    def prometheus(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", prometheus, methods=["GET"], include_in_schema=False,
                      name="metrics")
    return metrics
