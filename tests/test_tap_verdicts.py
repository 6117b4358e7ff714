"""TAP producers that print no count of their failures (bats piped, as in CI; a Test::More
script run by itself) after a clean pytest run, in one log (real captures:
tests/fixtures/src/capture_tap.sh). Before, both logs read as 0 failures, exit 0: the failed
run was lost. Each top-level `not ok` without a directive counts one failure, unread; one a
TAP runner's own count follows (prove) is counted by that count alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.tap_verdicts import TAP
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"


@pytest.mark.parametrize(
    ("log", "runner"), [("pytest_then_perl_bail.log", TAP), ("pytest_then_prove_bail.log", "prove")]
)
def test_a_tap_run_that_bailed_out_is_one_failure_its_reason_read(
    capsys: pytest.CaptureFixture[str], log: str, runner: str
) -> None:
    """BAIL_OUT after its first test: the rest did not run (one failure or more, counted as
    one). Its reason, on Test::More's `Bail out!` line or prove's `Bailout called.  Further
    testing stopped:`, is the failure's message: it was counted and left unread."""
    path = str(MIXED / log)
    parsed = read_logs([path])
    [failure] = parsed.failures
    assert (failure.name, failure.message) == (
        "Bail out!",
        "database unreachable: connect ECONNREFUSED 127.0.0.1:5432",
    )
    [clean, theirs] = parsed.summaries
    assert clean.source == "closing line"
    assert (theirs.source, theirs.failures, theirs.read) == (runner, 1, 1)
    assert theirs.start == clean.line + 1  # the perl (prove) step's output, after pytest's end
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "dependency-not-started" in out and "not read" not in out


@pytest.mark.parametrize(
    ("log", "names"),
    [
        ("pytest_then_bats.log", ["reply has the session id"]),
        # `not ok 4 - resize # TODO pool v2` is an expected failure: not counted
        (
            "pytest_then_perl_tap.log",
            [
                "checkout within 200ms # timed out waiting for a worker",
                "connect refused: ECONNREFUSED 127.0.0.1:5432",
            ],
        ),
    ],
)
def test_a_failed_tap_run_after_a_clean_pytest_run_has_its_failures_read(
    capsys: pytest.CaptureFixture[str], log: str, names: list[str]
) -> None:
    """Each top-level `not ok` without a directive is a failure of the TAP run, read from its
    line and the diagnostics below it (`tests/test_tap_failures.py` classifies them)."""
    path = str(MIXED / log)
    parsed = read_logs([path])
    assert [f.name for f in parsed.failures] == names
    [clean, theirs] = parsed.summaries
    assert (theirs.source, theirs.failures, theirs.read) == (TAP, len(names), len(names))
    assert theirs.start == clean.line + 1  # the bats (perl) step's output, after pytest's end
    assert not any("a TAP run's verdict" in n for n in parsed.skipped)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "not read" not in out


def test_tap_lines_a_runner_counts_after_them_are_not_counted_again() -> None:
    """`prove -v` prints each test's TAP line, then its Test Summary Report, which counts the
    two failures: two, not four."""
    parsed = read_logs([str(MIXED / "pytest_then_prove_verbose.log")])
    theirs = [
        (s.source, s.failures, s.read) for s in parsed.summaries if s.source != "closing line"
    ]
    assert theirs == [("prove", 2, 2)]  # its `not ok` lines, read
    assert not any("a TAP run's verdict" in n for n in parsed.skipped)


def test_a_failed_bats_run_alone_is_read_by_its_tap_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The bats step's output alone (the capture's lines from its command on) was "format not
    recognised", exit 2: one failure, read from its TAP lines, exit 1."""
    lines = (MIXED / "pytest_then_bats.log").read_text().splitlines(keepends=True)
    alone = tmp_path / "bats.log"
    alone.write_text("".join(lines[lines.index("$ bats pool.bats\n") :]))
    code, out, _ = run(capsys, "triage", str(alone), "--no-history")
    assert code == 1 and "1 failure" in out and "reply has the session id" in out


def test_a_prove_file_that_bailed_out_with_no_failed_test_counts_one() -> None:
    """prove's summary of a script that called BAIL_OUT after a passing test says `Failed: 0`
    with its exit status 255 (`bail/bail.t (Wstat: 65280 (exited 255) Tests: 1 Failed: 0)`): the
    log read as clean. A file that exited with an error counts one failure."""
    parsed = read_logs([str(MIXED / "pytest_then_prove_bail.log")])
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries]
    assert runs[1:] == [("prove", 1, 1)]  # (prove's `Bailout called.` line, read)
