"""A `pytest -v` or `mix test --trace` log whose last line is a test's result or start, with
no line after it saying how the run ended (a shell's `Killed`, a CI's cancel): a run stopped
there (a time limit, a kill in that test's teardown) and a log cut there by a CI log's size
limit read the same. Before, such a cut read only as a run that ended in that test's teardown
(or while it ran); now its failure says the log may have been cut. Derived from real captures:
tests/fixtures/pytest/pool_suite_verbose.txt cut after a line, as a size limit cuts it, and the
teardown hang's captures (tests/fixtures/src/capture_teardown_hang.sh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

FIXTURES = Path(__file__).parent / "fixtures"
VERBOSE = FIXTURES / "pytest" / "pool_suite_verbose.txt"
MAY_BE_CUT = "the log may have been cut at its end (by a CI log's size limit, say)"


def cut_after(tmp_path: Path, source: Path, text: str) -> Path:
    """`source` up to the end of its first line holding `text`, as a size limit cuts a log."""
    lines = source.read_bytes().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines, 1) if text.encode() in line)
    cut = tmp_path / source.name
    cut.write_bytes(b"".join(lines[:at]))
    return cut


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("::test_mock_adapter_is_known PASSED", "teardown"),  # its result
        ("::test_pool_name_is_registered PASSED", "teardown"),
    ],
)
def test_a_verbose_log_cut_after_a_result_says_it_may_have_been_cut(
    tmp_path: Path, text: str, phase: str
) -> None:
    parsed = read_logs([str(cut_after(tmp_path, VERBOSE, text))])
    ended = parsed.failures[-1]
    assert (ended.kind, ended.details["phase"]) == ("RunEnded", phase)
    assert ended.message.startswith("the run ended after this test's result (PASSED)")
    assert MAY_BE_CUT in ended.message


def test_a_verbose_log_cut_at_a_test_start_says_it_may_have_been_cut(tmp_path: Path) -> None:
    source = FIXTURES / "pytest" / "cut_short" / "killed_verbose.txt"  # ends in a test's start
    parsed = read_logs([str(source)])
    ended = parsed.failures[-1]
    assert ended.kind == "RunEnded"
    assert MAY_BE_CUT in ended.message


@pytest.mark.parametrize("capture", ["module_verbose.txt", "session_verbose.txt"])
def test_a_run_its_log_says_was_killed_is_not_said_cut(capture: str) -> None:
    """bash's `Killed` line after the result: the log says how the run ended."""
    parsed = read_logs([str(FIXTURES / "pytest" / "teardown_hang" / capture)])
    ended = next(f for f in parsed.failures if f.kind == "RunEnded")
    assert "Killed" in ended.message
    assert "may have been cut" not in ended.message


def cut_at_half(tmp_path: Path, source: Path) -> Path:
    """`source` cut at the middle of its bytes, mid-line, as a size limit cuts a log."""
    data = source.read_bytes()
    cut = tmp_path / source.name
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_a_pytest_log_cut_in_its_failure_blocks_says_it_may_have_been_cut(
    tmp_path: Path,
) -> None:
    """Every test's result printed, then the log stops in a failure's block: no run is killed
    while it prints its report, yet nothing in the log tells that from a kill."""
    [run] = read_logs([str(cut_at_half(tmp_path, VERBOSE))]).summaries
    assert run.text.startswith("(no closing line: the run that began at line 1 ends with the ")
    assert MAY_BE_CUT in run.text


def test_an_exunit_log_cut_in_its_failure_blocks_says_it_may_have_been_cut(
    tmp_path: Path,
) -> None:
    cut = cut_at_half(tmp_path, FIXTURES / "exunit" / "pool_suite.log")
    [run] = read_logs([str(cut)]).summaries
    assert run.text.startswith("(no closing line: the input ends after this run's failures")
    assert MAY_BE_CUT in run.text


@pytest.mark.parametrize("capture", ["module_verbose.txt", "session_verbose.txt"])
def test_a_run_its_log_says_was_killed_is_not_said_cut_in_its_summary(capture: str) -> None:
    [run] = read_logs([str(FIXTURES / "pytest" / "teardown_hang" / capture)]).summaries
    assert "its last lines say how it ended" in run.text
    assert "may have been cut" not in run.text
