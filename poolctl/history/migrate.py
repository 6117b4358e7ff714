"""The store's schema, created or upgraded on first use with Alembic; a newer one is refused.

A store at `SCHEMA_HEAD` is recognised with one query, without importing Alembic. Otherwise
the upgrade runs in one transaction that holds the store's write lock (SQLite's `BEGIN
IMMEDIATE`, a PostgreSQL advisory lock), so that two runners opening a new store at once
create it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from poolctl.history.errors import HistoryError
from poolctl.history.schema import metadata
from poolctl.history.schema_head import SCHEMA_HEAD, VERSION_TABLE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_LOCK_KEY = 0x706F6F6C  # "pool": serialises migrations on a shared PostgreSQL


def current_revision(conn: Connection) -> str | None:
    """The store's Alembic revision, or None for a store with no schema yet."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _refuse_newer(revision: str, known: set[str], where: str) -> None:
    if revision not in known:
        raise HistoryError(
            where,
            f"its schema is at revision {revision}, newer than this poolctl knows (up to "
            f"{SCHEMA_HEAD}): upgrade poolctl to use it",
        )


def ensure_schema(engine: Engine, where: str) -> None:
    """Create or upgrade the schema to `SCHEMA_HEAD`; refuse a store a newer poolctl wrote."""
    with engine.connect() as conn:
        if current_revision(conn) == SCHEMA_HEAD:
            return
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect().execution_options(poolctl_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        revision = current_revision(conn)  # again, now that this runner holds the lock
        if revision == SCHEMA_HEAD:
            return
        if revision is not None:
            _refuse_newer(revision, known, where)

        def upgrade(rev: Any, context: Any) -> Any:
            return script._upgrade_revs(SCHEMA_HEAD, rev)  # as alembic's `upgrade` command

        with EnvironmentContext(config, script, fn=upgrade, destination_rev=SCHEMA_HEAD) as env:
            env.configure(connection=conn, target_metadata=metadata)
            env.run_migrations()
