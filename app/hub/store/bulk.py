"""Bulk paths: PostgreSQL ``COPY``; on SQLite one prepared statement run over all rows.

Statements are built with SQLAlchemy Core and compiled for the connection's dialect, so there is
no hand-written SQL dialect layer; only the ``COPY`` command is PostgreSQL's own (composed with
psycopg's identifier quoting).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    LargeBinary,
    MetaData,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

_BATCH = 20_000
_IN_SIZES = (16, 256, 4096)  # SQLite: IN lists padded to one of these, compiled once each
_IN_CACHE: dict[tuple[str, int], tuple[str, tuple[Any, ...]]] = {}
_SLOT = object()  # where an IN value goes in a cached parameter template


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _ordered(table: Table, columns: Sequence[str]) -> None:
    names = [c.name for c in table.columns if c.name in set(columns)]
    if names != list(columns) or len(names) != len(columns):
        raise ValueError("columns must be given in table order")


def copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """PostgreSQL ``COPY table (columns) FROM STDIN`` inside the connection's transaction."""
    raw = conn.connection.driver_connection
    assert raw is not None
    command = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    count = 0
    with raw.cursor() as cur, cur.copy(command) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert many rows the fastest way the engine has."""
    _ordered(table, columns)
    if is_postgres(conn):
        return copy_rows(conn, table, columns, rows)
    text = str(table.insert().compile(dialect=conn.dialect, column_keys=list(columns)))
    count = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            conn.exec_driver_sql(text, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.exec_driver_sql(text, batch)
        count += len(batch)
    return count


def update_rows(
    conn: Connection,
    table: Table,
    key: str | tuple[str, ...],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> int:
    """Update ``columns`` of many rows found by ``key``; each row is ``(*key, *columns)``.

    PostgreSQL: ``COPY`` into a temporary table, then one ``UPDATE … FROM``. SQLite: one prepared
    ``UPDATE`` executed over all rows.
    """
    keys = (key,) if isinstance(key, str) else key
    if not rows:
        return 0
    if is_postgres(conn):
        stage = Table(
            f"_stage_{table.name}",
            MetaData(),
            *[Column(name, table.c[name].type) for name in (*keys, *columns)],
            prefixes=["TEMPORARY"],
            postgresql_on_commit="DROP",
        )
        stage.create(conn)
        copy_rows(conn, stage, (*keys, *columns), rows)
        conn.execute(
            update(table)
            .values({name: stage.c[name] for name in columns})
            .where(and_(*[table.c[k] == stage.c[k] for k in keys]))
        )
        stage.drop(conn)
        return len(rows)
    stmt = (
        update(table)
        .values({name: bindparam(f"v_{name}") for name in columns})
        .where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in keys]))
    )
    compiled = stmt.compile(dialect=conn.dialect)
    index = {f"k_{k}": i for i, k in enumerate(keys)}
    index.update({f"v_{name}": len(keys) + i for i, name in enumerate(columns)})
    perm = [index[p] for p in (compiled.positiontup or [])]
    text = str(compiled)
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        conn.exec_driver_sql(text, [tuple(r[i] for i in perm) for r in chunk])
    return len(rows)


def select_in(
    conn: Connection, key: str, stmt: Select[Any], column: ColumnElement[Any], values: list[bytes]
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``stmt`` restricted to ``column IN values``: one query per chunk of thousands.

    PostgreSQL: one array parameter (``= ANY(%s)``). SQLite: the statement is compiled once per
    padded list length and run on the driver, so thousands of bound parameters are not compiled
    on every call (the padding repeats a value). ``key`` names the statement *with* its other
    bound values (e.g. the record type): they are kept in the cache entry.
    """
    values = list(dict.fromkeys(values))  # a value listed twice gives its rows once
    if not values:
        return
    if is_postgres(conn):
        for start in range(0, len(values), 10_000):
            chunk = values[start : start + 10_000]
            match = column == any_(bindparam("in_values", chunk, type_=ARRAY(LargeBinary)))
            yield from map(tuple, conn.execute(stmt.where(match)))
        return
    top = _IN_SIZES[-1]
    for start in range(0, len(values), top):
        chunk = values[start : start + top]
        size = next(n for n in _IN_SIZES if n >= len(chunk))
        chunk = chunk + [chunk[-1]] * (size - len(chunk))
        entry = _IN_CACHE.get((key, size))
        if entry is None:
            compiled = stmt.where(
                column.in_(bindparam("in_values", chunk, expanding=True))
            ).compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            template = tuple(
                _SLOT if n.startswith("in_values_") else compiled.params[n]
                for n in compiled.positiontup or ()
            )
            entry = _IN_CACHE[(key, size)] = (str(compiled), template)
        text, template = entry
        it = iter(chunk)
        params = tuple(next(it) if t is _SLOT else t for t in template)
        yield from map(tuple, conn.exec_driver_sql(text, params))
