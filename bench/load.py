"""The HTTP client: a fixed list of requests (the mix), sent at a fixed
concurrency (closed loop, for the maximum rate) or at a fixed arrival rate
(open loop, for latency at a given load), and a probe of projection lag.

The client shares the two cores with the server and the database, so it must
be cheap: httpx costs about 1.7 ms of CPU per request here (it saturates a
core at ~600 trivial requests/s), so the default client is a minimal
HTTP/1.1 keep-alive client on asyncio with httptools' C parser, with every
request encoded before the clock starts (``--client httpx`` to compare).
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httptools
import httpx
import psycopg

from bench.stores import Store

SHIPPED_ON = "2027-01-15"

# The mix of issue 3: 70 % commands on existing orders, 20 % board/finance
# reads, 10 % new orders (weights in percent of all requests).
MIX = {
    "payment": 35, "sample": 17.5, "cost": 17.5,                    # commands
    "board": 10, "finance_orders": 5, "finance_summary": 5,         # reads
    "create": 10,                                                   # new orders
}
COMMANDS_ONLY = {"payment": 50, "sample": 25, "cost": 25}
KIND = {"payment": "command", "sample": "command", "cost": "command",
        "board": "read", "finance_orders": "read", "finance_summary": "read",
        "create": "create"}


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str
    role: str
    body: dict[str, Any] | None = None
    probe_lag: bool = False

    @property
    def kind(self) -> str:
        return KIND[self.name]


@dataclass
class Result:
    name: str
    kind: str
    status: int
    latency: float           # seconds, from the (scheduled) send to the full answer
    done_at: float


@dataclass
class Pool:
    customers: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)


def order_body(customer_id: str, reference: str) -> dict[str, Any]:
    return {
        "reference": reference, "customer_id": customer_id, "currency": "USD",
        "incoterm": "FOB", "delivery_date": "2027-03-01", "samples_required": True,
        "payment_terms": {"method": "TT", "deposit_percent": "30"},
        "lines": [{"sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
                   "quantity": "10000", "unit": "m", "unit_price": "0.85"}],
    }


def make_plan(rng: random.Random, count: int, pool: Pool, weights: dict[str, float],
              probe_every: int = 0) -> list[Request]:
    names = rng.choices(list(weights), weights=list(weights.values()), k=count)
    plan, commands = [], 0
    for name in names:
        order = pool.orders[rng.randrange(len(pool.orders))]
        if name == "payment":
            req = Request(name, "POST", f"/v1/orders/{order}/payments", "accountant", {
                "kind": "deposit", "amount": "1.00", "currency": "USD",
                "received_on": SHIPPED_ON, "reference": f"TT-{rng.getrandbits(32):08x}"})
        elif name == "sample":
            req = Request(name, "POST", f"/v1/orders/{order}/samples", "merchandiser",
                          {"stage": "style"})
        elif name == "cost":
            req = Request(name, "POST", f"/v1/orders/{order}/cost-analysis", "accountant", {
                "costs": [{"item": "fabric", "amount": "8000.00", "currency": "USD"}],
                "fx_rates": {}})
        elif name == "board":
            req = Request(name, "GET", "/v1/board?limit=50", "manager")
        elif name == "finance_orders":
            req = Request(name, "GET", "/v1/finance/orders?limit=50", "accountant")
        elif name == "finance_summary":
            req = Request(name, "GET", "/v1/finance/summary", "accountant")
        else:
            customer = pool.customers[rng.randrange(len(pool.customers))]
            req = Request(name, "POST", "/v1/orders", "merchandiser",
                          order_body(customer, f"BENCH-{rng.getrandbits(64):016x}"))
        if req.kind == "command":
            commands += 1
            if probe_every and commands % probe_every == 0:
                req = Request(req.name, req.method, req.path, req.role, req.body, True)
        plan.append(req)
    return plan


class LagProbe:
    """Time from a command's answer (with its ``position``) to the board's
    tracking row reaching that position, read straight from the store every
    ~2 ms while some answer is still waiting (never through the API's
    ``min_position``, which waits server-side)."""

    def __init__(self, store: Store, interval: float = 0.002, give_up: float = 30.0):
        self.store, self.interval, self.give_up = store, interval, give_up
        self.lags: list[float] = []
        self.timeouts = 0
        self.polls = 0
        self._pending: list[tuple[int, float]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-probe", daemon=True)

    def _connect(self) -> Any:
        if self.store.kind == "postgres":
            conn = psycopg.connect(self.store.url, autocommit=True)
            return lambda: conn.execute(
                "SELECT position FROM rm_tracking WHERE name = 'board'").fetchone()[0], conn
        path = self.store.url.split("sqlite:///", 1)[1]
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        return lambda: conn.execute(
            "SELECT position FROM rm_tracking WHERE name = 'board'").fetchone()[0], conn

    def __enter__(self) -> LagProbe:
        self._query, self._conn = self._connect()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.drain()
        self._stop.set()
        self._thread.join(timeout=10)
        self._conn.close()

    def add(self, position: int, answered_at: float) -> None:
        with self._lock:
            self._pending.append((position, answered_at))

    def drain(self) -> None:
        deadline = time.perf_counter() + self.give_up + 1
        while time.perf_counter() < deadline:
            with self._lock:
                if not self._pending:
                    return
            time.sleep(0.01)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                waiting = bool(self._pending)
            if not waiting:
                time.sleep(self.interval)
                continue
            position = int(self._query() or 0)
            now = time.perf_counter()
            self.polls += 1
            with self._lock:
                keep = []
                for pos, at in self._pending:
                    if pos <= position:
                        self.lags.append(max(0.0, now - at))
                    elif now - at > self.give_up:
                        self.timeouts += 1
                    else:
                        keep.append((pos, at))
                self._pending = keep
            time.sleep(self.interval)


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future | None = None
        self.body: list[bytes] = []
        self.closed = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("connection closed by the server"))

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.body = []

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.parser.should_keep_alive():
            self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), b"".join(self.body)))

    def _fail(self, exc: BaseException) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def request(self, raw: bytes, timeout: float) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await asyncio.wait_for(self.waiter, timeout)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class RawPool:
    """Up to ``size`` keep-alive connections to one host."""

    def __init__(self, host: str, port: int, size: int, timeout: float = 30.0):
        self.host, self.port, self.size, self.timeout = host, port, size, timeout
        self.idle: list[_Connection] = []
        self.all: list[_Connection] = []
        self.free = asyncio.Semaphore(size)

    async def request(self, prepared: Prepared) -> tuple[int, bytes]:
        async with self.free:
            conn = None
            while self.idle and conn is None:
                candidate = self.idle.pop()
                conn = None if candidate.closed else candidate
            if conn is None:
                _, conn = await asyncio.get_running_loop().create_connection(
                    _Connection, self.host, self.port)
                self.all.append(conn)
            try:
                result = await conn.request(prepared.raw, self.timeout)
            except BaseException:
                conn.close()
                raise
            if not conn.closed:
                self.idle.append(conn)
            return result

    async def __aenter__(self) -> RawPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in self.all:
            conn.close()


class HttpxPool:
    def __init__(self, base: str, size: int, timeout: float = 30.0):
        self.client = httpx.AsyncClient(
            base_url=base, timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size))

    async def request(self, prepared: Prepared) -> tuple[int, bytes]:
        r = await self.client.request(prepared.method, prepared.path, headers=prepared.headers,
                                      content=prepared.body)
        return r.status_code, r.content

    async def __aenter__(self) -> HttpxPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()


@dataclass(frozen=True)
class Prepared:
    req: Request
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    raw: bytes


class Driver:
    def __init__(self, base: str, tokens: dict[str, str], client: str = "raw"):
        self.base = base
        host, port = base.split("://", 1)[1].rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.client_kind = client
        self.tokens = tokens
        self.auth = {role: {"Authorization": f"Bearer {tok}"} for role, tok in tokens.items()}
        self.failures: dict[str, int] = {}
        self.failure_samples: list[str] = []

    def pool(self, connections: int) -> RawPool | HttpxPool:
        if self.client_kind == "httpx":
            return HttpxPool(self.base, connections)
        return RawPool(self.host, self.port, connections)

    def prepare(self, req: Request) -> Prepared:
        """Everything but the send, done before the clock starts (a unique
        Idempotency-Key on every POST)."""
        headers = {"Host": f"{self.host}:{self.port}", **self.auth[req.role],
                   "Accept": "application/json"}
        body = None
        if req.method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if req.body is not None:
            body = json.dumps(req.body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if body is not None or req.method == "POST":
            headers["Content-Length"] = str(len(body or b""))
        head = f"{req.method} {req.path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        return Prepared(req, req.method, req.path, headers, body, head.encode() + (body or b""))

    async def send(self, pool: RawPool | HttpxPool, prepared: Prepared, started: float,
                   probe: LagProbe | None) -> Result:
        req = prepared.req
        try:
            status, body = await pool.request(prepared)
        except (OSError, asyncio.TimeoutError, httpx.HTTPError, httptools.HttpParserError) as exc:
            status, body = 0, b""
            self._fail(req, f"{type(exc).__name__}: {exc}")
        done = time.perf_counter()
        if status >= 300:
            self._fail(req, f"{status} {body[:200].decode(errors='replace')}")
        elif status and probe is not None and req.probe_lag:
            position = json.loads(body).get("position")
            if position:
                probe.add(int(position), done)
        return Result(req.name, req.kind, status, done - started, done)

    def _fail(self, req: Request, text: str) -> None:
        key = f"{req.name}:{text.split(' ', 1)[0]}"
        self.failures[key] = self.failures.get(key, 0) + 1
        if len(self.failure_samples) < 5:
            self.failure_samples.append(f"{req.method} {req.path}: {text}")

    async def closed_loop(self, plan: Sequence[Request], concurrency: int,
                          probe: LagProbe | None = None) -> tuple[list[Result], float]:
        """``concurrency`` workers, each sending the next request as soon as
        its previous one is answered: the maximum rate."""
        results: list[Result] = []
        queue = iter([self.prepare(req) for req in plan])
        async with self.pool(concurrency) as pool:
            async def worker() -> None:
                for prepared in queue:
                    results.append(await self.send(pool, prepared, time.perf_counter(), probe))

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - t0
        return results, elapsed

    async def open_loop(self, plan: Sequence[Request], rate: float, connections: int = 64,
                        probe: LagProbe | None = None) -> tuple[list[Result], float]:
        """Requests arrive at ``rate`` per second whatever the answers do;
        latency counts from the scheduled arrival (no coordinated omission),
        including any wait for one of the ``connections``."""
        results: list[Result] = []
        prepared = [self.prepare(req) for req in plan]
        async with self.pool(connections) as pool:
            async def one(p: Prepared, scheduled: float) -> None:
                results.append(await self.send(pool, p, scheduled, probe))

            tasks = []
            t0 = time.perf_counter()
            for i, p in enumerate(prepared):
                scheduled = t0 + i / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(p, scheduled)))
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - t0
        return results, elapsed

    async def sequential(self, path: str, role: str, count: int, warmup: int = 20) -> list[float]:
        """``count`` GETs one after the other (no queueing): latencies in s."""
        latencies = []
        prepared = self.prepare(Request("board", "GET", path, role))
        async with self.pool(1) as pool:
            for i in range(warmup + count):
                t0 = time.perf_counter()
                status, body = await pool.request(prepared)
                elapsed = time.perf_counter() - t0
                if status != 200:
                    raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
                if i >= warmup:
                    latencies.append(elapsed)
        return latencies

    async def setup_pool(self, customers: int, orders: int, rng: random.Random) -> Pool:
        """Customers and orders to run commands on, created over HTTP before
        any clock starts (httpx: convenience over speed)."""
        pool = Pool()
        async with httpx.AsyncClient(base_url=self.base, timeout=30,
                                     limits=httpx.Limits(max_connections=8)) as client:
            for i in range(customers):
                r = await client.post("/v1/customers", headers=self.auth["manager"], json={
                    "name": f"Bench customer {i}", "country": ("DE", "US", "CN", "GB")[i % 4]})
                r.raise_for_status()
                pool.customers.append(r.json()["id"])
            sem = asyncio.Semaphore(8)

            async def create(i: int) -> None:
                customer = pool.customers[i % len(pool.customers)]
                body = order_body(customer, f"POOL-{i}-{rng.getrandbits(32)}")
                async with sem:
                    r = await client.post("/v1/orders", headers=self.auth["merchandiser"],
                                          json=body)
                if r.status_code != 201:
                    raise RuntimeError(f"creating a pool order: {r.status_code} {r.text[:300]}")
                pool.orders.append(r.json()["id"])

            await asyncio.gather(*(create(i) for i in range(orders)))
        return pool
