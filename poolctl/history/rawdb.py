"""What recording a run needs of a connection, without SQLAlchemy on SQLite.

Recording is what every `poolctl triage` does: on SQLite it runs on the standard library's
`sqlite3`, so that a command opening a current store imports no SQLAlchemy (its import took
longer than the whole recording of a small run). The same SQL runs on PostgreSQL through an
SQLAlchemy connection (`SaDb`). The SQL names its parameters `:name`, as both take them; times
are stored as SQLAlchemy stores them (`stamp`), so that either side reads what the other wrote.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any


def utc(moment: datetime | str) -> datetime:
    """A time read from the store, made aware (SQLite returns its text, without the zone)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`(:name0, :name1, …)` and its parameters, for an `IN` of `values`."""
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


class SqliteDb:
    """A `sqlite3` connection inside a transaction the store began."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def stamp(self, moment: datetime) -> str:
        """`moment` as SQLAlchemy writes a DateTime to SQLite: its UTC fields, as text."""
        at = moment.astimezone(UTC)
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}"

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params or {}).fetchall()

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.conn.execute(sql, params or {})

    def insert_id(self, sql: str, params: dict[str, Any]) -> int:
        cursor = self.conn.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


class SaDb:
    """An SQLAlchemy connection (PostgreSQL's) inside a transaction the store began."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.dialect = str(conn.dialect.name)

    def stamp(self, moment: datetime) -> datetime:
        return moment.astimezone(UTC)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        return [tuple(row) for row in self.conn.execute(text(sql), params or {})]

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        from sqlalchemy import text

        self.conn.execute(text(sql), params or {})

    def insert_id(self, sql: str, params: dict[str, Any]) -> int:
        from sqlalchemy import text

        return int(self.conn.execute(text(f"{sql} RETURNING id"), params).scalar_one())

    def many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Through the driver's executemany: SQLAlchemy's per-row handling of the parameters
        cost more than the database's insert."""
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(columns))
        batch = list(rows)
        if batch:
            self.conn.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
            )


Db = SqliteDb | SaDb
