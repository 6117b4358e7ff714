"""The run history on both back-ends: each test runs against an embedded SQLite file and a real
PostgreSQL server (Debian's `postgresql`, started privately by `tests/postgres.py`; the
PostgreSQL cases skip, saying why, where no server can be started).

What it proves, on each: the schema is created on first use (Alembic) and matches the tables;
the same failing log triaged three times is new, then known; a JUnit sequence fail, pass, fail
marks the test flaky; `history runs | test | flaky | patterns | prune` answer in every format;
two concurrent writer processes lose nothing; `--no-history` writes nothing; a schema newer
than this poolctl is refused with both versions named; a password in the URL is never printed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.pool import NullPool

from poolctl.history.location import parse_location
from poolctl.history.migrate import current_revision
from poolctl.history.schema import SCHEMA_HEAD, metadata, outcomes, runs
from poolctl.history.store import HistoryStore
from tests.conftest import Processes, RunCli
from tests.postgres import PASSWORD, PgServer, PgUnavailable

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLAKY = [FIXTURES / "junit" / "flaky" / f"run{n}.xml" for n in (1, 2, 3)]
POOL_LOG = FIXTURES / "exunit" / "pool_suite_seed_trace.log"
WRITER = Path(__file__).resolve().parent / "history_writer.py"


# The PostgreSQL cases start a server (marked `process` by hand: the fixture that starts it is
# asked for inside `store_url`, where the collection hook cannot see it).
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.process)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store nobody has used yet, on each back-end. The server is asked for only by the
    PostgreSQL cases: an xdist process given only SQLite cases of the module started one (an
    initdb and a server's start and stop) that no test used."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'history.sqlite'}"
    pg_server: PgServer | PgUnavailable = request.getfixturevalue("pg_server")
    if isinstance(pg_server, PgUnavailable):
        pytest.skip(f"no PostgreSQL server: {pg_server}")
    return pg_server.url(pg_server.new_database())


def open_store(url: str) -> HistoryStore:
    return HistoryStore(parse_location(url)).open()


@contextlib.contextmanager
def open_store_raw(url: str) -> Iterator[Connection]:
    """A plain connection, past the schema check (which refuses a newer schema)."""
    location = parse_location(url)
    engine = create_engine(location.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def counts(url: str) -> tuple[int, int]:
    with open_store(url) as store, store.reading() as conn:
        return (
            conn.execute(select(func.count()).select_from(runs)).scalar_one(),
            conn.execute(select(func.count()).select_from(outcomes)).scalar_one(),
        )


def triage_json(run_cli: RunCli, log: Path, url: str, *extra: str) -> dict[str, Any]:
    code, out, err = run_cli("triage", str(log), "--history", url, "-f", "json", *extra)
    assert code == 1, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_schema_is_created_on_first_use_and_matches_the_tables(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with open_store(store_url) as store, store.reading() as conn:
        assert current_revision(conn) == SCHEMA_HEAD
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    with open_store(store_url) as store, store.reading() as conn:  # a second open: unchanged
        assert current_revision(conn) == SCHEMA_HEAD


def builds(log: Path, folder: Path, count: int) -> list[Path]:
    """`count` builds' logs of the same failures: `log`, and a line naming the build after it
    (each build's real log differs at least in its timings; the same bytes are one log)."""
    folder.mkdir(exist_ok=True)
    made = []
    for build in range(1, count + 1):
        copy = folder / f"build-{build}{log.suffix}"
        copy.write_bytes(log.read_bytes() + f"build {build}\n".encode())
        made.append(copy)
    return made


def test_the_same_failures_in_three_builds_are_new_then_known(
    run_cli: RunCli, store_url: str, tmp_path: Path
) -> None:
    docs = [triage_json(run_cli, log, store_url) for log in builds(POOL_LOG, tmp_path, 3)]
    failures = len(docs[0]["findings"])
    assert failures == 31
    first, second, third = ([f["history"] for f in d["findings"]] for d in docs)
    assert {h["status"] for h in first} == {"new"}
    assert all(h["seen_before"] == 0 and h["first_seen"] is None for h in first)
    assert {h["status"] for h in second} == {"known"} == {h["status"] for h in third}
    assert {h["seen_before"] for h in second} == {1}
    assert {h["seen_before"] for h in third} == {2}
    assert all(h["first_seen"] <= h["last_seen"] for h in third)
    assert docs[0]["summary"]["new"] == failures and docs[0]["summary"]["known"] == 0
    assert docs[2]["summary"]["known"] == failures and docs[2]["summary"]["flaky"] == 0
    # every test of the --trace log is recorded, the ones that passed too
    with open_store(store_url) as store, store.reading() as conn:
        passed = conn.execute(
            select(func.count()).select_from(outcomes).where(outcomes.c.outcome == "passed")
        ).scalar_one()
    # 42 tests ran, 30 of them failed (one failure is setup_all's), and the setup_all's failure
    # invalidated 2 of the 12 that did not fail: 10 passed
    assert passed == 3 * 10


def test_the_same_log_triaged_again_is_not_another_run(run_cli: RunCli, store_url: str) -> None:
    """Triaged again (to render it otherwise), a log is the run it was: its failures are as
    new as they were, and a note names the run."""
    first = triage_json(run_cli, POOL_LOG, store_url)
    again = triage_json(run_cli, POOL_LOG, store_url)
    assert {f["history"]["status"] for f in again["findings"]} == {"new"}
    assert again["summary"]["new"] == first["summary"]["new"] == 31
    assert "not recorded again: the same input is history run 1" in " ".join(again["notes"])
    assert counts(store_url)[0] == 1


def test_a_junit_sequence_fail_pass_fail_marks_the_test_flaky(
    run_cli: RunCli, store_url: str
) -> None:
    statuses = []
    for log in FLAKY:
        code, out, err = run_cli("triage", str(log), "--history", store_url, "-f", "json")
        assert code == 1, err
        doc = json.loads(out)
        statuses.append({f["failure"]["name"]: f["history"]["status"] for f in doc["findings"]})
    assert statuses[0] == {
        "test_checkout_under_load": "new",
        "test_context_names_the_pool_pid": "new",
    }
    assert statuses[1] == {"test_context_names_the_pool_pid": "known"}  # the flaky one passed
    assert statuses[2] == {
        "test_checkout_under_load": "flaky",
        "test_context_names_the_pool_pid": "known",
    }
    code, out, _ = run_cli("history", "flaky", "--history", store_url, "-f", "json")
    assert code == 0
    flaky = json.loads(out)["tests"]
    assert [(t["test"], t["runs"], t["flips"], t["last"]) for t in flaky] == [
        ("test_checkout_under_load", 3, 2, "failed")
    ]
    assert flaky[0]["flip_rate"] == 1.0
    code, out, _ = run_cli("history", "flaky", "--history", store_url)
    assert "test_checkout_under_load" in out and "1.00" in out
    # the fix plan marks it: the terminal view of the third run
    code, out, _ = run_cli("triage", str(FLAKY[2]), "--history", store_url)
    assert "run3.xml:1-35 (flaky)" in out
    assert "[flaky]" in out


def test_history_patterns_counts_per_pattern_per_day_and_week(
    run_cli: RunCli, store_url: str
) -> None:
    for log in FLAKY:
        triage_json(run_cli, log, store_url)
    code, out, _ = run_cli("history", "patterns", "--history", store_url, "-f", "json")
    assert code == 0
    doc = json.loads(out)
    totals = {p["pattern"]: p["total"] for p in doc["patterns"]}
    assert totals == {"fixture-key-mismatch": 3, "checkout-timeout-waiters": 2}
    assert len(doc["buckets"]) == 15  # 14 days back, and today
    assert all(p["counts"][-1] == p["total"] for p in doc["patterns"])  # all of them today
    code, out, _ = run_cli("history", "patterns", "--history", store_url, "--by", "week")
    assert code == 0
    assert "fixture-key-mismatch" in out and "█" in out and "·" in out  # the sparkline
    code, out, _ = run_cli("history", "patterns", "--history", store_url, "-f", "html")
    assert out.startswith("<!doctype html>") and "<svg" in out
    assert 'data-pattern="fixture-key-mismatch"' in out and 'data-count="3"' in out
    code, out, _ = run_cli("history", "patterns", "--history", store_url, "-f", "md")
    assert "| fixture-key-mismatch | 3 |" in out


def test_history_runs_test_and_prune(run_cli: RunCli, store_url: str) -> None:
    for log in FLAKY:
        triage_json(run_cli, log, store_url)
    code, out, _ = run_cli("history", "runs", "--history", store_url, "-f", "json")
    listed = json.loads(out)["runs"]
    assert [(r["failures"], r["passed"], r["new"], r["known"], r["flaky"]) for r in listed] == [
        (2, 1, 0, 1, 1),
        (1, 2, 0, 1, 0),
        (2, 1, 2, 0, 0),
    ]
    assert {r["kind"] for r in listed} == {"triage"} and listed[0]["host"]
    code, out, _ = run_cli("history", "test", "test_checkout_under_load", "--history", store_url)
    assert code == 0
    assert out.startswith("Test test_checkout_under_load (check_flaky): its outcomes")
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [(r[0], r[3]) for r in rows] == [("3", "failed"), ("2", "passed"), ("1", "failed")]
    assert rows[0][4] == "checkout-timeout-waiters"
    code, out, _ = run_cli("history", "test", "under_load", "--history", store_url, "-f", "md")
    # a part of the name finds it
    assert out.startswith("# Test test\\_checkout\\_under\\_load (check\\_flaky)")
    assert [line.split(" | ")[2] for line in out.splitlines() if line.startswith("| 3 ")] == [
        "failed"
    ]
    code, out, _ = run_cli("history", "prune", "--older-than", "90d", "--history", store_url)
    assert code == 0 and "0" in out
    assert counts(store_url)[0] == 3
    # a run from 100 days ago goes, with its outcomes
    with open_store(store_url) as store, store.writing() as conn:
        conn.execute(
            runs.update()
            .where(runs.c.id == listed[-1]["id"])
            .values(started_at=datetime.now(UTC) - timedelta(days=100))
        )
    code, out, _ = run_cli(
        "history", "prune", "--older-than", "90d", "--history", store_url, "-f", "json"
    )
    pruned = json.loads(out)
    assert (pruned["deleted_runs"], pruned["deleted_outcomes"], pruned["runs_left"]) == (1, 3, 2)
    assert counts(store_url) == (2, 6)


def test_two_concurrent_writers_lose_nothing(
    processes: Processes, store_url: str, tmp_path: Path
) -> None:
    runs_each = 20
    go = tmp_path / "go"
    writers = [
        processes.popen(
            [sys.executable, str(WRITER), store_url, str(FLAKY[0]), str(runs_each), str(go)],
            stdout=-1,
            stderr=-1,
        )
        for _ in range(2)
    ]
    # Both go once both are ready: let go as soon as they were spawned, the one quicker to
    # import and triage could record all its runs before the other began. The store does not
    # exist yet: both create it at once, too.
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        if any(w.poll() is not None for w in writers):
            break  # one failed before it got ready: its stderr says why below
        time.sleep(0.01)
    go.touch()
    results = [w.communicate(timeout=240) for w in writers]
    for writer, (_, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err.decode()
    lines = [[json.loads(x) for x in out.decode().splitlines()] for out, _ in results]
    assert [len(x) for x in lines] == [runs_each, runs_each]
    a, b = lines
    overlap = a[0]["start"] < b[-1]["end"] and b[0]["start"] < a[-1]["end"]
    assert overlap, [(x[0]["start"], x[-1]["end"]) for x in lines]  # they overlapped
    # every run, each with all its 3 outcomes (2 failures, 1 pass)
    assert counts(store_url) == (2 * runs_each, 2 * runs_each * 3)
    with open_store(store_url) as store, store.reading() as conn:
        per_run = conn.execute(
            select(outcomes.c.run_id, func.count()).group_by(outcomes.c.run_id)
        ).all()
        seen = conn.execute(select(runs.c.new, runs.c.known)).all()
    assert sorted(n for _, n in per_run) == [3] * (2 * runs_each)
    # one run saw the two failures first; every other run, either writer's, knew them
    assert sorted(seen, reverse=True) == [(2, 0)] + [(0, 2)] * (2 * runs_each - 1)
    statuses = sorted(tuple(r["statuses"]) for x in lines for r in x)
    assert statuses == [("known", "known")] * (2 * runs_each - 1) + [("new", "new")]


def test_a_new_store_another_process_holds_locked_is_waited_for(
    processes: Processes, tmp_path: Path
) -> None:
    # two CI jobs' first triages into one new store: SQLite calls no busy handler for the
    # switch to WAL, so the second one failed at once, "database is locked"
    path = tmp_path / "history.sqlite"
    holder = processes.popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
            " db.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(0.5);"
            " db.execute('COMMIT')",
            str(path),
        ],
        stdout=-1,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    store = HistoryStore(parse_location(str(path)), timeout=30).open()  # was: locked at once
    store.close()
    assert holder.wait(timeout=30) == 0
    with create_engine(f"sqlite:///{path}", poolclass=NullPool).connect() as conn:
        assert current_revision(conn) == SCHEMA_HEAD


def test_no_history_writes_nothing(run_cli: RunCli, store_url: str) -> None:
    code, out, _ = run_cli(
        "triage", str(FLAKY[0]), "--history", store_url, "--no-history", "-f", "json"
    )
    assert code == 1
    doc = json.loads(out)
    assert all("history" not in f for f in doc["findings"])
    assert "new" not in doc["summary"]
    if store_url.startswith("sqlite:///"):
        assert not Path(store_url.removeprefix("sqlite:///")).exists()  # not even created
    else:
        with open_store(store_url) as store, store.reading() as conn:  # creates an empty one
            assert conn.execute(select(func.count()).select_from(runs)).scalar_one() == 0


def test_a_newer_schema_is_refused_naming_both_versions(run_cli: RunCli, store_url: str) -> None:
    with open_store(store_url) as store, store.writing() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042'"))
    code, out, err = run_cli("triage", str(FLAKY[0]), "--history", store_url)
    assert code == 2
    assert "Pattern 3" in out  # the report is printed all the same
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "revision 0042" in lines[0] and f"up to {SCHEMA_HEAD}" in lines[0]
    assert "upgrade poolctl" in lines[0]
    with open_store_raw(store_url) as conn:  # nothing was written to it
        assert conn.execute(text("SELECT count(*) FROM runs")).scalar_one() == 0


def test_a_password_in_the_url_is_never_printed(
    run_cli: RunCli, pg_server: PgServer | PgUnavailable
) -> None:
    if isinstance(pg_server, PgUnavailable):
        pytest.skip(f"no PostgreSQL server: {pg_server}")
    database = pg_server.new_database()
    good = pg_server.tcp_url(database)  # password authentication over TCP
    code, out, err = run_cli("triage", str(FLAKY[0]), "--history", good, "-f", "json")
    assert code == 1 and PASSWORD not in out + err
    assert {f["history"]["status"] for f in json.loads(out)["findings"]} == {"new"}
    code, out, err = run_cli("history", "runs", "--history", good, "-f", "json")
    assert code == 0 and PASSWORD not in out + err
    assert json.loads(out)["store"].startswith("postgresql://poolctl:[redacted]@127.0.0.1:")
    wrong = pg_server.tcp_url(database, password="Wrong-Secret-7731")
    code, out, err = run_cli("triage", str(FLAKY[0]), "--history", wrong)
    assert code == 2 and "Pattern 3" in out  # the report first, then one line
    assert "Wrong-Secret-7731" not in out + err and "password authentication failed" in err
    assert err.count("\n") == 1 and "postgresql://poolctl:[redacted]@127.0.0.1:" in err


def test_another_program_s_sqlite_database_is_refused_and_left_untouched(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A mistyped --history naming an application's database: poolctl made its tables in it.
    Now the report is printed, the store refused in one line, exit 2, and not a byte written."""
    import sqlite3

    app = tmp_path / "app.sqlite"
    with contextlib.closing(sqlite3.connect(app)) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers (name) VALUES ('acme')")
        db.commit()
    before = app.read_bytes()
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    code, out, err = run_cli("triage", str(log), "--history", str(app), "-q")
    assert code == 2 and out  # the report first
    assert err.strip() == (
        f"poolctl: error: history store {app}: it is not a poolctl history store: it holds "
        "other tables (customers) and no poolctl schema; give a new file, or a store poolctl made"
    )
    assert app.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.sqlite"]


@pytest.mark.parametrize(("kind", "said"), [("null", "a device"), ("dir", "a directory")])
def test_a_store_path_that_is_no_file_is_refused_saying_what_it_is(
    run_cli: RunCli, tmp_path: Path, kind: str, said: str
) -> None:
    """SQLite said "disk I/O error" for /dev/null, "unable to open database file" for a
    directory (a `--history` given a folder)."""
    path = Path("/dev/null") if kind == "null" else tmp_path
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    code, out, err = run_cli("triage", str(log), "--history", f"sqlite:///{path}", "-q")
    assert code == 2 and out  # the report first
    assert err.strip() == (
        f"poolctl: error: history store {path}: cannot open it: it is {said}, not a file; "
        "give a file path"
    )


@pytest.mark.parametrize("command", ["history", "triage"])
def test_a_store_path_under_a_file_is_one_line_and_exit_2(
    cli: RunCli, tmp_path: Path, command: str
) -> None:
    """`POOLCTL_HISTORY=notes.txt/history.db`: the store's parent is a file. Its first stat
    was outside the store's error wording: an internal error, exit 3, NotADirectoryError."""
    parent = tmp_path / "notes.txt"
    parent.write_text("a file, not a folder\n")
    store = parent / "history.db"
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    argv = ["history", "runs"] if command == "history" else ["triage", str(log), "-q"]
    code, _, err = cli(*argv, "--history", str(store))
    assert code == 2, err
    assert err.startswith(f"poolctl: error: history store {store}: cannot open it: "), err
    assert "Not a directory" in err and err.count("\n") == 1


def test_a_run_folder_named_with_a_byte_not_utf8_is_recorded_escaped(
    cli: RunCli, tmp_path: Path, history_in_tmp: Path
) -> None:
    """`--run-dir $'run-\\xff'` (or such a POOLCTL_REPORTS_DIR): the folder's name went to the
    store as it was, and SQLite refused the lone surrogate: an internal error, exit 3, from
    triage, ping, doctor and run-scenario alike."""
    run = tmp_path / "run-\udcff"
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    code, _, err = cli("triage", str(log), "-q", "--run-dir", str(run))
    assert code == 1, err
    with contextlib.closing(sqlite3.connect(history_in_tmp)) as db:
        recorded = db.execute("SELECT run_dir FROM runs").fetchall()
    assert recorded == [(f"{tmp_path}/run-\\udcff",)]
