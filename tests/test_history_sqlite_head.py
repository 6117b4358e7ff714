"""A new SQLite store is created at the schema's head with `sqlite3` alone
(`poolctl/history/sqlite_head.py`): the same schema as Alembic's migrations make, without
importing SQLAlchemy or Alembic."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from poolctl.history.location import parse_location
from poolctl.history.migrate import ensure_schema
from poolctl.history.schema_head import SCHEMA_HEAD
from poolctl.history.sqlite_head import STATEMENTS, create_head
from poolctl.history.store import HistoryStore, _engine, timeout_from_env
from tests.conftest import Processes
from tests.test_history_packed import record_in_a_process

FIXTURES = Path(__file__).parent / "fixtures"


def schema(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], str]:
    """What a store's schema is: `sqlite_master`, the version row, the journal mode."""
    with sqlite3.connect(path) as db:
        master = db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall()
        version = db.execute("SELECT version_num FROM alembic_version").fetchall()
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    return master, version, mode


def test_a_new_store_has_the_schema_the_migrations_make(tmp_path: Path) -> None:
    migrated = parse_location(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    ensure_schema(_engine(migrated, timeout_from_env()), migrated.display)
    created = tmp_path / "created.sqlite"
    HistoryStore(parse_location(f"sqlite:///{created}")).open()

    expected = schema(tmp_path / "migrated.sqlite")
    # a new migration changes the schema: these are the statements for `STATEMENTS`
    statements = tuple(sql for _, _, _, sql in expected[0] if sql is not None)
    assert statements == STATEMENTS, "\n".join(repr(s) for s in statements)
    assert schema(created) == expected
    assert expected[1] == [(SCHEMA_HEAD,)] and expected[2] == "wal"


def test_an_empty_file_is_created_into_and_a_store_is_created_once(tmp_path: Path) -> None:
    empty = tmp_path / "touched.sqlite"
    empty.touch()  # a file made ahead of the first run, as `touch` or a CI cache leaves it
    store = HistoryStore(parse_location(f"sqlite:///{empty}")).open()
    assert store.engine is None  # no SQLAlchemy engine: created with sqlite3
    assert schema(empty)[1] == [(SCHEMA_HEAD,)]
    with sqlite3.connect(empty, isolation_level=None) as db:
        assert create_head(db) is False  # holds a schema: nothing written
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_a_first_triage_into_a_new_store_imports_no_sqlalchemy(
    tmp_path: Path, processes: Processes
) -> None:
    store = tmp_path / "new" / "history.sqlite"
    log = FIXTURES / "pytest" / "pool_suite.txt"
    statuses, imported = record_in_a_process(processes, f"sqlite:///{store}", log)
    assert statuses and set(statuses) == {"new"} and imported == []
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        failures = db.execute("SELECT count(*) FROM failures").fetchone()
    assert failures == (len(statuses),)
