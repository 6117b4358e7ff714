"""pytest runs that never print their summary (killed by a CI job's time limit, ended by a crash
or by pytest-timeout's thread method, or run with `--no-summary`): their progress lines name the
failures under `-v`, and count them otherwise. None of these runs reads as clean.

The logs are real runs (tests/fixtures/src/capture_cut_short.sh, pytest 9.2.0): two tests fail
and a fixture errors, then the last test hangs, crashes, or passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.triage.coverage import coverage
from tests.conftest import RunCli

CUT_SHORT = Path(__file__).parent / "fixtures" / "pytest" / "cut_short"
FAILED_EARLY = ["test_checkout_returns_a_worker", "test_worker_answers", "test_with_pool"]
# each log: the failures read, by name, and how many its progress marks count (None: it has
# a closing line, or every failure is named); killed.txt's letters stop in test_last, which
# printed no result: counted with them, as `-v` names it (killed_verbose.txt)
CASES = {
    "killed.txt": ([], 4),
    "killed_verbose.txt": ([*FAILED_EARLY, "test_last"], None),
    # pytest-xdist: the marks alone (`EF.FF`); the other worker ran test_never_reached
    "killed_xdist.txt": ([], 4),
    "crash.txt": (["test_last"], 4),
    "crash_verbose.txt": ([*FAILED_EARLY, "test_last"], None),
    "timeout_thread.txt": (["test_last"], 4),
    "timeout_thread_verbose.txt": ([*FAILED_EARLY, "test_last"], None),
    "no_summary_verbose.txt": ([*FAILED_EARLY, "test_never_reached"], None),
}


@pytest.mark.parametrize("log", sorted(CASES))
def test_a_run_without_its_summary_keeps_every_failure_it_shows(log: str) -> None:
    names, marked = CASES[log]
    parsed = read_logs([str(CUT_SHORT / log)])
    assert [f.name for f in parsed.failures] == names
    counted = coverage(parsed)
    if marked is None:
        assert counted is None or counted.read == counted.counted
        return
    assert counted is not None and (counted.counted, counted.read) == (marked, len(names))
    (run,) = parsed.summaries
    assert run.source == "progress marks"
    if log == "killed.txt":
        assert run.text.endswith("mark 3 failure(s), and stop in a test that printed no result)")
    else:
        assert f"its progress lines mark {marked} failure(s)" in run.text


def test_a_failure_named_only_by_its_progress_line_says_so() -> None:
    parsed = read_logs([str(CUT_SHORT / "killed_verbose.txt")])
    first = parsed.failures[0]
    assert first.details["named_by"] == "progress line"
    assert first.details["nodeid"] == "check_cut.py::test_checkout_returns_a_worker"
    assert first.group == "check_cut.py" and first.line_start == 9
    assert parsed.failures[2].details["outcome"] == "error"  # the fixture's


def test_a_killed_run_without_names_fails_the_triage(run_cli: RunCli, tmp_path: Path) -> None:
    """`check_cut.py FFE.` and then nothing: 0 failures read, and still not clean (the three
    its letters mark, and test_last, which was running)."""
    code, out, _ = run_cli(
        "triage", str(CUT_SHORT / "killed.txt"), "--no-history", "--run-dir", str(tmp_path)
    )
    assert code == 1, out
    assert "4 of the 4 failures the runner counted were not read" in out
    assert "killed.txt:8  not read as a failure: check_cut.py FFE." in out.replace(
        str(CUT_SHORT) + "/", ""
    )


def test_a_killed_run_is_recorded_failed_and_its_junit_fails(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its history row and its JUnit document count the 4 failures its marks show, unread."""
    store = tmp_path / "history.db"
    log = str(CUT_SHORT / "killed.txt")
    code, xml, _ = run_cli("triage", log, "--history", str(store), "-f", "junit", "-q")
    assert code == 1
    assert '<testcase classname="poolctl" name="4 unread failures">' in xml
    assert 'message="4 failures the runners counted were not read" type="unread"' in xml
    assert "killed.txt:8: not read as a failure: check_cut.py FFE." in xml
    code, out, _ = run_cli("history", "runs", "--history", str(store), "--json")
    [run] = json.loads(out)["runs"]
    assert (run["verdict"], run["failures"]) == ("failed", 4)


@pytest.mark.parametrize(
    ("relative", "kept"),
    [
        ("services_xdist.txt", "FAILED check_database.py::test_async_p"),  # in the test's name
        ("pypool/verbose.txt", "FAILED checks/check_misc.p"),  # in the file's
    ],
)
def test_a_summary_line_cut_in_its_node_id_is_a_blocks_not_another_failure(
    tmp_path: Path, relative: str, kept: str
) -> None:
    """A log size limit cuts mid-line: a real capture cut inside its last short summary line
    holds the failures the whole log holds, not one more named by the cut node id
    (`test_async_p`, `checks/check_misc.p`); the block whose node id the line begins takes it."""
    whole = Path(__file__).parent / "fixtures" / "pytest" / relative
    data = whole.read_bytes()
    at = data.rindex(f"\n{kept}".encode()) + len(kept) + 1
    assert data[at : at + 1] not in (b" ", b"\n")  # cut inside the node id
    cut = tmp_path / "cut.txt"
    cut.write_bytes(data[:at])
    full = sorted(f.name for f in read_logs([str(whole)]).failures)
    parsed = read_logs([str(cut)])
    assert sorted(f.name for f in parsed.failures) == full
    last = str(data[:at].count(b"\n") + 1)
    [named] = [f for f in parsed.failures if f.details.get("summary_line") == last]
    whole_named = {f.name: f for f in read_logs([str(whole)]).failures}[named.name]
    # its own node id (from its `-v` line), not the cut one
    assert (named.group, named.details["nodeid"]) == (
        whole_named.group,
        whole_named.details["nodeid"],
    )
