"""The history store's tables, in SQLAlchemy Core: one row per run, one per failure, one per
test ever seen, and one per run for all its passes.

A run's passes are the bulk of a store (200,000 a run for a large suite) and nearly the same
from run to run: each test's name is stored once (`tests`), and a run's passes as one packed
value, the sorted 8-byte keys of its passing tests (`run_passes`). Recording them is one row,
not 200,000 rows and their index entries; the few queries that need a test's passes (its flips,
`history test`) read the packed keys of the runs concerned (`passes.py`). The view `outcomes`
shows every outcome, failures and passes, one row each, as the store held them before.

The Alembic revisions in `migrations/versions/` create exactly these tables (a test compares
them); `SCHEMA_HEAD` (in `schema_head`) is the newest revision this poolctl knows.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from poolctl.history.schema_head import SCHEMA_HEAD as SCHEMA_HEAD  # read by the tests

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

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("test_key", String(32), nullable=False),  # a hash of (file, group, name)
    Column("name", Text, nullable=False),
    Column("test_group", Text, nullable=False, default=""),
    Column("file", Text, nullable=False, default=""),
    Column("source", String(16), nullable=False),
    Column("outcome", String(8), nullable=False),  # failed
    Column("failure_key", String(32), nullable=True),  # test, pattern and message: one failure
    Column("pattern_id", String(128), nullable=True),  # None: unclassified
    Column("cluster_id", String(32), nullable=True),
    Column("message", Text, nullable=True),  # the normalised message (clipped)
    Index("ix_failures_test_key_run", "test_key", "run_id"),
    Index("ix_failures_failure_key", "failure_key"),
    Index("ix_failures_pattern", "pattern_id"),
)

# every test a run passed, once: its key is the 16 hex digits of `identity.case_key`
tests = Table(
    "tests",
    metadata,
    Column("test_key", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("test_group", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("source", String(16), nullable=False),
    sqlite_with_rowid=False,  # one b-tree, the key's
)

run_passes = Table(
    "run_passes",
    metadata,
    Column(
        "run_id",
        Integer,
        ForeignKey("runs.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("passed", Integer, nullable=False),
    # the passing tests' keys as 8 bytes each (big-endian: the key's hex digits), sorted
    Column("test_keys", LargeBinary, nullable=False),
)

# the view `outcomes` (made by revision 0003): every outcome, a failure's row or a pass; for
# reading only, and not in `metadata` (which holds the tables)
outcomes = Table(
    "outcomes",
    MetaData(),
    Column("id", Integer),  # None for a pass
    Column("run_id", Integer),
    Column("test_key", String(32)),
    Column("name", Text),
    Column("test_group", Text),
    Column("file", Text),
    Column("source", String(16)),
    Column("outcome", String(8)),  # passed | failed
    Column("failure_key", String(32)),
    Column("pattern_id", String(128)),
    Column("cluster_id", String(32)),
    Column("message", Text),
)
