"""Several <failure>s in one test case (tests/fixtures/junit/gtest_junit.xml, karma_junit.xml,
jasmine_reporters_junit.xml, catch2_junit.xml; see the fixtures' README): a test's several
failed assertions are one failure of the test, as GoogleTest, Karma and Jasmine count it
(jasmine-reporters' suite and Catch2's count each <failure>); pytest's failed subtests stay
one each."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from tests.conftest import RunCli

GTEST = str(Path(__file__).parent / "fixtures" / "junit" / "gtest_junit.xml")


def test_a_test_s_failed_expectations_are_one_failure_in_the_order_written() -> None:
    parsed = read_logs([GTEST])
    # the console: `6 FAILED TESTS`; the suites' failures add up to 6 too
    assert len(parsed.failures) == 6
    assert [(s.failures, s.read) for s in parsed.summaries] == [
        (2, 2),
        (1, 1),
        (1, 1),
        (1, 1),
        (1, 1),
    ]
    assert not parsed.skipped  # no note of failures the report's counts leave out
    [several] = [f for f in parsed.failures if f.name == "SeveralExpectationsFail"]
    lines = several.message.split("\n")
    assert [line for line in lines if line.startswith("pool_test.cc:")] == [
        "pool_test.cc:16",
        "pool_test.cc:17",
        "pool_test.cc:19",
    ]
    assert lines[-1] == "worker replied: missing required field: session_id"


def test_a_jasmine_spec_s_failed_expectations_in_karma_s_report_are_one_failure() -> None:
    # karma-junit-reporter: a <failure> per failed expectation, the suite counting specs
    parsed = read_logs([str(Path(GTEST).with_name("karma_junit.xml"))])
    assert len(parsed.failures) == 4
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4)]
    assert not parsed.skipped
    [twice] = [f for f in parsed.failures if f.name == "worker pool nested fails twice"]
    assert twice.message == "Expected 1 to be 2.\nExpected 'PythonPool' to be 'PythonPort'."


def test_jasmine_reporters_counting_each_failed_expectation_leaves_none_unread(
    run_cli: RunCli,
) -> None:
    """jasmine-reporters' JUnitXmlReporter writes a <failure> per failed expectation and counts
    each (`failures="3"` for two failing specs, one failing twice; Jasmine says `5 specs, 3
    failures`, three specs): the spec is one failure, and the count is all read (it read as
    one failure not read, exit 1 on that alone)."""
    report = str(Path(GTEST).with_name("jasmine_reporters_junit.xml"))
    parsed = read_logs([report])
    assert [f.name for f in parsed.failures] == [
        "gets an answer to ping",
        "returns the worker's reply",
        "rejects a checkout",
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(3, 3), (1, 1)]
    code, out, _ = run_cli("triage", report, "--no-history")
    assert code == 1 and "3 failures" in out and "not read" not in out


def test_catch2_counting_each_failed_assertion_leaves_none_unread() -> None:
    """Catch2's JUnit reporter counts each failed assertion too (`failures="4" errors="1"`: a
    test case with two failed CHECKs is two <failure>s): four failures, all read (one was said
    not read before ab284cc)."""
    parsed = read_logs([str(Path(GTEST).with_name("catch2_junit.xml"))])
    assert [f.name for f in parsed.failures] == [
        "worker answers ping",
        "reply carries the session",
        "pool sizes/two workers",
        "pool sizes/three workers",
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(5, 5)]
    [twice] = [f for f in parsed.failures if f.name == "reply carries the session"]
    assert twice.message.split("\n") == ['reply == "ok"', "reply.size() == 2"]


def test_pytest_s_failed_subtests_stay_a_failure_each() -> None:
    # pytest writes a <failure> per failed subtest, then `contains 2 failed subtests`, and its
    # suite counts each
    subtests = Path(GTEST).parents[1] / "pytest" / "tb_styles" / "subtests_junit.xml"
    parsed = read_logs([str(subtests)])
    assert [f.name for f in parsed.failures].count("test_workers") == 3


VITEST_RETRY = Path(__file__).parent / "fixtures" / "mixed" / "vitest_retry"


def test_a_retried_test_s_tries_are_one_failure_said_once(run_cli: RunCli) -> None:
    """Vitest's JUnit writes a `<failure>` for each of a retried test's three tries, the same
    each time (src/capture_vitest_retry.sh): one failure, as the suite's `failures="2"` and the
    console's `Tests  2 failed | 1 passed (3)` count it, its message said once (it was said
    three times over)."""
    parsed = read_logs([str(VITEST_RETRY / "vitest_retry_junit.xml")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2)]
    retried = {f.name: f for f in parsed.failures}["worker pool > never answers ping"]
    assert retried.message == "worker 2 did not answer 'ping' within 0.5s"
    assert retried.details["text"].count("worker 2 did not answer") == 1
    [console] = read_logs([str(VITEST_RETRY / "vitest_retry.txt")]).summaries
    assert (console.failures, console.read) == (2, 2)  # its blocks read, the retried one once
    code, _, _ = run_cli("triage", str(VITEST_RETRY / "vitest_retry.txt"), "--no-history")
    assert code == 1
