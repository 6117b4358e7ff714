"""A store written before revision 0003 (a pass a row of `outcomes`) upgraded to the packed
passes: it keeps every run and outcome, answers every `poolctl history` question as a store
written since does, and records the next run with the same histories; on SQLite and PostgreSQL.

The old store is made at revision 0002 by its own migrations and filled with the rows a store
written since holds (its runs, and its `outcomes` view row for row, as the old table held them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from poolctl.history.location import parse_location
from poolctl.history.migrate import MIGRATIONS, current_revision
from poolctl.history.schema import SCHEMA_HEAD
from tests import test_history_store as on_both
from tests.conftest import RunCli
from tests.postgres import PgServer, PgUnavailable
from tests.test_history_store import FLAKY, POOL_LOG

store_url = on_both.store_url  # a store on each back-end (the server: tests/conftest.py pg_server)

OUTCOME_COLUMNS = (
    "run_id, test_key, name, test_group, file, source, outcome, failure_key, pattern_id, "
    "cluster_id, message"
)
QUESTIONS = [
    ["runs"],
    ["flaky"],
    ["patterns"],
    ["test", "test_checkout_under_load"],
    ["test", "test_single_checkout_succeeds"],
    ["test", "checkout"],  # a part of a name: the tests that hold it
    ["test", "test_pool_checkout"],
]


@pytest.fixture
def old_url(store_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second store on the same back-end as `store_url`, nobody has used yet (the server
    asked for only on PostgreSQL, as `store_url` does)."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'old' / 'history.sqlite'}"
    pg_server: PgServer | PgUnavailable = request.getfixturevalue("pg_server")
    assert isinstance(pg_server, PgServer)
    return pg_server.url(pg_server.new_database())


def engine_of(url: str) -> Engine:
    location = parse_location(url)
    if location.sqlite_path is not None:
        location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return create_engine(location.url, poolclass=NullPool)


def at_revision_0002(engine: Engine) -> None:
    """The store's schema as revision 0002 made it, by its own migrations."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)

    def upgrade(rev: Any, context: Any) -> Any:
        return script._upgrade_revs("0002", rev)

    with (
        engine.begin() as conn,
        EnvironmentContext(config, script, fn=upgrade, destination_rev="0002") as env,
    ):
        env.configure(connection=conn)
        env.run_migrations()


def copy_as_0002(source: str, target: str) -> list[tuple[Any, ...]]:
    """`target` at revision 0002, holding `source`'s runs and outcomes; the outcomes copied."""
    src, dst = engine_of(source), engine_of(target)
    try:
        at_revision_0002(dst)
        with src.connect() as conn:
            run_rows = [
                dict(r) for r in conn.execute(text("SELECT * FROM runs ORDER BY id")).mappings()
            ]
            outcome_rows = conn.execute(
                text(f"SELECT {OUTCOME_COLUMNS} FROM outcomes ORDER BY run_id, outcome, name")
            ).all()
        with dst.begin() as conn:
            assert current_revision(conn) == "0002"
            for row in run_rows:  # in order, without their ids: given the same ones
                row.pop("id")
                names = ", ".join(row)
                values = ", ".join(f":{k}" for k in row)
                conn.execute(text(f"INSERT INTO runs ({names}) VALUES ({values})"), row)
            marks = ", ".join(f":{c.strip()}" for c in OUTCOME_COLUMNS.split(","))
            conn.execute(
                text(f"INSERT INTO outcomes ({OUTCOME_COLUMNS}) VALUES ({marks})"),
                [dict(r._mapping) for r in outcome_rows],
            )
        return [tuple(r) for r in outcome_rows]
    finally:
        src.dispose()
        dst.dispose()


def timeless(value: Any) -> Any:
    """`value` without when its runs started, how long they took and their run folders: a run
    recorded in each store has its own."""
    if isinstance(value, dict):
        return {k: timeless(v) for k, v in value.items() if k not in MOMENTS}
    if isinstance(value, (list, tuple)):
        return [timeless(v) for v in value]
    return value


MOMENTS = {"started_at", "seconds", "timings", "last_seen", "run_dir"}


def answers(run_cli: RunCli, url: str) -> list[dict[str, Any]]:
    docs = []
    for question in QUESTIONS:
        code, out, err = run_cli("history", *question, "--history", url, "-f", "json")
        assert code == 0, err
        doc = json.loads(out)
        doc.pop("store")  # where the store is, and when it was asked: what differs
        doc.pop("since", None)
        docs.append(doc)
    return docs


def outcome_rows(url: str) -> list[tuple[Any, ...]]:
    engine = engine_of(url)
    try:
        with engine.connect() as conn:
            query = f"SELECT {OUTCOME_COLUMNS} FROM outcomes ORDER BY run_id, outcome, name"
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def triage_histories(run_cli: RunCli, log: Path, url: str) -> list[tuple[str, Any]]:
    code, out, err = run_cli("triage", str(log), "--history", url, "-f", "json")
    assert code == 1, err
    doc = json.loads(out)
    return [(f["failure"]["name"], f["history"]) for f in doc["findings"]]


def test_an_old_store_upgraded_keeps_its_runs_and_answers_the_same(
    run_cli: RunCli, store_url: str, old_url: str, tmp_path: Path
) -> None:
    # the flaky JUnit sequence (a test that fails, passes, fails) and an ExUnit --trace log
    # with 10 passes
    for log in [*FLAKY, POOL_LOG]:
        code, _, err = run_cli("triage", str(log), "--history", store_url, "-q")
        assert code == 1, err
    held = copy_as_0002(store_url, old_url)
    assert len(held) == 3 + 3 + 3 + 41 and sum(1 for r in held if r[6] == "passed") == 14
    code, _, err = run_cli("history", "runs", "--history", old_url)  # opened: upgraded
    assert code == 0, err
    engine = engine_of(old_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == SCHEMA_HEAD
            passes = conn.execute(text("SELECT sum(passed) FROM run_passes")).scalar_one()
    finally:
        engine.dispose()
    assert passes == 14  # each run's passes, packed
    assert outcome_rows(old_url) == held
    expected = answers(run_cli, store_url)
    assert answers(run_cli, old_url) == expected
    assert expected[0]["runs"][0]["passed"] == 10
    assert {t["test"] for t in expected[1]["tests"]} == {"test_checkout_under_load"}
    # the next builds are recorded in both alike: known, flaky, and a log already recorded
    build = tmp_path / "build-4.xml"  # the third build's log, another build's bytes
    build.write_bytes(FLAKY[2].read_bytes() + b"<!-- build 4 -->\n")
    for log in [build, FLAKY[0]]:
        # (the run recorded now in each store may be a second apart: its last_seen)
        old_said = timeless(triage_histories(run_cli, log, old_url))
        assert old_said == timeless(triage_histories(run_cli, log, store_url))
    assert timeless(answers(run_cli, old_url)) == timeless(answers(run_cli, store_url))
