"""Reruns (pytest-rerunfailures, Maven Surefire): a test that passed on a rerun is named flaky,
one that failed every try is named with its reruns, and reruns a pytest log does not name are
counted from its closing line.

The logs are real runs of the same three tests: a checkout that times out on its first try
only, a missing key on every try, and a pass. pytest: tests/fixtures/src/pytest_rerun_suite
(`capture_reruns.sh`); Surefire: tests/fixtures/src/maven_rerun_suite (`capture_surefire.sh`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.passes import read_passes
from poolctl.logs.records import Rerun
from poolctl.logs.reruns import rerun_notes
from poolctl.patterns import load_patterns
from poolctl.triage import triage

RERUNS = Path(__file__).parent / "fixtures" / "pytest" / "reruns"
SUREFIRE = Path(__file__).parent / "fixtures" / "junit" / "surefire_reruns.xml"
FLAKY = "check_reruns.py::test_checkout_while_the_worker_starts (1 rerun)"
EVERY_TRY = "rerun and failed every try: check_reruns.py::test_program_config_key (2 reruns)"


# reruns_live_log.txt: live logging, each try of the flaky test its start line, its live log,
# then `RERUN  [ 33%]` alone (before: the flaky test was not named, "1 rerun(s) … the log does
# not name")
@pytest.mark.parametrize(
    "log",
    [
        "reruns_verbose.txt",
        "reruns_rR.txt",
        "reruns_verbose_rR.txt",
        "reruns_xdist.txt",
        "reruns_live_log.txt",
    ],
)
def test_a_test_that_passed_on_a_rerun_is_named_flaky(log: str) -> None:
    parsed = read_logs([str(RERUNS / log)])
    assert parsed.reruns == {
        "check_reruns.py::test_checkout_while_the_worker_starts": Rerun(1),
        "check_reruns.py::test_program_config_key": Rerun(2),
    }
    report = triage(parsed, load_patterns([]))
    assert [f.failure.name for f in report.findings] == ["test_program_config_key"]
    flaky = [n for n in report.notes if n.startswith("flaky: 1 test(s) failed, then passed")]
    assert len(flaky) == 1 and flaky[0].endswith(FLAKY)
    assert EVERY_TRY in report.notes
    assert not [n for n in report.notes if "does not name" in n]


def test_reruns_a_log_does_not_name_are_counted_from_its_closing_line() -> None:
    parsed = read_logs([str(RERUNS / "reruns_plain.txt")])
    assert parsed.reruns == {}
    report = triage(parsed, load_patterns([]))
    assert any(
        "reruns_plain.txt:22: 3 rerun(s) (pytest-rerunfailures) of tests the log does not name"
        in note
        and "-rR" in note
        for note in report.notes
    )


def test_surefire_s_flaky_and_rerun_failures_are_read_with_their_messages() -> None:
    parsed = read_logs([str(SUREFIRE)])
    timeout = (
        'TimeoutException: Timeout: could not check out a worker from pool "lazy_pool" within '
        "100ms (0 of 1 workers ready)"
    )
    key = "AssertionFailedError: program_id is required ==> expected: not <null>"
    assert parsed.reruns == {
        "com.example.pool.CheckoutTest::checkoutWhileTheWorkerStarts": Rerun(1, timeout),
        "com.example.pool.CheckoutTest::programConfigKey": Rerun(2, key),
    }
    report = triage(parsed, load_patterns([]))
    assert [f.failure.name for f in report.findings] == ["programConfigKey"]
    assert any(
        n.startswith("flaky: 1 test(s)")
        and n.endswith(f"CheckoutTest::checkoutWhileTheWorkerStarts (1 rerun: {timeout})")
        for n in report.notes
    )
    every_try = "rerun and failed every try: com.example.pool.CheckoutTest::programConfigKey"
    assert f"{every_try} (2 reruns: {key})" in report.notes


def test_a_flaky_test_is_not_taken_for_a_failing_one_of_the_same_name_in_another_class() -> None:
    """The Surefire report's failure, and a flaky test of the same name in another class."""
    parsed = read_logs([str(SUREFIRE)])
    other = "com.example.pool.OtherCheckoutTest::programConfigKey"
    reruns = {**parsed.reruns, other: Rerun(1, "TimeoutException: pool exhausted")}
    notes = rerun_notes(reruns, parsed.failures)
    flaky = next(n for n in notes if n.startswith("flaky: 2 test(s)"))
    assert f"{other} (1 rerun: TimeoutException: pool exhausted)" in flaky
    assert any(
        n.startswith("rerun and failed every try: com.example.pool.CheckoutTest::") for n in notes
    )


def test_a_suite_whose_report_lists_more_failures_than_it_counts_is_noted() -> None:
    """Surefire writes a @Nested class's report with the outer class's tests in it, the test
    that passed on its rerun as a plain failure, under a header counting one failure fewer (a
    real run: tests/fixtures/src/capture_surefire_nested.sh). The count above the runner's own
    went without a word."""
    folder = Path(__file__).parent / "fixtures" / "junit" / "surefire_nested"
    files = sorted(str(p) for p in folder.glob("TEST-*.xml"))
    report = triage(read_logs(files), load_patterns())
    said = [n for n in report.notes if "failures read where the runner counted" in n]
    assert len(said) == 1 and "5 failures read where the runner counted 4" in said[0], said


def test_pytest_s_junit_failed_tries_are_reruns_not_passes() -> None:
    """pytest-rerunfailures with `--junitxml` (tests/fixtures/src/capture_reruns_junit.sh): each
    failed try is an empty <testcase>, as a pass is, before the test's next try."""
    xml = Path(__file__).parent / "fixtures" / "junit" / "pytest_reruns.xml"
    parsed = read_logs([str(xml)])
    assert [f.name for f in parsed.failures] == ["test_program_config_key"]
    assert rerun_notes(parsed.reruns, parsed.failures) == [
        "flaky: 1 test(s) failed, then passed on a rerun (the failed tries are not findings: the "
        "run counts the last try): check_reruns::test_checkout_while_the_worker_starts (1 rerun)",
        "rerun and failed every try: check_reruns::test_program_config_key (2 reruns)",
    ]
    assert not parsed.skipped  # no note of two tests nothing tells apart
    with xml.open("rb") as stream:  # the run history's passes: each test's last try alone
        passed = [p.name for p in read_passes(stream, "junit")]
    assert passed == ["test_checkout_while_the_worker_starts", "test_echo"]
