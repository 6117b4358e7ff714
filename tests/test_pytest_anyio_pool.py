"""A pool of anyio subprocess workers under anyio's pytest plugin (tests/fixtures/pytest/
anyio_pool/, made by src/capture_pytest_anyio_pool.sh): every failure of the `--tb=native` run
read, each of the seven ways told with its evidence, the others left unclassified; and the plain
run that pytest ended with an INTERNALERROR before printing any failure's block."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from tests.pool_verdicts import Expected, expected_pattern, pattern_of, triaged

RUNS = Path(__file__).parent / "fixtures" / "pytest" / "anyio_pool"
EXPECTED: Expected = {
    "test_pool_whose_worker_dies_in_init_starts": "port-no-response",
    "test_worker_answers_its_init_ping": "port-no-response",
    "test_six_concurrent_callers_on_a_pool_of_two": "checkout-timeout-waiters",
    "test_waiting_caller_is_served_while_the_pool_restarts": "pool-shutdown-during-checkout",
    "test_mute_worker_answers_ping": "port-no-response",
    "test_pool_context_names_the_pool": (
        None,
        "KeyError 'pool_pid' on a fixture's dict that --tb=native does not print",
    ),
    "test_creates_a_program": "required-field-missing",
    "test_predict_returns_the_answer": (None, "a KeyError on the worker's reply (`answer`)"),
    "test_the_test_environment_uses_the_port_adapter": "adapter-misconfigured",
    "test_a_request_to_a_killed_worker": (
        None,
        "a worker the test killed (anyio.BrokenResourceError): pattern 7 is one never started",
    ),
    "test_bridge_mock_resets_between_tests": "dependency-not-started",
    "test_arithmetic_still_works": (None, "assert 1 + 1 == 3"),
}


def report_for(log: str) -> Report:
    return triaged(RUNS / log)


def finding(test: str) -> Finding:
    [found] = [f for f in report_for("native.txt").findings if f.failure.name == test]
    return found


def test_every_failure_is_read() -> None:
    assert sorted(f.failure.name for f in report_for("native.txt").findings) == sorted(EXPECTED)


@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_each_failure_gets_the_pattern_its_evidence_shows(test: str) -> None:
    assert pattern_of(finding(test)) == expected_pattern(EXPECTED, test)


def test_anyio_s_fail_after_on_a_read_of_the_worker_is_pattern_1() -> None:
    # the TimeoutError is raised in anyio/_core/_tasks.py, not asyncio/tasks.py: the stack's
    # `asyncio/streams.py: in read` under it was not read as a timed-out read (0.0)
    outcome = finding("test_mute_worker_answers_ping").outcome
    assert isinstance(outcome, Diagnosis)
    assert any("asyncio/streams.py" in e.text for e in outcome.evidence)


def test_anyio_s_connect_unix_to_a_socket_not_there_is_pattern_7() -> None:
    # `stream = await anyio.connect_unix(SOCKET)`, `raw_socket.connect(path)`, `[Errno 2]`: 0.3
    outcome = finding("test_bridge_mock_resets_between_tests").outcome
    assert isinstance(outcome, Diagnosis)
    assert "stream = await anyio.connect_unix(SOCKET)" in [e.text for e in outcome.evidence]
    assert outcome.facts["service"] == "the daemon that serves the Unix socket"


def test_a_run_pytest_ended_with_an_internal_error_says_its_failures_were_not_printed() -> None:
    # Python 3.11.7's `SystemError: AST constructor recursion depth mismatch` in pytest's
    # reading of a frame's source: the run ends before any block; the failures it counted are
    # unread, the internal error the one failure read
    report = report_for("internal_error.txt")
    [only] = report.findings
    assert only.failure.name == "pytest internal error"
    assert only.failure.kind == "SystemError"
    assert only.failure.message.startswith("AST constructor recursion depth mismatch")
    assert not isinstance(only.outcome, Diagnosis)
    [run] = read_logs([str(RUNS / "internal_error.txt")]).summaries
    assert (run.failures or 0) > 0 and run.read == 0
