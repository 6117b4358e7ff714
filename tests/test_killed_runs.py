"""Runs of other runners killed before their summary (SIGKILL of the run's process group, as a
CI job's time limit or `timeout -s KILL` ends it): real captures of capture_killed_runs.sh
(mixed/killed_runs/), capture_go_blocks.sh, capture_cargo_blocks.sh and
capture_unittest_blocks.sh. Each is read for what it printed, said to be of the runner it is,
and never a clean run."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs

FIXTURES = Path(__file__).parent / "fixtures"
KILLED = FIXTURES / "mixed" / "killed_runs"


def triage(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["triage", *argv, "--no-history"])
    out, err = capsys.readouterr()
    return code, out, err


# each log of one runner's failures alone, no verdict of a run in it: the runner it names, and
# the failures read
FAILURES_ALONE = [
    (FIXTURES / "mixed" / "go_blocks" / "killed_v.txt", "go test", 2),
    (KILLED / "go_json_killed.txt", "go test", 2),
    (FIXTURES / "mixed" / "cargo_blocks" / "killed.txt", "cargo test", 6),
    (FIXTURES / "unittest" / "blocks_killed.txt", "unittest", 9),
    (KILLED / "jest_killed.txt", "Jest", 2),
]


@pytest.mark.parametrize(("path", "runner", "read"), FAILURES_ALONE, ids=lambda v: str(v)[-24:])
def test_a_killed_runs_failures_alone_are_said_to_be_its_runners(
    capsys: pytest.CaptureFixture[str], path: Path, runner: str, read: int
) -> None:
    """Before, such a log was said to be pytest's (`read 6 lines (pytest)`: the parser that read
    it), though no line of it is; it is said to be the runner's, with no verdict, and a note
    says no count told how many failed."""
    parsed = read_logs([str(path)])
    assert len(parsed.failures) == read
    assert parsed.formats == {str(path): f"{runner}, no verdict"}
    assert any(
        f"no runner's verdict: read for {runner}'s failures alone, {read} read" in note
        for note in parsed.skipped
    )
    code, out, _ = triage(capsys, str(path))
    assert code == 1
    assert f"lines ({runner}, no verdict)" in out and "(pytest)" not in out


@pytest.mark.parametrize("log", ["go_json_killed_first.txt", "go_v_killed_first.txt"])
def test_a_go_run_killed_in_its_first_failure_counts_the_test_it_stopped_in(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """`go test -json` (and `-v`) killed while a test waits on a worker that never answers,
    after a test that passed and none that failed: before, the log was refused as of no format
    poolctl reads (exit 2), the test it stopped in counted nowhere; it is that test, a failure
    read, and the run is no clean one (exit 1)."""
    path = KILLED / log
    parsed = read_logs([str(path)])
    assert [(f.name, f.kind) for f in parsed.failures] == [("TestWaitsForTheWorker", "stopped")]
    assert parsed.failures[0].details["note"].startswith("the run stopped while this test ran")
    code, out, err = triage(capsys, str(path))
    assert (code, err) == (1, "")
    assert "1 failure" in out and "(go test, no verdict)" in out
    # the note says it was the test running, not a failed test read from its block
    assert "the test it was running, TestWaitsForTheWorker, read as a failure;" in out
    assert "0 failed test(s)" not in out and "1 failed test(s)" not in out


def test_a_cargo_run_killed_in_its_first_failure_counts_the_test_it_stopped_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`cargo test` killed at 75 s in a test libtest said `has been running for over 60
    seconds`, after one that passed: before, refused as of no format (exit 2); that test is a
    failure read by its name, the run no clean one, and forced as ExUnit the refusal names
    cargo test."""
    path = KILLED / "cargo_killed_first.txt"
    parsed = read_logs([str(path)])
    assert [(f.name, f.group) for f in parsed.failures] == [
        ("tests::waits_for_the_worker", "pool_blocks: src/lib.rs")
    ]
    assert "the run stopped while it ran" in parsed.failures[0].message
    code, out, err = triage(capsys, str(path))
    assert (code, err) == (1, "")
    assert "(cargo test, no verdict)" in out
    code, _, err = triage(capsys, "--log-format", "exunit", str(path))
    assert code == 2 and "it holds cargo test's output of a failed run" in err


def test_mocha_killed_before_its_counts_reads_its_tree(capsys: pytest.CaptureFixture[str]) -> None:
    """Mocha's spec reporter killed while a test waits on a worker with no timeout: its tree
    numbers two failed tests, then the suite it stopped in (`slow`), and no counts, no failure
    list. Before, the log was refused as of no format (exit 2); each numbered test is a failure
    by its name, and the test running in `Pool slow` one more, counted and not read (the
    reporter names a test only when it ends), so the run is never a clean one."""
    path = KILLED / "mocha_killed.txt"
    parsed = read_logs([str(path)])
    assert [(f.name, f.group, f.source) for f in parsed.failures] == [
        ("Pool request is answered", "Pool", "mocha"),
        ("Pool reply shape", "Pool", "mocha"),
    ]
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read, run.line) == ("Mocha", 3, 2, 7)
    assert "in a test of suite 'Pool slow' (line 7)" in run.text
    code, out, err = triage(capsys, str(path))
    assert (code, err) == (1, "")
    assert "1 of the 3 failures the runner counted was not read" in out

    # a run that printed its counts: its failure list is read, its tree's tests not again
    finished = read_logs([str(FIXTURES / "mixed" / "mocha_blocks" / "spec.txt")])
    assert len(finished.failures) == 6
    assert [(s.failures, s.read) for s in finished.summaries] == [(6, 6)]


@pytest.mark.parametrize(
    ("path", "runner"),
    [
        (FIXTURES / "mixed" / "go_blocks" / "killed_v.txt", "go test"),
        (FIXTURES / "mixed" / "cargo_blocks" / "killed.txt", "cargo test"),
        (KILLED / "go_json_killed_first.txt", "go test"),
        (KILLED / "mocha_killed.txt", "Mocha"),
        (KILLED / "jest_killed.txt", "Jest"),
    ],
    ids=lambda v: str(v)[-24:],
)
@pytest.mark.parametrize("fmt", ["exunit", "junit"])
def test_a_killed_run_forced_as_another_format_says_whose_output_it_holds(
    capsys: pytest.CaptureFixture[str], path: Path, runner: str, fmt: str
) -> None:
    """`--log-format exunit` (or junit) of a killed run's log: one clear line, exit 2, naming
    the runner whose output it holds. Before, ExUnit's said `it reads as pytest output` (no line
    of it is), or the log was not recognised at all, and JUnit's read the text as XML cut
    short at its first byte: `1 of the 1 failures the runner counted was not read`, exit 1."""
    code, out, err = triage(capsys, "--log-format", fmt, str(path))
    assert (code, out) == (2, "")
    assert f"it holds {runner}'s output of a failed run (leave out --log-format" in err
    assert "cut short" not in err and "Traceback" not in err


def test_a_tap_runs_yaml_end_is_no_exunit_progress(capsys: pytest.CaptureFixture[str]) -> None:
    """node --test's TAP reporter killed (bash's `Killed` line last), read as ExUnit output
    (`--log-format exunit`): its YAML blocks' `  ...` ends were taken for ExUnit's progress dots,
    so a `mix test` run was said to have begun and been killed (a `RunEnded` failure of `mix
    test`); the TAP verdicts are counted, none invented (their blocks, before any mix test
    run, are read: `tests/test_before_mix.py`)."""
    code, out, _ = triage(capsys, "--log-format", "exunit", str(KILLED / "tap_killed.txt"))
    assert code == 1
    assert "mix test" not in out and "RunEnded" not in out
    assert "2 failures" in out and "not read" not in out


def test_vitest_killed_before_its_counts_reads_its_files_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Vitest killed while its second file's test waits on a worker with no timeout: the first
    file's line (`3 tests | 2 failed`) and its `×` tests, no failure blocks, no counts. Before,
    the log was refused as of no format (exit 2); each `×` test is a failure by its name, its
    file its group, and the file's count counts them (all read), so the run is no clean one.
    Forced as ExUnit, the refusal names Vitest."""
    path = KILLED / "vitest_killed.txt"
    parsed = read_logs([str(path)])
    test_file = "test/a_pool.test.js"
    assert [(f.name, f.group, f.source) for f in parsed.failures] == [
        ("request is answered", test_file, "vitest"),
        ("reply shape", test_file, "vitest"),
    ]
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("Vitest", 2, 2)
    assert run.text.startswith("(no counts: Vitest's lines of its test files count 2 failed")
    code, out, err = triage(capsys, str(path))
    assert (code, err) == (1, "")
    assert "2 failures" in out
    code, _, err = triage(capsys, "--log-format", "exunit", str(path))
    assert code == 2 and "it holds Vitest's output of a failed run" in err
    # a run that printed its counts reads its blocks, not its files' lines again
    finished = read_logs([str(FIXTURES / "mixed" / "vitest_runs" / "vitest.txt")])
    assert not any(f.message.startswith("the run stopped") for f in finished.failures)


def test_a_unittest_run_killed_in_its_first_test_counts_the_test_it_stopped_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m unittest -v` killed in its one test, which waits on a worker that never
    answers: its `-v` line has no outcome (bash's `Killed` after the dots). Before, the log was
    refused as of no format (exit 2); that test is a failure by its name, the run no clean one."""
    path = KILLED / "unittest_v_killed_first.txt"
    parsed = read_logs([str(path)])
    assert [(f.name, f.group) for f in parsed.failures] == [
        ("test_waits_for_the_worker", "test_pool_hang.HangTests")
    ]
    code, out, err = triage(capsys, str(path))
    assert (code, err) == (1, "")
    assert "(unittest, no verdict)" in out
    assert "it stopped in test_waits_for_the_worker (test_pool_hang.HangTests)" in out


def test_node_tap_killed_before_its_plan_says_the_run_stopped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """node --test's TAP reporter killed in its third test: two `not ok` lines, no plan, no `#
    fail` count. Its two failures were read and counted with nothing said of the run's end, as
    if it had ended there; a note says it stopped before its end, the test it was in not named.
    node's finished runs (their plan and `# fail 3`) get no such note."""
    code, out, _ = triage(capsys, str(KILLED / "tap_killed.txt"))
    assert code == 1 and "2 failures" in out
    assert "a TAP stream (`TAP version`, node --test's reporter) with no plan nor count" in out
    assert "the run stopped before its end" in out
    for log in ("node_tap_diag.log", "node_tap_nested.log"):
        _, out, _ = triage(capsys, str(FIXTURES / "mixed" / "tap_runs" / log))
        assert "TAP stream (" not in out
