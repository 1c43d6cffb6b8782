"""Writing many read-model rows at once, for app/projections/batch.py.

SQLAlchemy's own executemany spends 7 us (SQLite) to 26 us (psycopg) of
CPU per row building its parameters, measured on 20k audit rows: more than
all the projections' logic. So each table's INSERT and UPDATE are compiled
by SQLAlchemy once per dialect and run on the driver's cursor with a list
of rows (2-5 us per row); on PostgreSQL new rows go in with COPY, which also
lets the server insert while this side is still formatting rows. The
values pass through SQLAlchemy's bind processor of each column (SQLite's
dates...) but JSON, serialised as SQLAlchemy does it (json.dumps) without
its per-call setup: the stored text is exactly what
``conn.execute(insert(table).values(...))`` stores. The statements run on
the connection's own DBAPI connection: inside its transaction.

(Writing on a second thread while the next chunk is decoded was tried: it
was slower on SQLite and no faster on PostgreSQL, the GIL passing back and
forth between the threads for every row.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from functools import cache
from operator import itemgetter
from typing import Any

from psycopg import Copy, sql
from psycopg.copy import FileWriter
from sqlalchemy import JSON, Column, Connection, Table, bindparam, insert, update

_KEY_PARAM = "b_key"  # not a column name: the SET clause takes those

# json.dumps() with its default arguments, as SQLAlchemy serialises JSON
# columns, minus the encoder json.dumps builds on every call: a row has up to
# three JSON columns and the encoder's setup cost more than the encoding
# (3.2 us -> 1.2 us for a board row's facts, 1.1 -> 0.2 us for []). No
# check for circular values: the projections' rows are plain data.
_ENCODER = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None,
    ": ", ", ", False, False, True,
) if json.encoder.c_make_encoder is not None else None  # type: ignore[attr-defined]


def _json_text(dialect: Any) -> Callable[[Any], str]:
    """JSON as text, what SQLAlchemy's own bind processor would send: the
    engine's ``json_serializer`` if it has one, else json.dumps()."""
    custom = getattr(dialect, "_json_serializer", None)
    if custom is not None or _ENCODER is None:
        return custom or json.dumps
    encode = _ENCODER
    return lambda value: "".join(encode(value, 0))


@cache
def key_column(table: Table) -> Column[Any]:
    (column,) = table.primary_key.columns
    return column


@cache
def key_name(table: Table) -> str:
    return key_column(table).name


class TableWriter:
    """One table's INSERT (or COPY) and UPDATE, built once per dialect."""

    # Per dialect name: the app's engines of one kind are configured alike.
    _cache: dict[tuple[str, str], TableWriter] = {}

    @classmethod
    def of(cls, conn: Connection, table: Table) -> TableWriter:
        writer = cls._cache.get((conn.dialect.name, table.name))
        if writer is None:
            writer = cls._cache[(conn.dialect.name, table.name)] = cls(conn, table)
        return writer

    def __init__(self, conn: Connection, table: Table):
        dialect = conn.dialect
        self.columns = [c.name for c in table.columns]
        self.key = key_column(table).name
        self.processors = {
            c.name: _json_text(dialect) if isinstance(c.type, JSON)
            else c.type.dialect_impl(dialect).bind_processor(dialect)
            for c in table.columns}
        self.processors[_KEY_PARAM] = None
        if dialect.name == "postgresql":
            self.copy: sql.Composed | None = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, self.columns)))
        else:
            self.copy = None
        self.insert_sql = insert(table).compile(dialect=dialect)
        self.update_sql = update(table).where(table.c[self.key] == bindparam(_KEY_PARAM)).compile(
            dialect=dialect, column_keys=[c for c in self.columns if c != self.key])

    def prepared(self, rows: list[dict[str, Any]], cursor: Any = None) -> Any:
        """The rows as ``insert_prepared`` writes them, made in another
        process (a rebuild's helper, app/projections/rebuild.py): SQLite's
        parameter tuples, or the COPY text PostgreSQL's INSERT would send
        (``cursor``: a psycopg cursor of the same database, for its
        adapters; nothing is sent through it)."""
        if self.copy is None:
            return self._values(self.insert_sql.positiontup, rows)
        buffer = io.BytesIO()
        with Copy(cursor, binary=False, writer=FileWriter(buffer)) as copy:
            for value in self._values(self.columns, rows):
                copy.write_row(value)
        return buffer.getvalue()

    def insert_prepared(self, conn: Connection, prepared: Any) -> None:
        dbapi = conn.connection.dbapi_connection
        if self.copy is None:
            self._executemany(dbapi, self.insert_sql, prepared)
            return
        with dbapi.cursor() as cursor, cursor.copy(self.copy) as copy:
            copy.write(prepared)

    def insert(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        dbapi = conn.connection.dbapi_connection
        if self.copy is None:
            self._executemany(dbapi, self.insert_sql, self._params(self.insert_sql, rows))
            return
        with dbapi.cursor() as cursor, cursor.copy(self.copy) as copy:
            for value in self._values(self.columns, rows):
                copy.write_row(value)

    def update(self, conn: Connection, rows: dict[str, dict[str, Any]]) -> None:
        """UPDATE every column but the key of each row (one statement)."""
        rows_with_key = [{**row, _KEY_PARAM: key} for key, row in rows.items()]
        self._executemany(conn.connection.dbapi_connection, self.update_sql,
                          self._params(self.update_sql, rows_with_key))

    @staticmethod
    def _executemany(dbapi: Any, compiled: Any, params: list[Any]) -> None:
        cursor = dbapi.cursor()
        try:
            cursor.executemany(str(compiled), params)
        finally:
            cursor.close()

    def _params(self, compiled: Any, rows: list[dict[str, Any]]) -> list[Any]:
        if compiled.positional:  # SQLite's ?
            return self._values(compiled.positiontup, rows)
        names = [(n, self.processors[n]) for n in compiled.binds]  # psycopg's %(name)s
        return [{n: p(row[n]) if p else row[n] for n, p in names} for row in rows]

    def _values(self, names: list[str], rows: list[dict[str, Any]]) -> list[Any]:
        """Each row's values in ``names`` order, through the processors."""
        get = itemgetter(*names)
        processed = [(i, self.processors[n]) for i, n in enumerate(names) if self.processors[n]]
        if not processed:
            return [get(row) for row in rows]
        values = []
        for row in rows:
            value = list(get(row))
            for i, process in processed:
                value[i] = process(value[i])
            values.append(value)
        return values
