"""The history's reading of a triage's inputs, done beside the triage in a forked process
(`poolctl.history.ahead`): it reads what the recording would read, the store ends up the same,
and the process never outlives poolctl.

Each test runs poolctl in an interpreter of its own, with `MIN_BYTES` lowered so that the small
captures are read ahead (a fork from the test process, which runs threads, is not one poolctl
makes: it forks only with no other thread running)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Processes

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="poolctl forks on Linux only"
)
FIXTURES = Path(__file__).parent / "fixtures"
PYTEST_VERBOSE = FIXTURES / "pytest" / "pool_suite_verbose.txt"  # `pytest -vv`: its passes
EXUNIT_TRACE = FIXTURES / "exunit" / "pool_suite_seed_trace.log"  # `mix test --trace`
JUNIT = FIXTURES / "junit" / "pytest_xunit2.xml"

# poolctl, its reading ahead started from `MIN_BYTES` = argv[1] bytes; with argv[2] "hang" the
# forked process never ends by itself, with "one-cpu" poolctl may run on one CPU only, with
# "learns" poolctl learns a secret (a test's name) after the fork, with "gone" the file of the
# rows made for a store with no test is removed before the recording, with "busy" another runner
# adds two of the log's tests to the store after the fork (one that passes, one that fails);
# with "replaced" the store is replaced by the empty one $REPLACE_WITH names before the recording;
# argv[3] a file that says what of the reading ahead was used: the passes' keys, their names,
# the rows of its tests made for a store that held none; argv[3] + ".names" says how many
# passes' names it loaded; and argv[3] + ".same" is written when the recording found the run's
# passes the last run's by their packed keys
RUNNER = """\
import contextlib, os, sqlite3, sys, time
from pathlib import Path
import poolctl.history.ahead as ahead
import poolctl.history.record as recording
ahead.MIN_BYTES = int(sys.argv[1])
same_as_last, told_in = recording._same_as_last, Path(sys.argv[3] + ".same")
def told(*args):
    same = same_as_last(*args)
    if same:
        told_in.write_text("same")
    return same
recording._same_as_last = told
if sys.argv[2] == "hang":
    ahead._read = lambda *args: time.sleep(600)
if sys.argv[2] == "one-cpu":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
if sys.argv[2] == "gone":  # the rows' file removed once made (a clean-up of /tmp)
    made = ahead.HistoryAhead.result
    def removed(self):
        done = made(self)
        if self.prepared is not None:
            self.prepared.file.unlink()
        return done
    ahead.HistoryAhead.result = removed
if sys.argv[2] == "learns":
    import poolctl.history.recorder as recorder
    inputs = recorder.HistoryRecorder._inputs
    def learnt(self, *args):
        self.secrets.remember({"string_helpers": "LATE_TOKEN"})
        return inputs(self, *args)
    recorder.HistoryRecorder._inputs = learnt
if sys.argv[2] == "busy":
    import poolctl.history.record as rec
    from poolctl.history.identity import case_id
    from poolctl.logs.passes import iter_passes
    recorded = rec.record
    def record(store, report, *args, **kwargs):
        failure = report.findings[0].failure
        failed = (failure.source, *case_id(failure).__dict__.values())
        (name, fmt), = report.details.formats.items()
        with open(name, "rb") as stream:  # (`mix test --trace` lists the failed ones too)
            passed = next(t for t in iter_passes(stream, fmt) if tuple(t) != failed)
        tests = [failed, tuple(passed)]
        rows = [(f"{ahead.key_number(n, g, f):016x}", s, n, g, f) for s, n, g, f in tests]
        with contextlib.closing(sqlite3.connect(store.location.sqlite_path)) as db, db:
            db.executemany("INSERT INTO tests (test_key, source, name, test_group, file) "
                           "VALUES (?, ?, ?, ?, ?)", rows)
        return recorded(store, report, *args, **kwargs)
    rec.record = record
if sys.argv[2] == "replaced":  # a store put in its place (a CI cache restored) after the fork
    import shutil
    import poolctl.history.record as rec
    recorded = rec.record
    def record(store, *args, **kwargs):
        path = store.location.sqlite_path
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(os.environ["REPLACE_WITH"], path)
        return recorded(store, *args, **kwargs)
    rec.record = record
said, result, passes = Path(sys.argv[3]), ahead.HistoryAhead.result, ahead.HistoryAhead.passes
counted = Path(sys.argv[3] + ".names")
prepared_for = ahead.HistoryAhead.prepared_for
def read(self):
    done = result(self)
    if done:
        said.write_text("keys")
    return done
def names(self):
    for at, item in enumerate(passes(self)):
        if not at:
            said.write_text("keys, names")
        counted.write_text(str(at + 1))
        yield item
def rows(self, secrets):
    made = prepared_for(self, secrets)
    if made is not None:
        said.write_text("keys, rows")
    return made
ahead.HistoryAhead.result, ahead.HistoryAhead.passes = read, names
ahead.HistoryAhead.prepared_for = rows
sys.argv = ["poolctl", *sys.argv[4:]]
from poolctl.cli import program
raise SystemExit(program())
"""

# the reading ahead of argv[2:], against the recording's own reading of the same inputs
COMPARE = """\
import hashlib, json, os, sys
import poolctl.history.ahead as ahead
from poolctl.history.packed import pack
from poolctl.logs.passes import iter_passes
ahead.MIN_BYTES = 0
paths, fmt = sys.argv[2:], sys.argv[1]
reading = ahead.HistoryAhead()
reading.start(paths, fmt)
done = reading.result()
found = list(reading.passes()) if done else []
reading.stop()
try:
    os.waitpid(-1, os.WNOHANG)
    left = True
except ChildProcessError:
    left = False  # the forked process was reaped
digest = hashlib.sha256()
serial = []
for (name, read_as) in reading.formats:
    with open(name, "rb") as stream:
        digest.update(stream.read() + b"\\0")
    with open(name, "rb") as stream:
        serial += [(n, tuple(t)) for n, t in ahead.keyed(iter_passes(stream, read_as))]
print(json.dumps({
    "done": done, "formats": reading.formats, "passes": len(found),
    "same_passes": found == serial, "same_digest": reading.digest == digest.hexdigest(),
    "distinct": reading.distinct == pack({n for n, _ in serial}),
    "left": left,
}))
"""


@pytest.mark.parametrize(
    ("paths", "formats", "passes"),
    [
        ([PYTEST_VERBOSE], ["pytest"], 6),
        ([EXUNIT_TRACE], ["exunit"], 42),
        ([JUNIT], ["junit"], 6),
        ([PYTEST_VERBOSE, EXUNIT_TRACE], ["pytest", "exunit"], 48),
    ],
)
def test_the_inputs_read_ahead_are_what_the_recording_reads(
    paths: list[Path], formats: list[str], passes: int, processes: Processes
) -> None:
    done = processes.run([sys.executable, "-c", COMPARE, "auto", *map(str, paths)], timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["done"] and seen["same_passes"] and seen["same_digest"] and seen["distinct"]
    assert not seen["left"]
    assert seen["formats"] == [[str(p), f] for p, f in zip(paths, formats, strict=True)]
    assert seen["passes"] == passes


def _rows(store: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the store but its times and paths (which differ from run to run)."""
    volatile = {"started_at", "seconds", "timings", "run_dir"}
    found = {}
    with sqlite3.connect(store) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
            kept = ", ".join(c for c in columns if c not in volatile)
            found[table] = sorted(db.execute(f"SELECT {kept} FROM {table}"), key=repr)
    return found


Outcome = tuple[dict[str, object], dict[str, list[tuple[object, ...]]], str | bool]


def _ahead_and_after(
    log: Path,
    store_before: Path,
    tmp_path: Path,
    processes: Processes,
    mode: str = "-",
    env: dict[str, str] | None = None,
) -> list[Outcome]:
    """`log` triaged into two copies of `store_before`: its inputs read ahead (forked), then
    read after the triage (the threshold out of reach), RUNNER's `mode` both times; each run's
    report, store rows and what the recording took from the reading ahead."""
    outcomes: list[Outcome] = []
    for name, min_bytes in (("ahead", 0), ("after", 1 << 62)):
        store = shutil.copyfile(store_before, tmp_path / f"{name}.sqlite")
        said = tmp_path / f"used-{name}"
        scratch = tmp_path / f"tmp-{name}"  # where the rows of the store's tests are made
        scratch.mkdir()
        argv = ["triage", str(log), "-f", "json", "--run-dir", str(tmp_path / f"run-{name}")]
        done = processes.run(
            [sys.executable, "-c", RUNNER, str(min_bytes), mode, str(said), *argv,
             "--history", str(store), "--fail-on", "never"],
            timeout=120,
            env={**(env or os.environ), "TMPDIR": str(scratch)},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not list(scratch.iterdir())  # removed once recorded
        report = json.loads(done.stdout)
        report.pop("run_dir")
        outcomes.append((report, _rows(store), said.exists() and said.read_text()))
    return outcomes


@pytest.mark.parametrize("log", [PYTEST_VERBOSE, EXUNIT_TRACE, JUNIT])
def test_a_triage_records_the_same_run_with_its_inputs_read_ahead(
    log: Path, tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """A suite's first run: the rows of its tests are made beside the triage, and its passes'
    names are not loaded; the store is the one the recording's own reading makes."""
    (report, rows, used), (report_after, rows_after, used_after) = _ahead_and_after(
        log, history_template, tmp_path, processes
    )
    assert used == "keys, rows" and not used_after  # read ahead, then after the triage
    assert report == report_after
    assert rows == rows_after
    assert len(rows["runs"]) == 1 and rows["run_passes"] and rows["tests"]


def _names(rows: dict[str, list[tuple[object, ...]]]) -> set[object]:
    return {row[1] for row in rows["tests"]}  # (test_key, name, test_group, file, source)


def test_a_first_run_s_rows_made_beside_the_triage_are_redacted_as_the_recording_does(
    tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    env = {**os.environ, "SERVICE_API_TOKEN": "string_helpers"}  # a passing test's name holds it
    (report, rows, used), (report_after, rows_after, _) = _ahead_and_after(
        PYTEST_VERBOSE, history_template, tmp_path, processes, env=env
    )
    assert used == "keys, rows"
    assert report == report_after and rows == rows_after
    assert "test_[redacted:SERVICE_API_TOKEN]" in _names(rows)


def test_a_secret_learnt_after_the_fork_leaves_the_rows_made_there_unused(
    tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """The rows were redacted without it: the recording reads the passes itself."""
    (report, rows, used), (report_after, rows_after, _) = _ahead_and_after(
        PYTEST_VERBOSE, history_template, tmp_path, processes, mode="learns"
    )
    assert used == "keys"
    assert report == report_after and rows == rows_after
    assert "test_[redacted:LATE_TOKEN]" in _names(rows)


def test_rows_whose_file_was_removed_are_not_attached(
    tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """Attached, a missing file is a new database without the table: the run was not recorded
    (`cannot write to it: no such table`). The recording reads the passes itself."""
    (report, rows, used), (report_after, rows_after, _) = _ahead_and_after(
        PYTEST_VERBOSE, history_template, tmp_path, processes, mode="gone"
    )
    assert used == "keys"
    assert report == report_after and rows == rows_after
    assert len(rows["runs"]) == 1 and rows["tests"]


@pytest.mark.parametrize("log", [PYTEST_VERBOSE, EXUNIT_TRACE])
def test_tests_another_runner_stored_after_the_fork_are_kept(
    log: Path, tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """The store held no test when the rows were made, and holds two when the run is recorded:
    a test that passes here and one that fails; the rows made beside the triage are added
    around them, as the recording's own reading adds its passes."""
    (report, rows, used), (report_after, rows_after, _) = _ahead_and_after(
        log, history_template, tmp_path, processes, mode="busy"
    )
    assert used == "keys, rows"
    assert report == report_after and rows == rows_after
    findings: Any = report["findings"]
    failed = findings[0]["failure"]["name"]
    assert failed in _names(rows)  # stored by the other runner: kept, though it failed here


def _knowing(log: Path, tmp_path: Path, history_template: Path, processes: Processes) -> Path:
    """A store holding one run of `log` (recorded without reading ahead)."""
    knowing = shutil.copyfile(history_template, tmp_path / "knowing.sqlite")
    argv = ["triage", str(log), "-q", "--run-dir", str(tmp_path / "seed"), "--fail-on", "never"]
    seeded = processes.run(
        [sys.executable, "-c", RUNNER, str(1 << 62), "-", str(tmp_path / "seed-used"), *argv,
         "--history", str(knowing)],
        timeout=120,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    return knowing


@pytest.mark.parametrize(
    ("log", "loaded"),
    [
        (PYTEST_VERBOSE, "keys"),
        # a module whose setup_all failed: its tests are left out by their group, read by name
        (EXUNIT_TRACE, "keys, names"),
    ],
)
def test_the_next_run_of_a_suite_the_store_knows_is_recorded_the_same_read_ahead(
    log: Path, loaded: str, tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """The store holds a run of the suite: the next run's passes are all known, and read ahead
    only their keys are used (unless names are needed); the store and the report are those of
    the recording's own reading."""
    again = tmp_path / log.name
    again.write_bytes(log.read_bytes() + b"\n")  # the same suite's next run: another digest
    knowing = _knowing(log, tmp_path, history_template, processes)
    (report, rows, used), (report_after, rows_after, used_after) = _ahead_and_after(
        again, knowing, tmp_path, processes
    )
    assert used == loaded and not used_after
    assert report == report_after
    assert rows == rows_after
    assert len(rows["runs"]) == 2 and len(rows["run_passes"]) == 2
    assert rows["run_passes"][0][1:] == rows["run_passes"][1][1:]  # the same tests passed
    # read ahead, the same passes are told by their keys packed, no key looked up one by one
    # (but where a module's setup_all failed: its tests are left out by name); read after the
    # triage, the keys are not known beforehand
    assert (tmp_path / "used-ahead.same").exists() == (log == PYTEST_VERBOSE)
    assert not (tmp_path / "used-after.same").exists()


def test_of_a_suite_the_store_knows_only_the_new_tests_passes_are_loaded(
    tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """The store's last run passed all of the suite's tests but one, added since: read ahead,
    only that test's pass is handed to the recording (the others' names are in the store),
    which stores the same rows as its own reading of every pass."""
    added = b"check_misc.py::test_string_helpers PASSED"
    text = PYTEST_VERBOSE.read_bytes()
    before = tmp_path / "before.log"
    before.write_bytes(b"\n".join(ln for ln in text.split(b"\n") if not ln.startswith(added)))
    knowing = _knowing(before, tmp_path, history_template, processes)
    again = tmp_path / "again.log"
    again.write_bytes(text)
    (report, rows, used), (report_after, rows_after, used_after) = _ahead_and_after(
        again, knowing, tmp_path, processes
    )
    assert used == "keys, names" and not used_after
    assert (tmp_path / "used-ahead.names").read_text() == "1"  # of 6 passes
    assert report == report_after and rows == rows_after
    assert "test_string_helpers" in _names(rows) and len(rows["tests"]) == 6


def test_passes_left_out_are_read_again_when_the_store_is_not_the_one_read(
    tmp_path: Path, history_template: Path, processes: Processes
) -> None:
    """Read ahead, the passes of the tests the store's last run passed were left out; the
    store was replaced by an empty one before the recording: every pass is read again, and
    every test is stored, as the recording's own reading stores them."""
    knowing = _knowing(PYTEST_VERBOSE, tmp_path, history_template, processes)
    again = tmp_path / "again.log"
    again.write_bytes(PYTEST_VERBOSE.read_bytes() + b"\n")
    env = {**os.environ, "REPLACE_WITH": str(history_template)}
    (report, rows, used), (report_after, rows_after, _) = _ahead_and_after(
        again, knowing, tmp_path, processes, mode="replaced", env=env
    )
    assert used == "keys" and not (tmp_path / "used-ahead.names").exists()
    assert report == report_after and rows == rows_after
    assert len(rows["runs"]) == 1 and len(rows["tests"]) == 6


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _ended(pid: int) -> bool:
    """Gone, or a zombie: ended (one whose parent poolctl was killed waits for init to reap
    it; one poolctl outlives is reaped by poolctl, as the test of a normal end shows)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.parametrize(
    "how", ["SIGINT to the group (Ctrl-C)", "SIGTERM to poolctl alone", "SIGKILL to poolctl"]
)
def test_the_reading_process_never_outlives_the_triage(
    how: str, tmp_path: Path, processes: Processes
) -> None:
    argv = ["triage", str(PYTEST_VERBOSE), "--run-dir", str(tmp_path / "run"), "--history",
            str(tmp_path / "history.sqlite"), "--fail-on", "never"]  # fmt: skip
    scratch = tmp_path / "tmp"  # where the rows of the store's tests are made (none yet)
    scratch.mkdir()
    proc = processes.popen(
        [sys.executable, "-c", RUNNER, "0", "hang", str(tmp_path / "used"), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own, as a terminal's foreground job
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    deadline = time.monotonic() + 60
    while not (reading := _children(proc.pid)):  # the forked process, reading (for ever)
        assert proc.poll() is None and time.monotonic() < deadline, "no reading process"
        time.sleep(0.02)
    time.sleep(0.3)  # the triage runs beside it
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    expected = {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -9}[how.split()[0]]
    assert proc.returncode == expected, err
    end = time.monotonic() + 10
    while not all(_ended(pid) for pid in reading) and time.monotonic() < end:
        time.sleep(0.02)
    assert all(_ended(pid) for pid in reading), f"left behind: {reading}"
    if not how.startswith("SIGKILL"):
        assert not list(scratch.iterdir())
        return
    # a killed poolctl cleans nothing up: its rows' file, named by its pid, is removed by the
    # next triage that makes rows, which leaves its own nowhere either
    [left] = list(scratch.iterdir())
    assert left.name.startswith(f"poolctl-tests-{proc.pid}-"), left
    again = ["triage", str(PYTEST_VERBOSE), "--run-dir", str(tmp_path / "run2"), "--history",
             str(tmp_path / "history2.sqlite"), "--fail-on", "never", "-q"]  # fmt: skip
    done = processes.run(
        [sys.executable, "-c", RUNNER, "0", "plain", str(tmp_path / "used2"), *again],
        120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "used2").read_text() == "keys, rows"  # it made rows of its own
    assert not list(scratch.iterdir())


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity")
def test_on_one_cpu_the_inputs_are_read_after_the_triage(
    tmp_path: Path, processes: Processes
) -> None:
    used = tmp_path / "used"
    argv = ["triage", str(PYTEST_VERBOSE), "--run-dir", str(tmp_path / "run"), "--history",
            str(tmp_path / "history.sqlite"), "--fail-on", "never", "-q"]  # fmt: skip
    done = processes.run(
        [sys.executable, "-c", RUNNER, "0", "one-cpu", str(used), *argv], timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert not used.exists()
    with sqlite3.connect(tmp_path / "history.sqlite") as db:  # recorded all the same
        assert db.execute("SELECT passed FROM run_passes").fetchall() == [(6,)]


def test_the_rows_are_made_for_a_store_with_no_test_at_the_schema_s_head(
    tmp_path: Path, history_template: Path
) -> None:
    from poolctl.history.new_tests import worth_preparing

    (tmp_path / "empty.sqlite").touch()
    template = shutil.copyfile(history_template, tmp_path / "template.sqlite")
    knowing = shutil.copyfile(history_template, tmp_path / "knowing.sqlite")
    with contextlib.closing(sqlite3.connect(knowing)) as db, db:
        db.execute("INSERT INTO tests VALUES ('00000000000000aa', 'test_a', 'm', 'f.py', 'pytest')")
    older = shutil.copyfile(history_template, tmp_path / "older.sqlite")
    with contextlib.closing(sqlite3.connect(older)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")  # upgraded when opened
    foreign = tmp_path / "foreign.sqlite"
    with contextlib.closing(sqlite3.connect(foreign)) as db, db:
        db.execute("CREATE TABLE notes (text TEXT)")
    stores = [tmp_path / "none.sqlite", tmp_path / "empty.sqlite", template, knowing, older]
    stores.append(foreign)
    made = {p.name: worth_preparing(p) for p in stores}
    assert made == {
        "none.sqlite": True,
        "empty.sqlite": True,
        "template.sqlite": True,
        "knowing.sqlite": False,
        "older.sqlite": False,
        "foreign.sqlite": False,
    }
    assert not (tmp_path / "none.sqlite").exists()  # looked at, not made
