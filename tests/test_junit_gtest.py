"""GoogleTest's XML report (tests/fixtures/junit/gtest_junit.xml; see the fixtures' README): a
test's several failed assertions are one failure of the test, as GoogleTest counts it."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

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
