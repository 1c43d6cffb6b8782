"""Bad input never costs data: schemathesis against the committed openapi.json.

Real HTTP to a LiveServer (uvicorn in a thread) on SQLite and on PostgreSQL,
with every schemathesis phase:

- examples, coverage and fuzzing, one pytest item per operation
  (``@schema.parametrize()``), as a manager (everything is allowed, so the
  inputs reach the domain), and in smaller slices as ``bi`` (403 on every
  command) and without a token (401 everywhere);
- stateful: chains of real calls along the OpenAPI links
  (createCustomer -> createOrder -> the order's commands, requestSample ->
  decideSample; ``app.api.links``) plus the links schemathesis infers.

Every built-in check runs; the few expected statuses widened below say why.
The budget is fixed (``max-examples``, ``max-steps``, a seed, no example
database, a deadline per example): about 1,700 requests per manager slice,
80 stateful scenarios per store, some 80 s in all. Schemathesis applies link
parameters with a coin of its own (true randomness), so the stateful phase
is reproducible in practice rather than by construction.

The schema is loaded from the committed file at import time (the pytest
plugin collects one item per operation from it), so the servers listen on
ports chosen here and use a JWT secret made here;
``test_served_spec_is_the_committed_one`` proves the file is what the server
serves. The lazy ``schemathesis.pytest.from_fixture`` loader would avoid
that, but it reads ``Item._nodeid``, which pytest 9.2 no longer has.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import hypothesis
import pytest
import schemathesis

from app.api.auth import issue_token
from app.config import Settings
from tests.conftest import Databases
from tests.live import LiveServer, free_port

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.json"
SEED = 20_261_126
SECRET = "fuzz-secret-" + "s" * 40
STEPS = 20  # per stateful scenario
PORTS = {"sqlite": free_port(), "postgres": free_port()}

# Operations whose `min_position` waits for the projections: a position past
# the head answers the documented 503 + Retry-After once `read_wait_seconds`
# (kept short here) has passed. That is the contract, not a server error.
WAITING_READS = ["getBoard", "listFinanceOrders", "getFinanceSummary", "listAudit",
                 "listSuppliers", "listPurchaseOrders", "listMyPurchaseOrders",
                 "getSupplierPerformance", "getPayables"]
LIST_READS = [*WAITING_READS, "listEvents", "healthz", "readyz"]
ACCEPTED = ["2xx", "401", "403", "404", "409", "412", "422"]

# Values the domain accepts, drawn most of the time for the fields whose
# schema pattern is wider than the domain (ISO codes, decimals that must be
# positive and whose products must fit): without them a random order is
# almost never valid, and the commands after it only ever see 404 and 422.
DICTIONARIES = {
    "currencies": {"values": ["USD", "EUR", "CNY", "JPY", "GBP"]},
    "countries": {"values": ["DE", "US", "CN", "NG", "KE", "BR", "GB", "AE"]},
    "quantities": {"values": ["1", "12", "250.5", "10000"]},
    "prices": {"values": ["0.85", "1", "12.5", "4800"]},
    "amounts": {"values": ["1.00", "100", "2550.00", "42000"]},
    "percents": {"values": ["0", "30", "50", "100"]},
}
BINDINGS = {
    path: {"dictionary": dictionary, "probability": 0.8}
    for dictionary, paths in {
        "currencies": ["body.currency", "body.costs[*].currency"],
        "countries": ["body.country", "body.issuing_bank_country",
                      "body.confirming_bank_country",
                      "body.payment_terms.issuing_bank_country",
                      "body.payment_terms.confirming_bank_country"],
        "quantities": ["body.lines[*].quantity"],
        "prices": ["body.lines[*].unit_price"],
        "amounts": ["body.amount", "body.costs[*].amount"],
        "percents": ["body.deposit_percent", "body.payment_terms.deposit_percent"],
    }.items()
    for path in paths
}


def _token(role: str) -> str:
    settings = Settings(database_url="memory:", jwt_secret=SECRET)
    return issue_token(settings, f"fuzz-{role}", role, ttl=24 * 3600)


def _schema(store: str, role: str | None, *, max_examples: int,
            phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")):
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": f"http://127.0.0.1:{PORTS[store]}",
        # As auth, not as a plain header: `ignored_auth` then knows the token
        # is the real one and probes without it (and with a forged one).
        **({"auth": {"openapi": {"HTTPBearer": {"bearer": _token(role)}}}} if role else {}),
        "request-timeout": 15,
        "generation": {"max-examples": max_examples, "database": "none"},
        "dictionaries": DICTIONARIES,
        "parameters": BINDINGS,
        "phases": {
            **{name: {"enabled": name in phases}
               for name in ("examples", "coverage", "fuzzing", "stateful")},
            # Chains of schema-valid steps, so they reach deep into an order's
            # life; the other phases send the schema-violating input.
            "stateful": {"enabled": "stateful" in phases, "max-steps": STEPS,
                         "generation": {"mode": "positive"}},
        },
        "checks": {
            # Schema-valid is not always domain-valid, by design (schemas.py):
            # ISO 3166/4217 membership, decimals that must be > 0, text that
            # strips to nothing, quantity x price < 10^15, a cursor this
            # endpoint did not issue: 422 with the field named. 412: an
            # If-Match naming a version the order does not have.
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "operations": [{
            # The stateful phase follows the write side's links; the reads
            # (fuzzed in the other phases) would only dilute its chains.
            "include-operation-id": LIST_READS,
            "phases": {"stateful": {"enabled": False}},
        }, {
            # An order has a packing list once one is issued (issue 12): the
            # inferred link from a new order to it answers the documented 404.
            "include-operation-id": ["getPackingList"],
            "checks": {"ensure_resource_availability": {"enabled": False}},
        }, {
            # The feed's long-poll holds a request up to `wait` seconds
            # (tests/e2e/test_feed_longpoll.py): no waiting here, where every
            # example has a deadline.
            "include-operation-id": ["listEvents"],
            "parameters": {"query.wait": 0},
        }, {
            "include-operation-id": WAITING_READS,
            "checks": {
                "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]},
                "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "503"]},
            },
        }],
    })
    return schemathesis.openapi.from_path(SPEC_PATH, config=config)


# The budget. Manager slices see every input path; bi and anonymous only
# need to show that every operation refuses them properly.
MANAGER_SQLITE = _schema("sqlite", "manager", max_examples=12)
MANAGER_POSTGRES = _schema("postgres", "manager", max_examples=6)
BI = _schema("sqlite", "bi", max_examples=3, phases=("examples", "fuzzing"))
ANONYMOUS = _schema("sqlite", None, max_examples=3, phases=("examples", "fuzzing"))

PER_EXAMPLE = hypothesis.settings(deadline=timedelta(seconds=5))
STATEFUL = hypothesis.settings(
    max_examples=80, stateful_step_count=STEPS, deadline=timedelta(seconds=30),
    database=None, suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.generate],
)


@pytest.fixture(scope="module")
def _fuzz_databases(tmp_path_factory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("fuzz"))
    yield dbs
    dbs.close()


def _serve(dbs: Databases, store: str) -> Iterator[LiveServer]:
    settings = dbs.settings(store, jwt_secret=SECRET, read_wait_seconds=0.3)
    server = LiveServer(settings, migrate=True, port=PORTS[store]).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sqlite_server(_fuzz_databases) -> Iterator[LiveServer]:
    yield from _serve(_fuzz_databases, "sqlite")


@pytest.fixture(scope="module")
def postgres_server(_fuzz_databases) -> Iterator[LiveServer]:
    yield from _serve(_fuzz_databases, "postgres")


def test_served_spec_is_the_committed_one(sqlite_server):
    served = httpx.get(f"{sqlite_server.url}/openapi.json", timeout=10).json()
    assert served == json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    loaded = schemathesis.openapi.from_url(f"{sqlite_server.url}/openapi.json")
    assert loaded.raw_schema == schemathesis.openapi.from_path(SPEC_PATH).raw_schema


@MANAGER_SQLITE.parametrize()
@PER_EXAMPLE
def test_manager_sqlite(case, sqlite_server):
    case.call_and_validate()


@MANAGER_POSTGRES.parametrize()
@PER_EXAMPLE
@pytest.mark.postgres
def test_manager_postgres(case, postgres_server):
    case.call_and_validate()


@BI.parametrize()
@PER_EXAMPLE
def test_bi_token(case, sqlite_server):
    case.call_and_validate()


@ANONYMOUS.parametrize()
@PER_EXAMPLE
def test_no_token(case, sqlite_server):
    case.call_and_validate()


def _run_stateful(schema) -> Counter[tuple[str, int]]:
    """The stateful phase; what it reached, as (operationId, status) counts."""
    reached: Counter[tuple[str, int]] = Counter()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response, case):
            super().after_call(response, case)
            reached[(case.operation.definition.raw["operationId"], response.status_code)] += 1

    try:
        hypothesis.seed(SEED)(Workflow).run(settings=STATEFUL)
    except hypothesis.errors.FlakyStrategyDefinition:
        # Hypothesis found one path of choices drawing with two different
        # constraints: the links feed real answers (new ids, a list's
        # length) into the generation, so the same choices can meet another
        # server state. That is about the generator, not the service (seen
        # in two full runs of the suite here); a failed check raises
        # something else and still fails. The phase runs once more, from
        # another seed.
        reached.clear()
        hypothesis.seed(SEED + 1)(Workflow).run(settings=STATEFUL)
    return reached


def _assert_chained(reached: Counter[tuple[str, int]]) -> None:
    # The links must lead somewhere: real customers, real orders, and
    # commands on them that the domain accepted, not only 404s.
    ok = {op for op, status in reached if 200 <= status < 300}
    assert {"createCustomer", "createOrder"} <= ok, str(sorted(reached.items()))
    commands = ok - {"createCustomer", "createOrder", "getOrder", "getCustomer"}
    assert len(commands) >= 3, str(sorted(reached.items()))


def test_stateful_sqlite(sqlite_server):
    _assert_chained(_run_stateful(MANAGER_SQLITE))


@pytest.mark.postgres
def test_stateful_postgres(postgres_server):
    _assert_chained(_run_stateful(MANAGER_POSTGRES))
