"""pytest 9's JUnit report of a unittest TestCase's failed subTests writes each as a
`<failure>` of the test's one `<testcase>`, nothing naming them subtests, and counts each: each
is one failure, as the console's `SUBFAILED(…)` lines are, not the test case's `<failure>`s
joined into one (GoogleTest's and Karma's several assertions are). Real capture: more-itertools
11.2.1's own suite with a regression (tests/fixtures/src/capture_junit_unittest_subtests.sh)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.triage.coverage import coverage

FIXTURES = Path(__file__).parent / "fixtures"
XML = FIXTURES / "junit" / "pytest_unittest_subtests.xml"
CONSOLE = FIXTURES / "pytest" / "unittest_subtests.txt"


def test_each_failed_subtest_in_pytests_junit_report_is_one_failure() -> None:
    read = read_logs([str(XML)])
    assert [(f.name, f.message) for f in read.failures] == [
        ("test_default", "StopIteration"),
        ("test_default", "StopIteration"),
        ("test_empty", "StopIteration"),
    ]


def test_the_report_and_the_console_read_as_many_as_pytest_counted() -> None:
    for log in (XML, CONSOLE):
        read = read_logs([str(log)])
        counts = coverage(read)
        assert counts is not None
        assert (len(read.failures), counts.counted, counts.unread) == (3, 3, 0), log
