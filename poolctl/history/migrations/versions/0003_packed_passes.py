"""A run's passes packed in one row (`run_passes`), each test's name stored once (`tests`), the
failures in a table of their own (`failures`), and `outcomes` a view of both: recording a run of
200,000 passes wrote 200,000 rows and their entries in four indexes.

The store's pass rows are moved, run by run; its failure rows are copied as they are.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from poolctl.history.packed import key_of, pack

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

FAILURE_COLUMNS = (
    "run_id, test_key, name, test_group, file, source, outcome, failure_key, pattern_id, "
    "cluster_id, message"
)
# the view's pass rows: each run's packed keys, one row per key, named from `tests`
_PASS_ROWS = {
    "sqlite": (
        "FROM run_passes AS p JOIN (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 "
        "FROM n WHERE i + 1 < (SELECT max(passed) FROM run_passes)) SELECT i FROM n) AS n "
        "ON n.i < p.passed "
        "JOIN tests AS t ON t.test_key = lower(hex(substr(p.test_keys, n.i * 8 + 1, 8)))"
    ),
    "postgresql": (
        "FROM run_passes AS p CROSS JOIN LATERAL generate_series(0, p.passed - 1) AS n(i) "
        "JOIN tests AS t ON t.test_key = encode(substr(p.test_keys, n.i * 8 + 1, 8), 'hex')"
    ),
}


def outcomes_view(dialect: str) -> str:
    """The view `outcomes`: the failures' rows, then a row per pass (`id` None)."""
    return (
        f"CREATE VIEW outcomes AS SELECT id, {FAILURE_COLUMNS} FROM failures UNION ALL "
        "SELECT NULL, p.run_id, t.test_key, t.name, t.test_group, t.file, t.source, 'passed', "
        f"NULL, NULL, NULL, NULL {_PASS_ROWS[dialect]}"
    )


def _move_passes(bind: Any) -> None:
    """Each run's pass rows into one `run_passes` row; each test's name into `tests` once."""
    known: set[str] = set()
    run_ids = [r for (r,) in bind.execute(sa.text("SELECT id FROM runs ORDER BY id"))]
    tests = sa.table(
        "tests", *(sa.column(c) for c in ("test_key", "name", "test_group", "file", "source"))
    )
    run_passes = sa.table(
        "run_passes",
        sa.column("run_id"),
        sa.column("passed"),
        sa.column("test_keys", sa.LargeBinary),
    )
    for run_id in run_ids:
        rows = bind.execute(
            sa.text(
                "SELECT test_key, name, test_group, file, source FROM outcomes "
                "WHERE run_id = :run AND outcome = 'passed' ORDER BY id"
            ),
            {"run": run_id},
        ).all()
        numbers = {n for row in rows if (n := key_of(row[0])) is not None}
        if not numbers:
            continue
        new: dict[str, tuple[str, str, str, str]] = {}
        for key, name, group, file, source in rows:
            if key not in known and key_of(key) is not None:
                new.setdefault(key, (name, group, file, source))
        if new:
            bind.execute(
                tests.insert(),
                [
                    {"test_key": k, "name": n, "test_group": g, "file": f, "source": s}
                    for k, (n, g, f, s) in sorted(new.items())
                ],
            )
            known.update(new)
        bind.execute(
            run_passes.insert(),
            {"run_id": run_id, "passed": len(numbers), "test_keys": pack(numbers)},
        )


def upgrade() -> None:
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("test_key", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("test_group", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("failure_key", sa.String(32), nullable=True),
        sa.Column("pattern_id", sa.String(128), nullable=True),
        sa.Column("cluster_id", sa.String(32), nullable=True),
        sa.Column("message", sa.Text, nullable=True),
    )
    op.create_table(
        "tests",
        sa.Column("test_key", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("test_group", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "run_passes",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("test_keys", sa.LargeBinary, nullable=False),
    )
    bind = op.get_bind()
    bind.execute(
        sa.text(
            f"INSERT INTO failures ({FAILURE_COLUMNS}) SELECT {FAILURE_COLUMNS} FROM outcomes "
            "WHERE outcome = 'failed' ORDER BY id"
        )
    )
    _move_passes(bind)
    op.drop_table("outcomes")  # and its indexes
    op.create_index("ix_failures_run_id", "failures", ["run_id"])
    op.create_index("ix_failures_test_key_run", "failures", ["test_key", "run_id"])
    op.create_index("ix_failures_failure_key", "failures", ["failure_key"])
    op.create_index("ix_failures_pattern", "failures", ["pattern_id"])
    op.execute(outcomes_view(bind.dialect.name))
