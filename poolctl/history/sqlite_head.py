"""A new SQLite store created at `SCHEMA_HEAD` with `sqlite3` alone.

The statements are those Alembic's migrations leave in `sqlite_master` (a new migration changes
them: `tests/test_history_sqlite_head.py` compares both ways and prints the statements to put
here). Importing SQLAlchemy and Alembic to run the migrations took about 0.4 s of a suite's first
triage; these few statements take milliseconds. They run in one `BEGIN IMMEDIATE` transaction,
so that two runners creating a store at once create it once; a file that holds anything already
is left to the migrations.
"""

from __future__ import annotations

import sqlite3

from poolctl.history.schema_head import SCHEMA_HEAD, VERSION_TABLE

# as `sqlite_master` holds them after the migrations, in their order
STATEMENTS = (
    (
        "CREATE TABLE alembic_version (\n"
        "\tversion_num VARCHAR(32) NOT NULL, \n"
        "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
        ")"
    ),
    (
        "CREATE TABLE runs (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tstarted_at DATETIME NOT NULL, \n"
        "\tkind VARCHAR(16) NOT NULL, \n"
        "\ttitle TEXT NOT NULL, \n"
        "\tverdict VARCHAR(16) NOT NULL, \n"
        "\tseconds FLOAT, \n"
        "\ttimings TEXT NOT NULL, \n"
        "\ttests INTEGER NOT NULL, \n"
        "\tfailures INTEGER NOT NULL, \n"
        "\tpassed INTEGER NOT NULL, \n"
        "\tnew INTEGER NOT NULL, \n"
        "\tknown INTEGER NOT NULL, \n"
        "\tflaky INTEGER NOT NULL, \n"
        "\tpatterns TEXT NOT NULL, \n"
        "\tcommit_sha VARCHAR(64), \n"
        "\tbranch VARCHAR(255), \n"
        "\tci_provider VARCHAR(32), \n"
        "\tci_job_url TEXT, \n"
        "\thost VARCHAR(255) NOT NULL, \n"
        "\tinputs TEXT NOT NULL, \n"
        "\trun_dir TEXT, job VARCHAR(255), inputs_digest VARCHAR(64), \n"
        "\tPRIMARY KEY (id)\n"
        ")"
    ),
    "CREATE INDEX ix_runs_started_at ON runs (started_at)",
    "CREATE INDEX ix_runs_inputs_digest ON runs (inputs_digest)",
    (
        "CREATE TABLE failures (\n"
        "\tid INTEGER NOT NULL, \n"
        "\trun_id INTEGER NOT NULL, \n"
        "\ttest_key VARCHAR(32) NOT NULL, \n"
        "\tname TEXT NOT NULL, \n"
        "\ttest_group TEXT NOT NULL, \n"
        "\tfile TEXT NOT NULL, \n"
        "\tsource VARCHAR(16) NOT NULL, \n"
        "\toutcome VARCHAR(8) NOT NULL, \n"
        "\tfailure_key VARCHAR(32), \n"
        "\tpattern_id VARCHAR(128), \n"
        "\tcluster_id VARCHAR(32), \n"
        "\tmessage TEXT, \n"
        "\tPRIMARY KEY (id), \n"
        "\tFOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE\n"
        ")"
    ),
    (
        "CREATE TABLE tests (\n"
        "\ttest_key VARCHAR(32) NOT NULL, \n"
        "\tname TEXT NOT NULL, \n"
        "\ttest_group TEXT NOT NULL, \n"
        "\tfile TEXT NOT NULL, \n"
        "\tsource VARCHAR(16) NOT NULL, \n"
        "\tPRIMARY KEY (test_key)\n"
        ")\n"
        " WITHOUT ROWID\n"
        "\n"
    ),
    (
        "CREATE TABLE run_passes (\n"
        "\trun_id INTEGER NOT NULL, \n"
        "\tpassed INTEGER NOT NULL, \n"
        "\ttest_keys BLOB NOT NULL, \n"
        "\tPRIMARY KEY (run_id), \n"
        "\tFOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE\n"
        ")"
    ),
    "CREATE INDEX ix_failures_run_id ON failures (run_id)",
    "CREATE INDEX ix_failures_test_key_run ON failures (test_key, run_id)",
    "CREATE INDEX ix_failures_failure_key ON failures (failure_key)",
    "CREATE INDEX ix_failures_pattern ON failures (pattern_id)",
    (
        "CREATE VIEW outcomes AS SELECT id, run_id, test_key, name, test_group, file, "
        "source, outcome, failure_key, pattern_id, cluster_id, message FROM failures "
        "UNION ALL SELECT NULL, p.run_id, t.test_key, t.name, t.test_group, t.file, "
        "t.source, 'passed', NULL, NULL, NULL, NULL FROM run_passes AS p JOIN (WITH "
        "RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < (SELECT "
        "max(passed) FROM run_passes)) SELECT i FROM n) AS n ON n.i < p.passed JOIN "
        "tests AS t ON t.test_key = lower(hex(substr(p.test_keys, n.i * 8 + 1, 8)))"
    ),
)


def create_head(db: sqlite3.Connection) -> bool:
    """Create the schema at `SCHEMA_HEAD` in the empty database `db` (in autocommit mode, its
    pragmas set), in one write transaction; False, with nothing written, when the database
    holds a table already (another runner created it first, or it is not empty): the
    migrations then say what it is."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall():
            db.rollback()
            return False
        for statement in STATEMENTS:
            db.execute(statement)
        db.execute(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (?)", (SCHEMA_HEAD,))
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return True
