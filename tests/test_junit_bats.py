"""bats' JUnit report (`bats --formatter junit`): its tests, and its file hooks that failed,
which are no tests (`poolctl/logs/junit_bats.py`). Real captures of
`tests/fixtures/src/bats_junit_suite` (see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

JUNIT = Path(__file__).parent / "fixtures" / "junit"


def failures(name: str) -> list[tuple[str, str, str]]:
    parsed = read_logs([str(JUNIT / name)])
    return [(f.name, f.group, f.message.splitlines()[0]) for f in parsed.failures]


def counts(name: str) -> tuple[int, int]:
    [suite] = read_logs([str(JUNIT / name)]).summaries
    assert suite.failures is not None and suite.read is not None
    return suite.failures, suite.read


def test_the_failed_tests_of_a_bats_run() -> None:
    assert failures("bats_pool.xml") == [
        (
            "checkout times out with callers waiting",
            "pool.bats",
            "(in test file pool.bats, line 12)",
        ),
        ("redis is running", "pool.bats", "(in test file pool.bats, line 18)"),
        ('name with <xml> & "quotes"', "pool.bats", "(in test file pool.bats, line 26)"),
    ]
    assert counts("bats_pool.xml") == (3, 3)


def test_a_setup_file_that_failed_is_named_as_bats_names_it() -> None:
    """bats writes the failed `setup_file` as a test case with no name (before: a failure named
    '', shown as `✗  (setup_file.bats)`); its TAP output calls it `setup_file failed`."""
    [(name, group, said)] = failures("bats_setup_file.xml")
    assert (name, group) == ("setup_file failed", "setup_file.bats")
    assert said == "(from function `setup_file' in test file setup_file.bats, line 6)"
    report = triage(read_logs([str(JUNIT / "bats_setup_file.xml")]), load_patterns())
    [finding] = report.findings
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "dependency-not-started"  # `connect: Connection refused`


def test_a_teardown_file_failing_after_a_failed_test_is_a_failure_of_its_own() -> None:
    """The suite counts 2 failures; bats wrote the second, its `teardown_file`'s, after the
    test's own text in one `<failure>`. Before: 1 read of 2, the test's failure holding both."""
    assert failures("bats_teardown_file.xml") == [
        (
            "second checkout fails",
            "teardown_file.bats",
            "(in test file teardown_file.bats, line 14)",
        ),
        (
            "teardown_file failed",
            "teardown_file.bats",
            "(from function `teardown_file' in test file teardown_file.bats, line 6)",
        ),
    ]
    assert counts("bats_teardown_file.xml") == (2, 2)
    parsed = read_logs([str(JUNIT / "bats_teardown_file.xml")])
    test, hook = parsed.failures
    assert "from function" not in test.details["text"]
    assert hook.details["text"].endswith("bats warning: Executed 3 instead of expected 2 tests")


def test_a_teardown_file_failing_after_every_test_passed_names_no_test() -> None:
    """bats wrote it into the last test case, which passed: before, that test was named as
    the failure (`second checkout`)."""
    assert [f[:2] for f in failures("bats_teardown_file_after_pass.xml")] == [
        ("teardown_file failed", "teardown_file_after_pass.bats")
    ]
    assert counts("bats_teardown_file_after_pass.xml") == (1, 1)
