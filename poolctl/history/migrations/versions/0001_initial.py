"""The first schema: runs, and the outcome of each test in each run.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("timings", sa.Text, nullable=False),
        sa.Column("tests", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("known", sa.Integer, nullable=False),
        sa.Column("flaky", sa.Integer, nullable=False),
        sa.Column("patterns", sa.Text, nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=True),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("ci_provider", sa.String(32), nullable=True),
        sa.Column("ci_job_url", sa.Text, nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("run_dir", sa.Text, nullable=True),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "outcomes",
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
    op.create_index("ix_outcomes_run_id", "outcomes", ["run_id"])
    op.create_index("ix_outcomes_test_key_run", "outcomes", ["test_key", "run_id"])
    op.create_index("ix_outcomes_failure_key", "outcomes", ["failure_key"])
    op.create_index("ix_outcomes_pattern", "outcomes", ["pattern_id"])


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("runs")
