"""The history store's connection: an SQLAlchemy engine on SQLite or PostgreSQL, its schema
ensured on open, and every failure turned into one `HistoryError` line. A SQLite store already
at `SCHEMA_HEAD` is recognised, a new one created at it (`sqlite_head`), and a run recorded in
it (`recording`), with `sqlite3` alone: SQLAlchemy is imported only to upgrade a store, for
PostgreSQL, and for `poolctl history`'s listings.

SQLite: write transactions start with `BEGIN IMMEDIATE` (a second writer waits for the lock up
front instead of failing to upgrade a read lock later), in WAL mode (readers do not block the
writer; commits need no fsync each), and a locked file is waited for at most `timeout`
seconds. PostgreSQL: write transactions take one advisory lock first, so that runs are
recorded one after another there too (two runners recording the same new failure at once: the
second one sees the first one's run, as on SQLite); connecting and waiting for a lock are
bounded by the same timeout.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import stat
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolctl.disk_room import store_without_room
from poolctl.file_limit import store_at_limit
from poolctl.history.errors import HistoryError, first_line
from poolctl.history.location import Location
from poolctl.history.new_tests import PREPARED
from poolctl.history.rawdb import Db, SaDb, SqliteDb
from poolctl.history.schema_head import SCHEMA_HEAD, VERSION_TABLE
from poolctl.history.sqlite_head import create_head
from poolctl.units import seconds_from_env

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

TIMEOUT_ENV = "POOLCTL_HISTORY_TIMEOUT"
DEFAULT_TIMEOUT = 10.0  # seconds a locked store or a slow server is waited for
PG_WRITE_LOCK = 0x706F6F6D  # the advisory lock a write transaction holds on PostgreSQL


def timeout_from_env() -> float:
    """`POOLCTL_HISTORY_TIMEOUT` in seconds (10 when unset or empty; a bad value is refused:
    it was taken as 10 without a word)."""
    return seconds_from_env(TIMEOUT_ENV, DEFAULT_TIMEOUT)


def _on_connect(dbapi: Any, timeout: float) -> None:
    dbapi.isolation_level = None  # transactions are begun by the store, not by the driver
    cursor = dbapi.cursor()
    _wal(cursor, timeout)
    # WAL with NORMAL sync: a commit is atomic and never corrupts the file, without an
    # fsync each time (a power cut may lose the last run; a crash of poolctl loses none)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: Any, timeout: float) -> None:
    """WAL mode, waited for as a lock is: SQLite calls no busy handler for a change of journal
    mode, so a new store that another process is creating or writing at that moment was
    "locked" at once (two CI jobs' first triages into one store: one failed)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _sqlite_engine(location: Location, timeout: float) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    path = location.sqlite_path
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(location.url, connect_args={"timeout": timeout}, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connected(dbapi: Any, record: Any) -> None:
        _on_connect(dbapi, timeout)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get("poolctl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _postgres_engine(location: Location, timeout: float) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    wait_ms = int(timeout * 1000)
    return create_engine(
        location.url,
        connect_args={
            "connect_timeout": max(1, math.ceil(timeout)),
            "options": f"-c lock_timeout={wait_ms} -c statement_timeout={wait_ms * 6}",
        },
        poolclass=NullPool,
    )


# One engine per store and timeout for the process: SQLAlchemy caches compiled statements per
# engine, and a process that records many runs (the test suite) compiles each statement once.
# The engines hold no connection between uses (NullPool).
_ENGINES: dict[tuple[str, float], Engine] = {}


def _engine(location: Location, timeout: float) -> Engine:
    key = (location.url, timeout)
    engine = _ENGINES.get(key)
    if engine is None:
        if location.backend == "sqlite":
            engine = _sqlite_engine(location, timeout)
        else:
            engine = _postgres_engine(location, timeout)
        _ENGINES[key] = engine
    elif location.sqlite_path is not None:
        location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return engine


def _foreign_tables(path: Path) -> list[str]:
    """The tables of an existing SQLite file that holds no poolctl schema, read without
    writing a byte (empty for a new file, a poolctl store, or no database at all)."""
    try:
        if path.stat().st_size == 0:
            return []
        uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except (OSError, sqlite3.Error):
        return []  # missing, or not a database: the engine says what is wrong
    names = sorted(str(name) for (name,) in rows)
    return [] if VERSION_TABLE in names else names


def _not_a_file(path: Path) -> str | None:
    """What `path` is when it exists and is no regular file (a directory, /dev/null, a FIFO)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # missing (a new store), or unreadable: opening it says why
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def _sqlite_current(path: Path, timeout: float) -> bool:
    """Whether the SQLite store at `path` is at `SCHEMA_HEAD`, read with `sqlite3` alone."""
    try:
        if path.stat().st_size == 0:
            return False
        uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as db:
            found = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    except (OSError, sqlite3.Error):
        return False  # no store yet, or not one: the engine's way says what is wrong
    return found == [(SCHEMA_HEAD,)]


class HistoryStore:
    """An open store: `writing()` and `reading()` give a connection in one transaction."""

    def __init__(self, location: Location, timeout: float | None = None) -> None:
        self.location = location
        self.timeout = timeout_from_env() if timeout is None else timeout
        self.engine: Engine | None = None
        self._current = False

    def open(self) -> HistoryStore:
        """Connect and ensure the schema (created on first use)."""
        path = self.location.sqlite_path
        kind = _not_a_file(path) if path is not None else None
        if kind is not None:  # SQLite said "disk I/O error" or "unable to open database file"
            raise HistoryError(
                self.location.display, f"cannot open it: it is {kind}, not a file; give a file path"
            )
        foreign = _foreign_tables(path) if path is not None else []
        if foreign:  # another program's database (a mistyped --history): left untouched
            shown = ", ".join(foreign[:5]) + (
                f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            )
            raise HistoryError(
                self.location.display,
                f"it is not a poolctl history store: it holds other tables ({shown}) and no "
                "poolctl schema; give a new file, or a store poolctl made",
            )
        if path is not None and (
            _sqlite_current(path, self.timeout) or self._created_with_sqlite3(path)
        ):
            self._current = True  # recorded with sqlite3: SQLAlchemy is not even imported
            return self
        with self.errors("cannot open it"):
            from poolctl.history.migrate import ensure_schema

            self.engine = _engine(self.location, self.timeout)
            ensure_schema(self.engine, self.location.display)
        return self

    def _created_with_sqlite3(self, path: Path) -> bool:
        """A new (missing or empty) file given the schema at its head with `sqlite3`; False
        for any other file, left to the migrations."""
        with self.errors("cannot open it"):  # its parent a file, or a folder not ours to read
            try:
                if path.stat().st_size > 0:
                    return False
            except FileNotFoundError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(path, timeout=self.timeout)) as db:
                _on_connect(db, self.timeout)
                return create_head(db)

    def _sa_engine(self) -> Engine:
        if self.engine is None:
            with self.errors("cannot open it"):
                self.engine = _engine(self.location, self.timeout)
        return self.engine

    def close(self) -> None:
        self.engine = None  # its connections are closed as each transaction ends
        self._current = False

    def __enter__(self) -> HistoryStore:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn a driver's or the file system's error into one `HistoryError` line."""
        try:
            yield
        except HistoryError:
            raise
        except Exception as exc:
            sa_errors = sys.modules.get("sqlalchemy.exc")
            known: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
            if sa_errors is not None:
                known += (sa_errors.SQLAlchemyError,)
            if not isinstance(exc, known):
                raise
            problem = first_line(exc)
            if "locked" in problem or "lock timeout" in problem:
                problem += f" (waited {self.timeout:g} s; {TIMEOUT_ENV} sets how long)"
            elif (path := self.location.sqlite_path) is not None:
                problem += store_at_limit(path) or store_without_room(path, problem)
            raise HistoryError(
                self.location.display, f"{doing}: {problem}", self.location.secrets
            ) from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction: committed whole, or not at all."""
        assert self.engine is not None or self._current, "open the store first"
        engine = self._sa_engine()
        with (
            self.errors("cannot write to it"),
            engine.connect().execution_options(poolctl_write=True) as conn,
            conn.begin(),
        ):
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
            yield conn

    @property
    def records_with_sqlite3(self) -> bool:
        """Whether `recording` runs on `sqlite3` (a SQLite store at the schema's head)."""
        return self.location.sqlite_path is not None and self._current

    @contextlib.contextmanager
    def recording(self, prepared: Path | None = None) -> Iterator[Db]:
        """One write transaction for recording a run (`rawdb`): on SQLite through `sqlite3`
        (as `writing`: WAL, BEGIN IMMEDIATE, the lock waited for `timeout`), with the file of
        `prepared` tests attached (`new_tests`: SQLite attaches none inside a transaction),
        else through `writing`'s connection."""
        path = self.location.sqlite_path
        if path is None or not self._current:
            with self.writing() as conn:
                yield SaDb(conn)
            return
        with self.errors("cannot write to it"):
            db = sqlite3.connect(path, timeout=self.timeout)
        try:
            with self.errors("cannot write to it"):
                _on_connect(db, self.timeout)
                if prepared is not None:
                    db.execute(f"ATTACH DATABASE ? AS {PREPARED}", (str(prepared),))
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield SqliteDb(db)
                except BaseException:
                    db.rollback()
                    raise
                db.commit()
        finally:
            db.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction (a consistent view of the store)."""
        assert self.engine is not None or self._current, "open the store first"
        engine = self._sa_engine()
        with self.errors("cannot read it"), engine.connect() as conn, conn.begin():
            yield conn
