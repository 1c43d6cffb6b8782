"""Nothing is lost when things die: the server killed with -9 in the middle
of a stream of retried commands, the projection worker killed mid-batch,
PostgreSQL stopped for a few seconds. Bounded in time, loopback only.

The PostgreSQL that is stopped is a private cluster of that test alone
(tests/pgcluster.py), never the machine's, nor the session's on which the
other tests keep their databases."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from app.api.auth import issue_token
from app.application import Gendan
from app.domain.customer import Customer
from app.domain.values import Actor
from app.projections.runner import rebuild_all
from app.projections.tables import READ_MODEL_TABLES, tracking
from app.application.migrate import migrate
from tests.conftest import Databases, private_cluster
from tests.live import LiveServer, free_port
from tests.pgcluster import PgCluster
from tests.processes import Processes, clean_env, wait_until

CLIENTS, COMMANDS = 4, 30


def dump(settings) -> dict[str, list]:
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                    for t in (*READ_MODEL_TABLES, tracking)}
    finally:
        engine.dispose()


def assert_consistent(settings) -> None:
    """No version hole in any aggregate; projections equal a full rebuild and
    their tracking position is the last event."""
    gendan = Gendan(settings)
    try:
        events = gendan.feed.read(0, 100_000)
    finally:
        gendan.close()
    positions = [e["position"] for e in events]
    # Strictly increasing; PostgreSQL sequences may skip a value that a
    # rolled-back insert took (a killed request), so not always contiguous.
    assert positions == sorted(set(positions))
    versions = defaultdict(list)
    for event in events:
        versions[event["aggregate_id"]].append(event["version"])
    for aggregate, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"version hole in {aggregate}"
    live = dump(settings)
    assert {row[1] for row in live["rm_tracking"]} == {positions[-1]}
    assert rebuild_all(settings) == len(events)
    assert dump(settings) == live


@pytest.fixture
def server_env(databases, store, tmp_path):
    settings = databases.settings(store)
    env = clean_env(GENDAN_DATABASE_URL=settings.database_url,
                    GENDAN_JWT_SECRET=settings.jwt_secret, GENDAN_VAR_DIR=str(settings.var_dir),
                    GENDAN_IDEMPOTENCY_LEASE_SECONDS="1")
    procs = Processes(tmp_path, env)
    yield settings, procs
    procs.stop_all()


async def test_kill_9_during_retried_commands(server_env):
    settings, procs = server_env
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs.start("serve", "--port", str(port))
    wait_until(f"{base}/readyz")
    manager = {"Authorization": f"Bearer {issue_token(settings, 'chen', 'manager')}"}
    accountant = {"Authorization": f"Bearer {issue_token(settings, 'wang', 'accountant')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        customer = (await client.post("/v1/customers", headers=manager,
                                      json={"name": "C", "country": "DE"})).json()["id"]
        orders = []
        for n in range(CLIENTS):
            response = await client.post("/v1/orders", headers=manager, json={
                "reference": f"PO-{n}", "customer_id": customer, "currency": "USD",
                "incoterm": "FOB", "delivery_date": "2027-03-01", "samples_required": False,
                "payment_terms": {"method": "TT"},
                "lines": [{"sku": "A", "quantity": "1000", "unit": "pc", "unit_price": "5"}]})
            orders.append(response.json()["id"])

        async def retry_until_acknowledged(order_id: str, n: int) -> dict:
            key = f"{order_id}-{n}"
            body = {"kind": "deposit", "amount": "1.00", "currency": "USD",
                    "received_on": "2027-01-15", "reference": key}
            for _ in range(600):
                try:
                    response = await client.post(f"/v1/orders/{order_id}/payments", json=body,
                                                 headers={**accountant, "Idempotency-Key": key})
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
                    continue
                if response.status_code == 200:
                    return response.json()
                assert response.status_code in (409, 503), response.text
                await asyncio.sleep(0.05)
            raise AssertionError(f"command {key} never acknowledged")

        async def client_stream(order_id: str) -> list[dict]:
            return [await retry_until_acknowledged(order_id, n) for n in range(COMMANDS)]

        async def killer() -> None:
            for _ in range(2):
                await asyncio.sleep(0.8)
                procs.running[-1].kill()  # kill -9, mid-stream
                procs.running[-1].wait()
                procs.start("serve", "--port", str(port))

        acknowledged, _ = await asyncio.gather(
            asyncio.gather(*(client_stream(o) for o in orders)), killer())
        assert sum(len(a) for a in acknowledged) == CLIENTS * COMMANDS
        await asyncio.to_thread(wait_until, f"{base}/readyz")
        for order_id in orders:
            order = (await client.get(f"/v1/orders/{order_id}", headers=manager)).json()
            # Exactly one effect per acknowledged command.
            assert order["paid"] == f"{COMMANDS}.00"
            assert order["version"] == 1 + COMMANDS
    procs.running[-1].send_signal(signal.SIGTERM)
    procs.running[-1].wait(timeout=30)
    assert_consistent(settings)


def test_projection_worker_killed_mid_batch(databases, tmp_path):
    settings = databases.settings("postgres")
    migrate(settings)
    gendan = Gendan(settings)
    manager = Actor("chen", "manager")
    try:
        for _ in range(20):  # 6,000 events, 300 per transaction
            gendan.store.save(*(Customer.register(f"C{uuid.uuid4().hex[:6]}", "FR", manager)
                          for _ in range(300)))
        last = gendan.last_position()
    finally:
        gendan.close()
    procs = Processes(tmp_path, clean_env(GENDAN_DATABASE_URL=settings.database_url))
    engine = create_engine(settings.sqlalchemy_url())
    try:
        worker = procs.start("projections", "run")
        position = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and position == 0:
            with engine.connect() as conn:
                position = conn.execute(text("SELECT MIN(position) FROM rm_tracking")
                                        ).scalar() or 0
            time.sleep(0.005)
        worker.kill()
        worker.wait()
        assert 0 < position < last, "the worker was not caught mid-way"
        procs.start("projections", "run")
        while time.monotonic() < deadline and position < last:
            with engine.connect() as conn:
                position = conn.execute(text("SELECT MIN(position) FROM rm_tracking")).scalar()
            time.sleep(0.05)
    finally:
        procs.stop_all()
        engine.dispose()
    assert_consistent(settings)


@pytest.fixture
def own_postgres(tmp_path) -> Iterator[tuple[PgCluster, Databases]]:
    """A cluster for the outage test alone, and databases on it. Its
    databases go with the cluster: no drop needed."""
    cluster = private_cluster()
    try:
        yield cluster, Databases(tmp_path, admin_url=cluster.admin_url)
    finally:
        cluster.remove()


async def audit_at(client: httpx.AsyncClient, headers: dict, position: int,
                   timeout: float = 60) -> httpx.Response:
    """The audit read once its projection has reached ``position``. After an
    outage the projection worker reconnects in its own time, which on a busy
    machine can exceed one read's wait (503 Not ready): ask again, bounded."""
    deadline = time.monotonic() + timeout
    while True:
        audit = await client.get("/v1/audit", headers=headers, params={"min_position": position})
        if audit.status_code != 503 or time.monotonic() > deadline:
            return audit
        await asyncio.sleep(0.2)


# The outage's bounds (issue 14, item 5), from the moment the database stops
# answering (pg_ctl stop has returned) and from the moment it is back
# (pg_ctl start has returned): a command and a read answer 503 within
# DOWN_SECONDS, readiness within READY_SECONDS, and commands and readiness
# are back within RECOVERY_SECONDS.
DOWN_SECONDS, READY_SECONDS, RECOVERY_SECONDS = 3.0, 1.0, 2.0


async def _timed(since: float, request) -> tuple[httpx.Response, float]:
    response = await request
    return response, time.monotonic() - since


async def _until(since: float, request, done,
                 timeout: float = 60) -> tuple[httpx.Response, float]:
    """The first answer of ``request()`` that is ``done``, and its seconds from ``since``."""
    while True:
        response = await request()
        if done(response):
            return response, time.monotonic() - since
        assert time.monotonic() - since < timeout, response.text
        await asyncio.sleep(0.05)


async def test_postgres_stopped_for_a_few_seconds(own_postgres):
    cluster, databases = own_postgres
    settings = databases.settings("postgres", read_wait_seconds=1.0)
    server = LiveServer(settings).start()
    headers = {"Authorization": f"Bearer {issue_token(settings, 'chen', 'manager')}"}
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            before = await client.post("/v1/customers", headers=headers,
                                       json={"name": "Before", "country": "DE"})
            assert before.status_code == 201
            assert (await client.get("/v1/board", headers=headers)).status_code == 200
            cluster.stop()
            try:
                # A command first, alone for a moment, so that the event store
                # finds the outage by itself (no connection within the pool's
                # timeout); then a load balancer's probe and a read, which
                # find it through the read models' engine. Each is timed
                # from the stop.
                stopped = time.monotonic()
                command = asyncio.ensure_future(_timed(stopped, client.post(
                    "/v1/customers", headers=headers, json={"name": "During", "country": "DE"})))
                await asyncio.sleep(0.3)
                (ready, ready_s), (board, board_s) = await asyncio.gather(
                    _timed(stopped, client.get("/readyz")),
                    _timed(stopped, client.get("/v1/board", headers=headers)))
                down, down_s = await command
                assert down.status_code == 503, down.text
                assert down.headers["content-type"] == "application/problem+json"
                assert int(down.headers["Retry-After"]) > 0
                assert ready.status_code == 503 and ready.headers["Retry-After"]
                assert board.status_code == 503, board.text
                assert board.headers["content-type"] == "application/problem+json"
                assert int(board.headers["Retry-After"]) > 0
                # Once open, the breaker answers at once.
                again, again_s = await _timed(time.monotonic(), client.post(
                    "/v1/customers", headers=headers, json={"name": "During", "country": "DE"}))
                assert again.status_code == 503 and again_s < 0.5, (again.text, again_s)
            finally:
                cluster.start()  # returns once it accepts connections
            started = time.monotonic()
            (_, ready_back_s), (after, after_s) = await asyncio.gather(
                _until(started, lambda: client.get("/readyz"),
                       lambda r: r.status_code == 200),
                # A 503 here wrote nothing (the breaker or no connection):
                # only the one 201 appends "After".
                _until(started, lambda: client.post("/v1/customers", headers=headers,
                                                    json={"name": "After", "country": "DE"}),
                       lambda r: r.status_code != 503))
            print(f"\noutage: command 503 after {down_s:.2f}s, read 503 after {board_s:.2f}s, "
                  f"readiness 503 after {ready_s:.2f}s, next command 503 in {again_s:.3f}s; "
                  f"back: readiness 200 after {ready_back_s:.2f}s, "
                  f"command 201 after {after_s:.2f}s")
            assert after.status_code == 201, after.text
            assert down_s <= DOWN_SECONDS and board_s <= DOWN_SECONDS
            assert ready_s <= READY_SECONDS
            assert ready_back_s <= RECOVERY_SECONDS and after_s <= RECOVERY_SECONDS
            position = (await client.get("/v1/events", headers=headers,
                                         params={"after": 0})).json()["data"][-1]["position"]
            audit = await audit_at(client, headers, position)
            assert audit.status_code == 200
            names = [row["data"]["name"] for row in audit.json()["data"]]
            assert names == ["Before", "After"]  # nothing lost, nothing half-written
    finally:
        server.stop()
