"""A pool of asyncio-subprocess workers under unittest.IsolatedAsyncioTestCase
(tests/fixtures/unittest/asyncio_pool/, made by src/capture_unittest_asyncio_pool.sh): every
failure of the verbose and the dotted run read, each of the seven ways told with its evidence,
the others left unclassified."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from tests.pool_verdicts import Expected, expected_pattern, pattern_of, triaged

RUNS = Path(__file__).parent / "fixtures" / "unittest" / "asyncio_pool"
UNITTEST_LOGS = ["verbose.txt", "plain.txt"]
LOGS = [*UNITTEST_LOGS, "pytest.txt"]  # pytest names a test `Class.method`
EXPECTED: Expected = {
    "test_pool_whose_worker_dies_in_init_starts": "port-no-response",
    "test_worker_answers_its_init_ping": "port-no-response",
    "test_six_concurrent_callers_on_a_pool_of_two": "checkout-timeout-waiters",
    "test_waiting_caller_is_served_while_the_pool_restarts": "pool-shutdown-during-checkout",
    "test_mute_worker_answers_ping": "port-no-response",
    "test_pool_context_names_the_pool": (
        None,
        "KeyError 'pool_pid' on self.context, the dict not printed (as under pytest's --tb=short)",
    ),
    "test_creates_a_program": "required-field-missing",
    "test_predict_returns_the_answer": (
        None,
        "a KeyError on the worker's answer dict (`prediction`, not `answer`): no fixture",
    ),
    "test_the_test_environment_uses_the_port_adapter": "adapter-misconfigured",
    "test_a_request_to_a_killed_worker": (
        None,
        "a worker the test killed (ProcessLookupError): pattern 7 is a process never started",
    ),
    "test_bridge_mock_resets_between_tests": "dependency-not-started",
    "test_arithmetic_still_works": (None, "assertEqual(1 + 1, 3)"),
}


def report_for(log: str) -> Report:
    return triaged(RUNS / log)


def method(name: str) -> str:
    return name.rpartition(".")[2]


def finding(log: str, test: str) -> Finding:
    [found] = [f for f in report_for(log).findings if method(f.failure.name) == test]
    return found


@pytest.mark.parametrize("log", LOGS)
def test_every_failure_is_read(log: str) -> None:
    assert sorted(method(f.failure.name) for f in report_for(log).findings) == sorted(EXPECTED)


@pytest.mark.parametrize("log", LOGS)
@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_each_failure_gets_the_pattern_its_evidence_shows(log: str, test: str) -> None:
    assert pattern_of(finding(log, test)) == expected_pattern(EXPECTED, test)


@pytest.mark.parametrize("log", LOGS)
def test_an_adapter_not_registered_is_told_by_the_registry_s_words(log: str) -> None:
    # `aiopool.AdapterNotRegistered: adapter 'pool' is not registered (registered: ['port'])`
    # was unclassified: no signal knew a registry's "not registered"
    outcome = finding(log, "test_the_test_environment_uses_the_port_adapter").outcome
    assert isinstance(outcome, Diagnosis)
    assert any("adapter 'pool' is not registered" in e.text for e in outcome.evidence)


@pytest.mark.parametrize("log", LOGS)
def test_a_worker_exited_before_its_ready_line_died_in_its_start(log: str) -> None:
    # `WorkerStartError: worker pid N exited with status 1 before its ready line` scored 0.3
    # (a worker's non-zero exit alone) and was unclassified
    outcome = finding(log, "test_pool_whose_worker_dies_in_init_starts").outcome
    assert isinstance(outcome, Diagnosis)
    assert any("before its ready line" in e.text for e in outcome.evidence)
    causes = {h.id: h.status for h in outcome.hypotheses}
    assert (causes["crashed"], causes["stuck-in-init"]) == ("confirmed", "ruled-out")


@pytest.mark.parametrize("log", LOGS)
def test_a_unix_socket_asyncio_connects_to_that_is_not_there_is_pattern_7(log: str) -> None:
    # `await asyncio.open_unix_connection(SOCKET)` then asyncio's `sock.connect(address)` and
    # `FileNotFoundError: [Errno 2] No such file or directory` scored 0.3 (the path a variable)
    outcome = finding(log, "test_bridge_mock_resets_between_tests").outcome
    assert isinstance(outcome, Diagnosis)
    quoted = [e.text for e in outcome.evidence]
    assert any("reader, writer = await asyncio.open_unix_connection(SOCKET)" in t for t in quoted)
    assert outcome.facts["service"] == "the daemon that serves the Unix socket"


@pytest.mark.parametrize("log", UNITTEST_LOGS)
def test_a_timed_out_read_of_a_worker_s_stdout_keeps_its_chained_frames(log: str) -> None:
    # asyncio.wait_for raises `TimeoutError` from the CancelledError of the stream's readline:
    # unittest prints both tracebacks, and only the last one's frames were the stack (no
    # `asyncio/streams.py: in readline`): a bare TimeoutError, unclassified (0.3)
    [failure] = [
        f
        for f in read_logs([str(RUNS / log)]).failures
        if method(f.name) == "test_mute_worker_answers_ping"
    ]
    stack = [frame.rsplit("/", 1)[-1] for frame in failure.stacktrace]
    assert stack[:4] == [
        "tasks.py:500: in wait_for",
        "streams.py:563: in readline",
        "streams.py:655: in readuntil",
        "streams.py:540: asyncio.exceptions.CancelledError",
    ]
    assert stack[-2:] == ["aiopool.py:69: in request", "tasks.py:502: TimeoutError"]
    assert failure.location.endswith("test_pool.py:44")
    outcome = finding(log, "test_mute_worker_answers_ping").outcome
    assert isinstance(outcome, Diagnosis)
    assert any("stdout.readline()" in e.text for e in outcome.evidence)
