"""rebar3's EUnit output (tests/fixtures/exunit/rebar3_eunit.log; see the fixtures' README): its
failure blocks are read, and its cancelled tests count as failures of the run."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

REBAR3 = str(Path(__file__).parent / "fixtures" / "exunit" / "rebar3_eunit.log")


def test_rebar3_s_eunit_blocks_are_read_and_its_cancelled_tests_counted() -> None:
    parsed = read_logs([REBAR3])
    assert [(f.group, f.name, f.line_start) for f in parsed.failures] == [
        ("pool_app_tests", "checkout_timeout_test/0", 13),
        ("pool_app_tests", "worker_ping_test/0", 36),
        ("pool_app_tests", "missing_field_test/0", 43),
        ("pool_app_tests", "service_test/0", 66),
        ("pool_app_tests", "arithmetic_test/0", 86),
        ("pool_app_tests", "-titled_test_/0-fun-3-/0:24: adapter mode is port", 93),
        ("pool_app_tests", "-titled_test_/0-fun-1-/0:25", 100),
    ]
    # `14 tests, 7 failures, 6 cancelled`: rebar3 fails the run on the cancelled ones, which
    # it lists under `Pending:` with no block of their own
    [run] = parsed.summaries
    assert (run.text, run.failures, run.read) == ("14 tests, 7 failures, 6 cancelled", 13, 7)


def test_an_erlang_error_term_is_its_class_and_reason() -> None:
    failures = {f.name: f for f in read_logs([REBAR3]).failures}
    checkout = failures["checkout_timeout_test/0"]
    assert (checkout.kind, checkout.message) == ("exit", "{timeout,{pool,checkout,[pool_a]}}")
    assert checkout.stacktrace[0].startswith("[{pool_app_tests,checkout_timeout_test,0,")
    assert checkout.details["captured output"] == (
        "checkout queued on pool_a: 0 of 1 workers ready, 3 waiting"
    )
    arithmetic = failures["arithmetic_test/0"]
    assert (arithmetic.kind, arithmetic.message) == (
        "assertEqual",
        "?assertEqual(3, 1 + 1)\nexpected: 3\ngot: 2",
    )
    found = {
        f.failure.name: f.outcome.pattern_id
        for f in triage(read_logs([REBAR3]), load_patterns()).findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert found == {
        "checkout_timeout_test/0": "checkout-timeout-waiters",
        "missing_field_test/0": "required-field-missing",
        "service_test/0": "dependency-not-started",
    }
