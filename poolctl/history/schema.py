"""The history store's tables, in SQLAlchemy Core: one row per run, one per test outcome.

The Alembic revisions in `migrations/versions/` create exactly these tables (a test compares
them); `SCHEMA_HEAD` is the newest revision this poolctl knows, read without importing Alembic.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_HEAD = "0002"  # the last revision in migrations/versions/

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # triage | scenario | ping | doctor
    Column("title", Text, nullable=False, default=""),
    Column("verdict", String(16), nullable=False),  # passed | failed | ok | warn | fail | …
    Column("seconds", Float, nullable=True),
    Column("timings", Text, nullable=False, default="{}"),  # JSON: what the run measured
    Column("tests", Integer, nullable=False, default=0),  # outcomes recorded
    Column("failures", Integer, nullable=False, default=0),
    Column("passed", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("known", Integer, nullable=False, default=0),
    Column("flaky", Integer, nullable=False, default=0),
    Column("patterns", Text, nullable=False, default="[]"),  # JSON: pattern ids found
    Column("commit_sha", String(64), nullable=True),
    Column("branch", String(255), nullable=True),
    Column("ci_provider", String(32), nullable=True),
    Column("ci_job_url", Text, nullable=True),
    Column("job", String(255), nullable=True),  # the CI job (a matrix's leg) it ran in
    Column("host", String(255), nullable=False, default=""),
    Column("inputs", Text, nullable=False, default="[]"),  # JSON: the logs or scenario files
    Column("inputs_digest", String(64), nullable=True, index=True),  # sha256 of a triage's logs
    Column("run_dir", Text, nullable=True),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("test_key", String(32), nullable=False),  # a hash of (source family, file, group, name)
    Column("name", Text, nullable=False),
    Column("test_group", Text, nullable=False, default=""),
    Column("file", Text, nullable=False, default=""),
    Column("source", String(16), nullable=False),
    Column("outcome", String(8), nullable=False),  # passed | failed
    Column("failure_key", String(32), nullable=True),  # test, pattern and message: one failure
    Column("pattern_id", String(128), nullable=True),  # None: unclassified (or a pass)
    Column("cluster_id", String(32), nullable=True),
    Column("message", Text, nullable=True),  # the normalised message (clipped)
    Index("ix_outcomes_test_key_run", "test_key", "run_id"),
    Index("ix_outcomes_failure_key", "failure_key"),
    Index("ix_outcomes_pattern", "pattern_id"),
)
