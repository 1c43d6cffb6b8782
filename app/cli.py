"""The ``gendan`` command: serve, migrate, token, projections, openapi, bi.

The one command line of the service (the projection worker runs as
``gendan projections run``). Imports are inside the commands so that
``gendan token`` does not load the web stack.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

from pydantic import ValidationError

from app.config import Settings


class _Stopped(Exception):
    """SIGTERM reached serve: unwind through ``finally`` (the worker child is
    stopped there), then die of the signal as before."""


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def projection_process(settings: Settings) -> bool:
    """Whether `gendan serve` runs the projections in a child process.

    PostgreSQL: yes. The runner's CPU leaves the API process (its GIL is for
    commands; issue 3 measured the runner at 11-20 % of it) and NOTIFY wakes
    the worker at each commit as the in-process save hook did.
    SQLite: no, the runner stays in the API process, woken by each save.
    A worker process has no NOTIFY on SQLite and only polls, and every batch
    it writes takes the file's one write lock against the API's commits.
    Measured side by side (README, "Projections in their own process";
    2 busy cores): lag p50 21 ms in-process vs 109 ms in a
    process (p99 135 vs 237 ms), commands/s 140 vs 131, i.e. no gain to pay
    the lag for. GENDAN_PROJECTION_PROCESS=true/false forces either way."""
    if not settings.run_projections or settings.is_memory:
        return False
    if settings.projection_process is not None:
        return settings.projection_process
    return settings.is_postgres


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import signal

    from app.projection_process import ProjectionProcess

    if not projection_process(settings):
        _run_api(settings, args)
        return
    if args.workers > 1 and not args.no_migrate:
        from app.application.migrate import migrate

        migrate(settings)  # here, as _run_api would, but before the child too
        args.no_migrate = True
    # Else the child migrates as well when serve's API does (in turns on
    # PostgreSQL: an advisory lock; both retry), so it never runs on a schema
    # that is not there yet while the API's boot and readiness are unchanged.
    worker = ProjectionProcess(os.environ, migrate=not args.no_migrate)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    stopped = None
    try:
        worker.start()
        # The API without its runner: its own settings for one process, the
        # environment for the workers uvicorn spawns (they read Settings()).
        os.environ["GENDAN_RUN_PROJECTIONS"] = "false"
        _run_api(settings.model_copy(update={"run_projections": False}), args)
    except _Stopped as exc:
        stopped = exc.args[0]
    finally:
        worker.stop()
        signal.signal(signal.SIGTERM, previous)
    if stopped is not None:
        signal.raise_signal(stopped)  # the exit status says SIGTERM, as without a child


def _run_api(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from app.api.logging_json import log_config
    from app.main import create_app

    options = dict(host=args.host, port=args.port, log_level=args.log_level,
                   proxy_headers=True, timeout_graceful_shutdown=10)
    if args.log_format == "json":
        # One JSON object a line; gendan.access replaces uvicorn's access lines.
        options.update(log_config=log_config("json", args.log_level), access_log=False)
    if args.workers == 1:
        uvicorn.run(create_app(settings, migrate=not args.no_migrate), **options)
        return
    # Several processes on one port (the GIL caps one process at one core).
    # Migrations run once, here, before the workers start: concurrent DDL
    # crashes on PostgreSQL (FACTS.md). uvicorn[standard]'s httptools/uvloop
    # avoid the +44 ms per request of plain h11 workers (FACTS.md).
    if not args.no_migrate:
        from app.application.migrate import migrate

        migrate(settings)
    uvicorn.run("app.main:create_app", factory=True, workers=args.workers, **options)


def _migrate(settings: Settings, _: argparse.Namespace) -> None:
    from app.application.migrate import migrate

    migrate(settings)
    print(f"schema up to date on {settings.database_url.split('@')[-1]}")


def _token(settings: Settings, args: argparse.Namespace) -> None:
    from app.api.auth import issue_token, max_lifetime_seconds

    # 8 h by default, or less when GENDAN_TOKEN_MAX_TTL_HOURS is shorter;
    # an explicit --ttl above the maximum is refused, not shortened.
    ttl = args.ttl if args.ttl is not None else min(8 * 3600, max_lifetime_seconds(settings))
    try:
        print(issue_token(settings, args.sub, args.role, args.supplier_id, ttl))
    except ValueError as exc:
        sys.exit(f"gendan token: {exc}")


def _projections(settings: Settings, args: argparse.Namespace) -> None:
    from app.projections.runner import rebuild_all, run_forever

    if args.action == "rebuild":
        count = rebuild_all(settings)
        print(f"rebuilt every read model from {count} events")
        return
    stop = threading.Event()
    if args.until_stdin_closes:
        from app.projection_process import stop_when_stdin_closes

        stop_when_stdin_closes(stop)
    if args.migrate:
        from app.projection_process import migrate_until_done

        migrate_until_done(settings, stop)
    if not stop.is_set():  # the server went away while the database was down
        run_forever(settings, stop)


def render_openapi() -> str:
    """The committed ``openapi.json`` is this text; a test fails when the two
    drift (``gendan openapi`` rewrites the file)."""
    from app.main import create_app

    # Any settings do: the document depends on the routes, not the store.
    app = create_app(Settings(database_url="memory:", jwt_secret="x" * 32))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _openapi(_: Settings, args: argparse.Namespace) -> None:
    text = render_openapi()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")


def _bi(settings: Settings, args: argparse.Namespace) -> None:
    from app.projections.bi import BiAccessError, dictionary, grant

    if not settings.is_postgres:
        sys.exit(f"gendan bi {args.action}: the BI roles and the data dictionary are "
                 "PostgreSQL's; SQLite has no roles and no comments (its views are "
                 "bi_orders, bi_payments... in the database file, readable by whoever "
                 "can read the file). Set GENDAN_DATABASE_URL=postgresql://...")
    try:
        if args.action == "dictionary":
            sys.stdout.write(dictionary(settings))
            return
        password = None
        if args.password_env is not None:
            # The name of a variable, not the password: a password on the
            # command line shows in `ps` and the shell's history.
            password = os.environ.get(args.password_env)
            if not password:
                sys.exit(f"gendan bi grant: ${args.password_env} is not set or empty")
        for line in grant(settings, args.role, password):
            print(line)
    except BiAccessError as exc:
        sys.exit(f"gendan bi {args.action}: {exc}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gendan", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true",
                       help="skip migrations (they ran as a separate step)")
    serve.add_argument("--workers", type=int, default=1,
                       help="API processes on this port (the projections run in one "
                            "worker process of serve's on PostgreSQL, in each API "
                            "process on SQLite; GENDAN_PROJECTION_PROCESS forces "
                            "either, GENDAN_RUN_PROJECTIONS=false neither)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--log-format", choices=["text", "json"], default="text",
                       help="json: one object a line with the request id, route, status "
                            "and duration of every request")
    serve.set_defaults(func=_serve)

    sub.add_parser("migrate", help="bring the schema up to date").set_defaults(func=_migrate)

    token = sub.add_parser("token", help="print a token (embedded identity only)")
    token.add_argument("--sub", required=True)
    token.add_argument("--role", required=True)
    token.add_argument("--supplier-id")
    token.add_argument("--ttl", type=int, help="seconds (default 8 h; at most "
                                               "GENDAN_TOKEN_MAX_TTL_HOURS, 24 h by default)")
    token.set_defaults(func=_token)

    proj = sub.add_parser("projections", help="run the projection worker or rebuild")
    proj.add_argument("action", choices=["run", "rebuild"])
    proj.add_argument("--until-stdin-closes", action="store_true",
                      help="run: stop when standard input ends (how `gendan serve` "
                           "ties its worker process to itself)")
    proj.add_argument("--migrate", action="store_true",
                      help="run: bring the schema up to date first, retrying while the "
                           "database does not answer")
    proj.set_defaults(func=_projections)

    spec = sub.add_parser("openapi", help="write the OpenAPI document")
    spec.add_argument("--output", default="openapi.json")
    spec.set_defaults(func=_openapi)

    bi = sub.add_parser("bi", help="the BI surface in SQL (PostgreSQL): README, BI in SQL")
    bi_sub = bi.add_subparsers(dest="action", required=True)
    grant = bi_sub.add_parser("grant", help="create or update a login role that can read "
                                            "the bi views and nothing else")
    grant.add_argument("--role", required=True, help="the role's name (lower-case)")
    grant.add_argument("--password-env", metavar="VAR",
                       help="set the role's password from this environment variable "
                            "(without it an existing password is kept)")
    grant.set_defaults(func=_bi)
    bi_sub.add_parser("dictionary", help="print the bi views' data dictionary (Markdown) "
                                         "from the database's comments").set_defaults(func=_bi)
    return p


def _settings() -> Settings:
    """The environment's settings, or exit with one line per refused
    ``GENDAN_`` variable (no traceback, and no value: a URL may hold a password)."""
    try:
        return Settings()
    except ValidationError as exc:
        refused = "; ".join(
            f"GENDAN_{'_'.join(map(str, error['loc'])).upper()}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        sys.exit(f"gendan: {refused}")


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(_settings(), args)


if __name__ == "__main__":
    main()
