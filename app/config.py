"""All configuration, read once from the environment (prefix ``GENDAN_``).

Nothing else in the code base reads ``os.environ``: the eventsourcing
library's own environment is built from these settings (``eventsourcing_env``).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Above these order totals only CASH, TT and LC are accepted (G3). The source
# document names no figure; these are roughly USD 10,000 in each currency.
# A currency missing here counts every amount as large: the safe side.
DEFAULT_LARGE_AMOUNTS = {
    "USD": Decimal("10000"),
    "EUR": Decimal("10000"),
    "GBP": Decimal("8000"),
    "CHF": Decimal("9000"),
    "CNY": Decimal("70000"),
    "HKD": Decimal("78000"),
    "JPY": Decimal("1500000"),
    "AUD": Decimal("15000"),
    "CAD": Decimal("14000"),
    "AED": Decimal("37000"),
}


# The stores the service runs on: what is_memory, is_postgres and
# sqlite_path below understand. Any other URL used to pass and fail much
# later (an IndexError from sqlite_path), so it is refused on loading.
SUPPORTED_DATABASE_URLS = (
    "sqlite:///<path>, postgresql://user:password@host:port/dbname "
    "(or postgres://, postgresql+<driver>://) or memory:"
)
_ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")
_SUPPORTED_DATABASE_URL = re.compile(r"memory:|sqlite:///.+|(postgresql(\+\w+)?|postgres)://.+")


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting's error (a traceback at start,
    # wherever Settings() is built) never shows its value, which may hold a
    # database password or the JWT secret.
    model_config = SettingsConfigDict(env_prefix="GENDAN_", extra="ignore",
                                      hide_input_in_errors=True)

    database_url: str = "sqlite:///./var/gendan.db"
    var_dir: Path = Path("var")

    # Embedded identity: HS256 with this secret (or one made once under var/).
    jwt_secret: str | None = None
    # Production identity provider: verify its tokens with a public key.
    jwt_public_key: str | None = None
    jwt_public_key_file: Path | None = None
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256", "EdDSA"])
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # The longest a token may be valid (exp - iat, or exp - now without iat),
    # whatever its role: staff, supplier portals and BI tools alike. Longer
    # tokens are refused (401) and `gendan token --ttl` will not issue them.
    token_max_ttl_hours: float = Field(24.0, gt=0)

    margin_threshold_percent: Decimal = Decimal("5")
    large_amount_thresholds: dict[str, Decimal] = Field(
        default_factory=lambda: dict(DEFAULT_LARGE_AMOUNTS)
    )

    # Received quantity off the PO by more than this (either way) raises an alert.
    receipt_tolerance_percent: Decimal = Decimal("3")
    # The company's own country, ISO 3166-1 alpha-2 (G3: a Nigerian L/C's
    # confirming bank must be in a third country, neither NG nor this one).
    company_country: str = Field("CN", pattern=r"^[A-Z]{2}$")
    # A PO line for a customer order due later than the order's ex-factory
    # date less this many days raises an alert when the PO is sent.
    po_lead_days: int = Field(7, ge=0)
    # Production progress behind plan by more than this many days of output
    # raises `progress_behind_plan` (issue 11).
    progress_behind_days: Decimal = Field(Decimal(1), ge=0, le=60)
    # Issue 12: a critical AQL of 0 means 100 % inspection (else the smallest
    # AQL's plan), and the company named on the documents customers receive.
    critical_full_inspection: bool = False
    company_name: str = Field("gendan", min_length=1, max_length=200)
    # The font the PDF documents embed, Chinese included: Debian's
    # fonts-wqy-microhei (a TrueType collection; its first face is used).
    # Missing at run time, PDF answers are 503 and JSON/CSV still work.
    pdf_font: Path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    # The scheme://host[:port] suppliers sign as @target-uri when the service
    # sits behind a proxy that changes it; unset: the URL as this process sees it.
    public_base_url: str | None = None

    # Run the projections inside the API process (the embedded default).
    # Scaled-out deployments set it false and run `gendan projections run`.
    run_projections: bool = True
    # `gendan serve` runs the projection worker as its own process, so the
    # API's core is for commands (issue 14). None: yes on PostgreSQL, no on
    # SQLite (see app/cli.py for why).
    projection_process: bool | None = None
    # PostgreSQL: commands that reach the store together are appended in one
    # transaction (app/application/group_commit.py); false: one per command.
    group_commit: bool = True
    # The most commands one group commit takes.
    group_commit_max: int = Field(64, ge=1)
    # How long a read with ?min_position=N waits before answering 503.
    read_wait_seconds: float = 5.0
    # How many such reads may wait at once in a process; past it 503 at once.
    read_waiters_max: int = Field(64, ge=1)
    # A list downloaded as CSV (?format=csv) walks its pages up to this many
    # rows and ends there (the answer's CSV-Max-Rows header says how many).
    csv_max_rows: int = Field(100_000, ge=1)
    projection_poll_seconds: float = 0.2
    # After a wake-up following a busy batch, wait this long to gather more
    # events into the next batch (see ProjectionRunner._loop).
    projection_gather_seconds: float = 0.02
    snapshot_interval: int = 50
    # Idempotency-Key: how long a claim holds before a retry may take it
    # over (a crashed request), and how long completed keys are kept.
    idempotency_lease_seconds: float = 30.0
    idempotency_ttl_hours: float = 48.0
    # Larger request bodies are refused with 413 before any parsing (app.api.limits).
    max_body_bytes: int = 1_048_576
    # The supplier portal's token buckets (app/api/ratelimit.py), per process:
    # each token (sub + supplier) and each supplier (all its tokens); 429 past them.
    portal_rate_per_second: float = Field(5.0, gt=0)
    portal_burst: int = Field(20, ge=1)
    portal_supplier_rate_per_second: float = Field(20.0, gt=0)
    portal_supplier_burst: int = Field(60, ge=1)
    # Refused signed requests: one event per supplier, reason and window,
    # with a count (app/application/refusals.py).
    portal_refusal_window_seconds: int = Field(60, ge=1)
    # Signed delivery notes a PO accepts a UTC day (409 past it).
    portal_delivery_notes_per_day: int = Field(20, ge=1)
    # Larger request headers (names + values, all of them) are refused with
    # 431 before authentication: uvicorn with httptools bounds the request
    # line, not the headers (FACTS.md).
    max_header_bytes: int = Field(16_384, ge=1024)

    # Browser apps on these origins may call the API (CORS, app/api/cors.py):
    # scheme://host[:port] each, no path; "*" for any. Empty: no CORS header
    # at all. A JSON list or comma-separated:
    # GENDAN_CORS_ORIGINS=https://a.example,http://localhost:5173
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # A database outage answered fast (PostgreSQL only; app/application/breaker.py).
    # A command waits this long for one of the event store's pooled
    # connections; longer, while the pool fails to connect, means the
    # database is down: the breaker opens and answers 503 at once.
    postgres_pool_timeout_seconds: float = Field(1.0, gt=0, le=30)
    # Connecting gives up after this long (libpq connect_timeout, which
    # counts whole seconds from 2; asyncpg's timeout for the read models),
    # instead of TCP's own timeouts on a host that does not answer.
    postgres_connect_timeout_seconds: int = Field(2, ge=2, le=60)
    # While the breaker is open, one probe (connect, SELECT 1) at most this often.
    breaker_probe_seconds: float = Field(0.5, gt=0, le=10)
    # A read-model statement gives up after this long (asyncpg command_timeout).
    read_statement_timeout_seconds: float = Field(60.0, gt=0)

    # GET /metrics in Prometheus text, no token (app/api/metrics.py). On by
    # default: counts, timings and positions, no business data; keep it off
    # the public side of the proxy, or turn it off.
    metrics_enabled: bool = True

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        # A browser's Origin has no path and no trailing slash: such an
        # entry would never match, so it is refused rather than ignored.
        origins = [origin.lower() for origin in origins]  # as browsers send it
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin: scheme://host[:port] or *")
        return origins

    @field_validator("database_url")
    @classmethod
    def _supported_store(cls, url: str) -> str:
        if not _SUPPORTED_DATABASE_URL.fullmatch(url):
            # The scheme only: the rest of the URL may hold a password.
            shown = repr(url.split(":", 1)[0] + ":...") if ":" in url else "without a scheme"
            raise ValueError(f"unsupported database URL {shown}; "
                             f"use {SUPPORTED_DATABASE_URLS}")
        return url

    @property
    def is_memory(self) -> bool:
        """``memory:`` keeps events in process memory: unit tests only."""
        return self.database_url == "memory:"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql:", "postgresql+", "postgres:"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of a ``sqlite:///relative`` or ``sqlite:////abs`` URL."""
        path = self.database_url.split("sqlite:///", 1)[1]
        return Path(path)

    def sqlalchemy_url(self, *, asynchronous: bool = False) -> str:
        """The read-model database URL, with the driver SQLAlchemy should use."""
        if self.is_postgres:
            rest = self.database_url.split("://", 1)[1]
            driver = "asyncpg" if asynchronous else "psycopg"
            return f"postgresql+{driver}://{rest}"
        driver = "sqlite+aiosqlite" if asynchronous else "sqlite"
        return f"{driver}:///{self.sqlite_path}"

    def eventsourcing_env(self, *, create_table: bool = False) -> dict[str, str]:
        """The eventsourcing library's settings for the same database.

        Tables are created by `gendan migrate` only (FACTS.md: concurrent DDL
        from several processes crashes on PostgreSQL), hence CREATE_TABLE off.
        """
        env = {"CREATE_TABLE": "y" if create_table else "n"}
        if self.is_memory:
            env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
        elif self.is_postgres:
            # Completes idempotency keys in the events' transaction.
            env["APPLICATION_RECORDER_TOPIC"] = (
                "app.application.group_commit:GroupCommitRecorder" if self.group_commit
                else "app.application.eventstore:PostgresRecorder")
            parts = urlsplit(self.database_url)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.postgres",
                POSTGRES_DBNAME=parts.path.lstrip("/"),
                POSTGRES_HOST=parts.hostname or "127.0.0.1",
                POSTGRES_PORT=str(parts.port or 5432),
                POSTGRES_USER=unquote(parts.username or "postgres"),
                POSTGRES_PASSWORD=unquote(parts.password or ""),
                POSTGRES_POOL_SIZE="8",
                POSTGRES_MAX_OVERFLOW="8",
                # The library's wait for a pooled connection, in whole
                # seconds; the store sets the pool's own to
                # postgres_pool_timeout_seconds, and the breaker stops the
                # library's ten retries during an outage (eventstore.py).
                POSTGRES_CONNECT_TIMEOUT=str(max(1, math.ceil(self.postgres_pool_timeout_seconds))),
                POSTGRES_PRE_PING="y",
            )
        else:
            env.update(
                APPLICATION_RECORDER_TOPIC="app.application.eventstore:SQLiteRecorder",
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                SQLITE_DBNAME=str(self.sqlite_path),
                SQLITE_LOCK_TIMEOUT="10",
            )
        return env
