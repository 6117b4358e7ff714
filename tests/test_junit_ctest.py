"""CTest's JUnit report (`ctest --output-junit`, tests/fixtures/junit/ctest_junit.xml; see the
fixtures' README): its failures say nothing but the test's output, and the tests it could not
run are written as skipped."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

CTEST = str(Path(__file__).parent / "fixtures" / "junit" / "ctest_junit.xml")


def test_the_tests_ctest_could_not_run_are_failures_and_its_skips_are_not() -> None:
    failures = {f.name: f for f in read_logs([CTEST]).failures}
    # ctest's console: `10 tests failed out of 12`, `not_built (Not Run)`,
    # `pings_started_worker (Not Run)`; skipped_without_python and disabled_for_now did not run
    assert len(failures) == 10
    assert "skipped_without_python" not in failures and "disabled_for_now" not in failures
    assert failures["not_built"].message == (
        "ctest could not run the test: Unable to find executable (ctest counts it failed; "
        "its report says skipped)"
    )
    assert failures["pings_started_worker"].message.startswith(
        "ctest could not run the test: Fixture dependency failed"
    )


def test_a_ctest_failure_is_told_by_its_own_output_once() -> None:
    parsed = read_logs([CTEST])
    checkout = next(f for f in parsed.failures if f.name == "checkout_timeout")
    assert checkout.message.startswith(
        "pool_tests.c:12: FAIL checkout_timeout: timed out waiting for a worker after 200ms"
    )
    # the output is the failure's text: not its context as well
    assert "system-out" not in checkout.details and checkout.context == ()
    finding = next(f for f in triage(parsed, load_patterns()).findings if f.failure is checkout)
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "checkout-timeout-waiters"
    assert finding.outcome.confidence == 1.0
