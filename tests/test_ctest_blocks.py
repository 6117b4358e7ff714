"""ctest's failed tests are read test by test: each result line that failed (`***Failed`,
`***Timeout`, `***Exception: SegFault`, `***Not Run`) and what the test printed under
`--output-on-failure`, counted by `17% tests passed, 10 tests failed out of 12`; a test whose
output is a GoogleTest program's is read as GoogleTest's, its program's ` 1 FAILED TEST` no run
of its own. Before, ctest's failures were counted and none read ('its own failure blocks are
not read'), and a GoogleTest suite under ctest was counted twice (14 failures for 7: each
program's verdict, then ctest's). Real captures (`tests/fixtures/src/capture_ctest_console.sh`:
CTest 3.25, src/ctest_pool_suite's C programs and src/cpp_pool_suite's GoogleTest tests over a
pool of real worker processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "ctest_runs"


def _read(capsys: pytest.CaptureFixture[str], log: str) -> list[tuple[str, str, str, str]]:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    return [
        (
            f["failure"]["source"],
            f["failure"]["name"],
            f["failure"]["message"].partition("\n")[0],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]


def test_each_failed_program_is_read_with_what_it_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read = _read(capsys, "programs.txt")
    expected = [
        ("checkout_timeout", "pool_tests.c:12: FAIL checkout_timeou", "checkout-timeout-waiters"),
        ("worker_silent", "pool_tests.c:16: FAIL worker_silent: ", "port-no-response"),
        ("missing_session", "pool_tests.c:20: FAIL missing_session", "required-field-missing"),
        ("arithmetic", "pool_tests.c:24: FAIL arithmetic: exp", "-"),
        ("crash", "***Exception: SegFault", "-"),
        ("hangs_in_checkout", "***Timeout", "-"),
        ("not_built", "***Not Run", "-"),
        ("fail_regex", "***Failed  Error regular expression ", "-"),
        # `worker exited with status 1 before its ready line`: a worker dead in its start
        ("start_worker_fixture", "pool_tests.c:40: FAIL start_fixture:", "port-no-response"),
        ("pings_started_worker", "***Not Run", "-"),
    ]  # (the skipped test and the disabled one are no failures)
    assert len(read) == len(expected)
    for (_, name, first, pattern), (its_name, begins, its_pattern) in zip(
        read, expected, strict=True
    ):
        assert (name, pattern) == (its_name, its_pattern) and first.startswith(begins)
    parsed = read_logs([str(RUNS / "programs.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(10, 10)]
    assert parsed.failures[0].location == "pool_tests.c:12"
    # what the test printed, above its result line when ctest could not run it
    assert parsed.failures[6].message.endswith("Unable to find executable: no_such_binary")


def test_googletest_tests_under_ctest_are_read_once_as_googletests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read = _read(capsys, "gtest.txt")
    assert [(source, name, pattern) for source, name, _, pattern in read] == [
        ("gtest", "Pool.SecondCallerChecksOutWithin200ms", "checkout-timeout-waiters"),
        ("gtest", "Pool.SilentWorkerAnswersWithinTheRequestTimeout", "port-no-response"),
        ("gtest", "Pool.KeepsItsWorkerAfterARequest", "-"),
        ("gtest", "Pool.ReadsTheOkOfAnAnswer", "-"),
        ("gtest", "Pool.StartsAJob", "required-field-missing"),
        (
            "gtest",
            "Pool.HandsAWorkerToACallerWaitingThroughShutdown",
            "pool-shutdown-during-checkout",
        ),
        ("gtest", "Pool.CountsItsWorkers", "-"),
    ]
    parsed = read_logs([str(RUNS / "gtest.txt")])
    # the programs' own verdicts are ctest's tests: one run, 7 failures, not 14
    assert [(s.source, s.start, s.failures, s.read) for s in parsed.summaries] == [
        ("ctest", 1, 7, 7)
    ]


def test_without_their_output_the_failed_tests_are_read_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read = _read(capsys, "gtest_no_output.txt")
    assert len(read) == 7
    assert all(source == "ctest" and first == "***Failed" for source, _, first, _ in read)
    assert all(pattern == "-" for *_, pattern in read)  # nothing printed: no evidence


def test_ctest_after_a_clean_pytest_run_is_read() -> None:
    """`pytest_then_ctest.log` (capture_other_runners2.sh: plain `ctest`, no output)."""
    parsed = read_logs([str(RUNS.parent / "pytest_then_ctest.log")])
    assert len(parsed.failures) == 10
    assert [(s.failures, s.read) for s in parsed.summaries][-1] == (10, 10)
