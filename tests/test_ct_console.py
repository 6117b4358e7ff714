"""common_test's console output (`ct_run -dir test -logdir logs`), alone or after a clean `mix
test` run in one log (real captures: tests/fixtures/src/capture_ct_console.sh and
capture_erlang_after_mix.sh): each failed case's block is read, and the verdict (`TEST COMPLETE,
1 ok, 5 failed, 1 skipped of 7 test cases`) counts them. Before, the verdict alone was read: 5
counted, none read, with the advice to have ct_run write JUnit XML. The classification is the
one the same suite's surefire XML gets (junit/common_test_surefire.xml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [
    # the console names a case only by its number, unless it failed in the suite's own code
    ("test case 2 of 7", "", "test_case_failed", None),
    ("badmatch_case", "pool_SUITE.erl:10", "badmatch", "dependency-not-started"),
    ("test case 4 of 7", "", "noproc", "dependency-not-started"),
    ("test case 6 of 7", "", "timetrap_timeout", None),
    ("test case 7 of 7", "", "test_case_failed", None),
]


@pytest.mark.parametrize(
    ("log", "group"),
    [
        ("common_test/console.txt", "tmp.ct_pool_suite"),
        ("mixed/mix_then_common_test.log", "erlang_after_mix.ct_pool_suite"),
    ],
)
def test_common_tests_console_is_read_case_by_case(log: str, group: str) -> None:
    parsed = read_logs([str(FIXTURES / log)])
    report = triage(parsed, load_patterns())
    got = [
        (
            f.failure.name,
            f.failure.location,
            f.failure.kind,
            f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else None,
        )
        for f in report.findings
    ]
    assert got == CASES
    assert {(f.source, f.group) for f in parsed.failures} == {("common_test", group)}
    [verdict] = [s for s in parsed.summaries if s.source == "common_test"]
    assert (verdict.failures, verdict.read) == (5, 5)
    assert not any("have it write JUnit XML" in note for note in parsed.skipped)
    messages = [f.message for f in parsed.failures]
    assert messages[1] == "{badmatch,{error,econnrefused}}"
    assert messages[3] == "{timetrap_timeout,2000}"


def test_a_case_the_console_numbers_is_named_by_the_suite_log_after_it() -> None:
    """A CI step that prints the run's suite.log once ct_run failed
    (tests/fixtures/src/capture_ct_suite_log.sh): its `=case          pool_SUITE:fail_case`
    line and the `=== *** FAILED test case 2 of 7 ***` after it name the case the console
    numbers alone; it was named `test case 2 of 7`, and the second fail_case (in group g1)
    `test case 7 of 7`. The suite.log's own `TEST COMPLETE` counts nothing more."""
    parsed = read_logs([str(FIXTURES / "common_test/console_suite_log.txt")])
    got = [(f.name, f.details.get("suite"), f.details["case"]) for f in parsed.failures]
    assert got == [
        ("fail_case", "pool_SUITE", "test case 2 of 7"),
        ("badmatch_case", None, "test case 3 of 7"),  # (named by the console: its own code)
        ("noproc_case", "pool_SUITE", "test case 4 of 7"),
        ("timeout_case", "pool_SUITE", "test case 6 of 7"),
        ("fail_case", "pool_SUITE", "test case 7 of 7"),
    ]
    [verdict] = [s for s in parsed.summaries if s.source == "common_test"]
    assert (verdict.failures, verdict.read) == (5, 5)
    # the console alone names them by their number still
    alone = read_logs([str(FIXTURES / "common_test/console.txt")]).failures
    assert [f.name for f in alone][::2] == [
        "test case 2 of 7",
        "test case 4 of 7",
        "test case 7 of 7",
    ]
