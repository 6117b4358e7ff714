"""pytest-rerunfailures names a try once for each phase that failed: a try whose call and
teardown both failed prints two RERUN lines (`--reruns 1` closes with `5 rerun` for three
reruns), and a try whose teardown alone failed prints its PASSED line, then RERUN. Real runs of
tests/fixtures/src/pytest_rerun_teardown (`capture_rerun_teardown.sh`, `--reruns 1`): each of
the three tests that failed a try was rerun once."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.passes import read_passes
from poolctl.logs.records import Rerun
from poolctl.logs.reruns import rerun_notes

FIXTURES = Path(__file__).parent / "fixtures"
RERUNS = FIXTURES / "pytest" / "reruns"
XML = FIXTURES / "junit" / "pytest_rerun_teardown.xml"
EVERY_TRY = "check_rerun_teardown.py::test_call_and_teardown_fail_every_try"
THEN_PASS = "check_rerun_teardown.py::test_call_and_teardown_fail_then_pass"
TEARDOWN_FIRST = "check_rerun_teardown.py::test_teardown_fails_first_try"


@pytest.mark.parametrize("log", ["teardown_verbose.txt", "teardown_rR.txt"])
def test_a_try_that_failed_in_call_and_teardown_is_one_rerun(log: str) -> None:
    parsed = read_logs([str(RERUNS / log)])
    assert parsed.reruns == {EVERY_TRY: Rerun(1), THEN_PASS: Rerun(1), TEARDOWN_FIRST: Rerun(1)}
    assert rerun_notes(parsed.reruns, parsed.failures)[1] == (
        f"rerun and failed every try: {EVERY_TRY} (1 rerun)"
    )
    # what the log cannot tell is said: two RERUN lines in a row may be two tries
    (said,) = parsed.skipped
    assert "names a try once for each phase that failed" in said
    assert said.endswith(
        f"{EVERY_TRY} (2 RERUN lines: 1 to 2 tries), {THEN_PASS} (2 RERUN lines: 1 to 2 tries)"
    )


def test_under_xdist_each_try_starts_with_its_own_line_so_a_pair_is_one_try() -> None:
    """pytest-xdist's `-v` names a test on a line of its own as each try starts: two RERUN lines
    in a row are one try, which the log tells (no note of what it cannot)."""
    parsed = read_logs([str(RERUNS / "teardown_xdist.txt")])
    assert parsed.reruns == {EVERY_TRY: Rerun(1), THEN_PASS: Rerun(1), TEARDOWN_FIRST: Rerun(1)}
    assert not parsed.skipped
    with (RERUNS / "teardown_xdist.txt").open("rb") as stream:
        passed = sorted(p.name for p in read_passes(stream, "pytest"))
    assert passed == [
        "test_call_and_teardown_fail_then_pass",
        "test_passes",
        "test_teardown_fails_first_try",
    ]


@pytest.mark.parametrize("log", ["teardown_verbose.txt", "teardown_rR.txt"])
def test_a_try_whose_teardown_failed_is_no_pass_in_the_history(log: str) -> None:
    with (RERUNS / log).open("rb") as stream:
        passed = sorted(p.name for p in read_passes(stream, "pytest"))
    want = ["test_call_and_teardown_fail_then_pass", "test_teardown_fails_first_try"]
    assert passed == sorted(want + (["test_passes"] if "verbose" in log else []))


def test_the_closing_line_s_count_of_unnamed_reruns_says_what_it_counts() -> None:
    parsed = read_logs([str(RERUNS / "teardown_plain.txt")])
    (said,) = parsed.skipped
    assert ":36: 5 rerun(s) (pytest-rerunfailures) of tests the log does not name" in said
    assert said.endswith("a try that failed in its call and its teardown counts twice")


def test_junit_s_call_and_teardown_test_cases_are_one_test() -> None:
    """The last try of the test that failed every try is two test cases of one name, its call's
    failure and its teardown's error: one test, not two nothing tells apart."""
    parsed = read_logs([str(XML)])
    assert parsed.reruns == {
        "check_rerun_teardown::test_call_and_teardown_fail_every_try": Rerun(1),
        "check_rerun_teardown::test_call_and_teardown_fail_then_pass": Rerun(1),
        "check_rerun_teardown::test_teardown_fails_first_try": Rerun(1),
    }
    assert [f.details.get("phase") for f in parsed.failures] == [None, "teardown"]
    assert not parsed.skipped
