"""The BI surface's access and its data dictionary (issue 13, item 5).

Migration 0009 makes the ``bi`` schema: views over the read models with
real types and a comment on every view and column. ``grant`` gives a login
role SELECT on that schema and nothing else; ``dictionary`` prints the
comments as Markdown (the README's data dictionary is its output, and a
test keeps the two equal). PostgreSQL only: SQLite has no roles and no
comments.

The views run with their owner's rights (the role that migrates), so the
BI role needs no right on any table: it is never granted one, loses any
granted to it by name, and is checked afterwards, PUBLIC's and inherited
rights included. A check that fails rolls everything back.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from app.config import Settings

SCHEMA = "bi"
# A plain lower-case identifier: it needs no quoting in psql or a BI tool.
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Whatever could write, or read a table directly.
_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
_WRITE_RIGHTS = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
_SYSTEM = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%%'"


class BiAccessError(Exception):
    """The role cannot be made read-only on ``bi`` (the message says why)."""


def _connect(settings: Settings) -> psycopg.Connection[Any]:
    conninfo = settings.sqlalchemy_url().replace("postgresql+psycopg://", "postgresql://", 1)
    return psycopg.connect(conninfo, connect_timeout=5)


def grant(settings: Settings, role: str, password: str | None = None) -> list[str]:
    """Create or update ``role``: LOGIN, SELECT on the ``bi`` schema's views,
    nothing else. Returns what was done, a line each."""
    try:
        return _grant(settings, role, password)
    except psycopg.Error as exc:
        raise BiAccessError(f"PostgreSQL refused: {exc}".strip()) from None


def _grant(settings: Settings, role: str, password: str | None) -> list[str]:
    if not _ROLE.fullmatch(role) or role.startswith("pg_") or role == "public":
        raise BiAccessError(f"{role!r} is not a role name to use: lower-case letters, digits "
                            "and _, not starting with a digit or pg_")
    done: list[str] = []
    with _connect(settings) as conn:
        name = sql.Identifier(role)
        _check_can_grant(conn, role)
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(name))
            done.append(f"role {role} updated (LOGIN)")
        else:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                 "NOREPLICATION NOBYPASSRLS NOINHERIT").format(name))
            done.append(f"role {role} created (LOGIN)")
        if password is not None:
            # Hashed here by libpq (SCRAM, as the server is set to), so the
            # password itself never reaches the server: a log of DDL
            # statements (log_statement = 'ddl') would show it in clear.
            hashed = conn.pgconn.encrypt_password(password.encode(), role.encode())
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                name, sql.Literal(hashed.decode())))
            done.append("password set")
        database = sql.Identifier(conn.info.dbname)
        # PUBLIC may connect by default; granting it again would need the
        # database's owner.
        if not conn.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')",
                            (role,)).fetchone()[0]:
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name))
        for statement in (
            # Rights given to the role by name; PUBLIC's are checked below.
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            "REVOKE ALL ON SCHEMA public FROM {role}",
            "GRANT USAGE ON SCHEMA bi TO {role}",
            "GRANT SELECT ON ALL TABLES IN SCHEMA bi TO {role}",
            # Views a later migration makes (as this role, the owner) are
            # readable without running this again.
            "ALTER DEFAULT PRIVILEGES IN SCHEMA bi GRANT SELECT ON TABLES TO {role}",
            # `SELECT * FROM orders` in psql; bi.orders works anyway.
            "ALTER ROLE {role} IN DATABASE {database} SET search_path = bi",
        ):
            conn.execute(sql.SQL(statement).format(role=name, database=database))
        done.append(f"SELECT on every view of schema bi in database {conn.info.dbname}; "
                    "no right on any table")
        problems = _problems(conn, role)
        if problems:
            conn.rollback()
            raise BiAccessError(f"role {role} would not be read-only on bi, nothing was "
                                "changed:\n  " + "\n  ".join(problems))
    return done


def _check_can_grant(conn: psycopg.Connection[Any], role: str) -> None:
    if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone():
        raise BiAccessError("there is no schema bi in this database: run `gendan migrate` first")
    if conn.execute("SELECT current_user = %s", (role,)).fetchone()[0]:
        raise BiAccessError(f"{role} is the role the service connects as: choose another name")
    row = conn.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if row and any(row):
        raise BiAccessError(f"role {role} exists with SUPERUSER, CREATEROLE, CREATEDB, "
                            "REPLICATION or BYPASSRLS: not a read-only role; choose another name")
    member_of = [r[0] for r in conn.execute(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s ORDER BY 1", (role,))]
    if member_of:
        raise BiAccessError(f"role {role} is a member of {', '.join(member_of)} and may use "
                            "their rights: revoke the memberships or choose another name")


def _problems(conn: psycopg.Connection[Any], role: str) -> list[str]:
    """Every right the role holds beyond reading bi, however it holds it
    (by name, through PUBLIC or a membership)."""
    checks = (
        ("SELECT n.nspname || '.' || c.relname FROM pg_class c "
         "JOIN pg_namespace n ON n.oid = c.relnamespace "
         f"WHERE {_SYSTEM} AND n.nspname <> 'bi' AND CASE WHEN c.relkind IN "
         f"('r', 'p', 'v', 'm', 'f') THEN has_table_privilege(%(role)s, c.oid, "
         f"'{_TABLE_RIGHTS}') END",
         "can read or write {}"),
        ("SELECT n.nspname || '.' || c.relname FROM pg_class c "
         "JOIN pg_namespace n ON n.oid = c.relnamespace "
         # CASE: the planner may test an AND's terms in any order, and
         # has_sequence_privilege raises on what is not a sequence.
         f"WHERE {_SYSTEM} AND CASE WHEN c.relkind = 'S' "
         "THEN has_sequence_privilege(%(role)s, c.oid, 'USAGE, SELECT, UPDATE') END",
         "can use the sequence {}"),
        ("SELECT 'bi.' || c.relname FROM pg_class c "
         "JOIN pg_namespace n ON n.oid = c.relnamespace "
         f"WHERE n.nspname = 'bi' AND CASE WHEN c.relkind IN ('r', 'v', 'm') "
         f"THEN has_table_privilege(%(role)s, c.oid, '{_WRITE_RIGHTS}') END",
         "can write {}"),
        ("SELECT n.nspname FROM pg_namespace n "
         f"WHERE {_SYSTEM} AND has_schema_privilege(%(role)s, n.oid, 'CREATE')",
         "can create objects in schema {} (e.g. REVOKE CREATE ON SCHEMA {} FROM PUBLIC)"),
        ("SELECT current_database() "
         "WHERE has_database_privilege(%(role)s, current_database(), 'CREATE')",
         "can create schemas in database {}"),
        ("SELECT p.oid::regprocedure::text FROM pg_proc p "
         "JOIN pg_namespace n ON n.oid = p.pronamespace "
         f"WHERE {_SYSTEM} AND p.prosecdef "
         "AND has_function_privilege(%(role)s, p.oid, 'EXECUTE')",
         "can run {}, which runs with its owner's rights"),
    )
    return [message.format(name, name)
            for query, message in checks
            for (name,) in conn.execute(query, {"role": role})]


def dictionary(settings: Settings) -> str:
    """The ``bi`` schema's views and tables with their columns, types and
    comments, as Markdown (in the README under "BI in SQL")."""
    try:
        return _dictionary(settings)
    except psycopg.Error as exc:
        raise BiAccessError(f"PostgreSQL refused: {exc}".strip()) from None


def _dictionary(settings: Settings) -> str:
    with _connect(settings) as conn:
        relations = conn.execute(
            "SELECT c.oid, c.relname, c.relkind, obj_description(c.oid, 'pg_class') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('v', 'r', 'm') "
            "ORDER BY c.relkind = 'r', c.relname",  # the views, then the table
            (SCHEMA,)).fetchall()
        if not relations:
            raise BiAccessError("there is no schema bi in this database: run `gendan migrate`")
        parts = []
        for oid, name, kind, comment in relations:
            columns = conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod), col_description(attrelid, "
                "attnum) FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum", (oid,)).fetchall()
            parts.append("\n".join([
                f"#### `bi.{name}` ({'table' if kind == 'r' else 'view'})", "",
                _cell(comment), "",
                "| Column | Type | Meaning |", "|---|---|---|",
                *(f"| `{column}` | {kind_} | {_cell(text)} |" for column, kind_, text in columns),
            ]))
    return "\n\n".join(parts) + "\n"


def _cell(text: str | None) -> str:
    return (text or "(no comment)").replace("|", "\\|").replace("<", "&lt;")
