"""How a run's passes are kept: one row of packed test keys per run, each test's name once, and
a current SQLite store recorded into without importing SQLAlchemy (what every triage pays)."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

from poolctl.history import lookups, record
from poolctl.history.identity import case_key
from poolctl.history.packed import hex_key, holds, key_number, pack, unpack
from poolctl.history.rawdb import SqliteDb, utc
from tests.conftest import Processes, RunCli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLAKY_PYTEST = [FIXTURES / "pytest" / "flaky" / f"run{n}.txt" for n in (1, 2, 3)]
POOL_LOG = FIXTURES / "exunit" / "pool_suite_seed_trace.log"


def test_a_packed_key_is_the_test_s_key() -> None:
    names = [("test_a", "t.py::T", "t.py"), ("test_b[x::y]", "t.py", "t.py"), ("é", "", "")]
    numbers = [key_number(*n) for n in names]
    assert [hex_key(n) for n in numbers] == [case_key(*n) for n in names]
    packed = pack(reversed(numbers))
    assert len(packed) == 8 * len(names)
    assert packed[:8].hex() == hex_key(min(numbers))  # big-endian: the bytes are the key
    keys = unpack(packed)
    assert list(keys) == sorted(numbers)
    assert all(holds(keys, n) for n in numbers) and not holds(keys, min(numbers) - 1)


def test_a_suite_run_again_adds_no_test_and_one_row_of_passes(
    cli: RunCli, history_in_tmp: Path, tmp_path: Path
) -> None:
    for build in (1, 2):
        log = tmp_path / f"build-{build}.log"
        log.write_bytes(POOL_LOG.read_bytes() + f"build {build}\n".encode())
        code, _, _ = cli("triage", str(log), "-q")
        assert code == 1
    with sqlite3.connect(history_in_tmp) as db:
        assert db.execute("SELECT count(*) FROM tests").fetchone() == (10,)
        packed = db.execute("SELECT run_id, passed, length(test_keys) FROM run_passes").fetchall()
        names = {r[0] for r in db.execute("SELECT name FROM tests")}
        viewed = db.execute(
            "SELECT run_id, count(*) FROM outcomes WHERE outcome = 'passed' GROUP BY run_id"
        ).fetchall()
    assert packed == [(1, 10, 80), (2, 10, 80)]
    assert viewed == [(1, 10), (2, 10)]
    assert "test json round trip" in names and "doctest PoolSuite.pool_name/2 (1)" in names


def test_a_run_passing_what_the_last_run_passed_stores_that_value_without_sorting_again(
    cli: RunCli, history_in_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most runs of a suite pass the tests its last run passed: their keys are not sorted and
    packed again (0.07 s for 200,000), the last run's value is stored as it is."""
    packed_sets: list[list[int]] = []

    def counted(numbers: Iterable[int]) -> bytes:
        packed_sets.append(sorted(numbers))
        return pack(packed_sets[-1])

    monkeypatch.setattr(record, "pack", counted)
    for build in (1, 2):
        log = tmp_path / f"build-{build}.log"
        log.write_bytes(POOL_LOG.read_bytes() + f"build {build}\n".encode())
        assert cli("triage", str(log), "-q")[0] == 1
    with sqlite3.connect(history_in_tmp) as db:
        values = [v for (v,) in db.execute("SELECT test_keys FROM run_passes ORDER BY run_id")]
    assert len(packed_sets) == 1 and len(packed_sets[0]) == 10  # the first run's only
    assert values == [pack(packed_sets[0])] * 2


def test_a_run_s_outcomes_share_one_outcome_its_time_read_once(
    cli: RunCli, history_in_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outcomes of many tests in one run are that run's: its time is parsed once for its
    failures and once for its passes, not once a test (27,500 parses for 2,500 failing tests
    in 11 runs, when a run is recorded)."""
    for build in (1, 2):
        log = tmp_path / f"build-{build}.log"
        log.write_bytes(POOL_LOG.read_bytes() + f"build {build}\n".encode())
        assert cli("triage", str(log), "-q")[0] == 1
    parsed: list[object] = []

    def counted(moment: datetime | str) -> datetime:
        parsed.append(moment)
        return utc(moment)

    monkeypatch.setattr(lookups, "utc", counted)
    with sqlite3.connect(history_in_tmp) as db:
        failing = [k for (k,) in db.execute("SELECT DISTINCT test_key FROM failures")]
        passing = [k for (k,) in db.execute("SELECT test_key FROM tests")]
        series = lookups.outcome_series(SqliteDb(db), failing + passing, datetime(2000, 1, 1))
    assert len(failing) >= 2 and len(passing) == 10
    assert {key: [o.passed for o in outcomes] for key, outcomes in series.items()} == {
        **{key: [False, False] for key in failing},
        **{key: [True, True] for key in passing},
    }
    assert len(parsed) == 4  # each of the 2 runs: once for its failures, once for its passes


# a log triaged and recorded into a store, in a process of its own (the test suite has imported
# SQLAlchemy already): the findings' statuses, and which of SQLAlchemy and Alembic it imported
RECORD = (
    "import json, sys\n"
    "from poolctl.history.recorder import HistoryRecorder\n"
    "from poolctl.logs import read_logs\n"
    "from poolctl.patterns import load_patterns\n"
    "from poolctl.triage import triage\n"
    "report = triage(read_logs([sys.argv[2]]), load_patterns([]))\n"
    "recorder = HistoryRecorder(sys.argv[1])\n"
    "recorded = recorder.record(report)\n"
    "recorder.finish()\n"
    "print(json.dumps([[f.history.status for f in recorded.findings],\n"
    "                  sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules)]))\n"
)


def record_in_a_process(processes: Processes, store: str, log: Path) -> tuple[list[str], list[str]]:
    """`RECORD` of `log` into `store`: (the statuses, the modules of SQLAlchemy's it imported)."""
    done = processes.run([sys.executable, "-c", RECORD, store, str(log)], timeout=120)
    assert done.returncode == 0, done.stderr
    statuses, imported = json.loads(done.stdout)
    return statuses, imported


def test_a_current_sqlite_store_is_recorded_into_without_sqlalchemy(
    cli: RunCli, history_in_tmp: Path, processes: Processes
) -> None:
    cli("triage", str(FLAKY_PYTEST[0]), "-q")  # the store: made, and holding a run
    statuses, imported = record_in_a_process(processes, str(history_in_tmp), FLAKY_PYTEST[1])
    assert statuses and imported == []
    with sqlite3.connect(history_in_tmp) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)
