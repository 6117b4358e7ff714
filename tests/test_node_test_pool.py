"""A pool of child_process workers under node:test (tests/fixtures/mixed/node_test_pool/, made
by src/capture_node_test_pool.sh): every failure of the spec and the TAP reporters read, each of
the seven ways told with its evidence, the others left unclassified."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.model import Diagnosis, Finding, Report
from tests.pool_verdicts import Expected, expected_pattern, pattern_of, triaged

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "node_test_pool"
LOGS = ["spec.txt", "tap.txt"]
EXPECTED: Expected = {
    "init > a pool whose worker dies in init starts": "port-no-response",
    "init > a worker answers its init ping": "port-no-response",
    "checkout > six concurrent callers on a pool of two": "checkout-timeout-waiters",
    "shutdown > a waiting caller is served while the pool restarts": (
        "pool-shutdown-during-checkout"
    ),
    "shutdown > a mute worker answers ping": "port-no-response",
    "contract > the context names the pool": (
        None,
        "the test's own assert.ok message (`context has no pool_pid (keys: pid)`), no runtime's",
    ),
    "contract > creates a program": "required-field-missing",
    "contract > predict returns the answer": (None, "the reply's `answer` read as undefined"),
    "contract > the test environment uses the port adapter": "adapter-misconfigured",
    "contract > a request to a killed worker": (
        None,
        "a worker the test killed (`is gone (SIGKILL)`): pattern 7 is a process never started",
    ),
    "contract > bridge mock resets between tests": "dependency-not-started",
    "arithmetic still works": (None, "assert.equal(1 + 1, 3)"),
}


def report_for(log: str) -> Report:
    return triaged(RUNS / log)


def finding(log: str, test: str) -> Finding:
    [found] = [f for f in report_for(log).findings if f.failure.name == test]
    return found


@pytest.mark.parametrize("log", LOGS)
def test_every_failure_is_read(log: str) -> None:
    assert sorted(f.failure.name for f in report_for(log).findings) == sorted(EXPECTED)


@pytest.mark.parametrize("log", LOGS)
@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_each_failure_gets_the_pattern_its_evidence_shows(log: str, test: str) -> None:
    assert pattern_of(finding(log, test)) == expected_pattern(EXPECTED, test)


@pytest.mark.parametrize("log", LOGS)
def test_a_unix_socket_node_cannot_find_is_pattern_7(log: str) -> None:
    # `Error: connect ENOENT /tmp/nodepool-bridge-mock.sock` was unclassified: p7 knew
    # ECONNREFUSED and Python's `[Errno 2]` on a connect, not node's ENOENT
    outcome = finding(log, "contract > bridge mock resets between tests").outcome
    assert isinstance(outcome, Diagnosis)
    assert [e.text for e in outcome.evidence] == ["connect ENOENT /tmp/nodepool-bridge-mock.sock"]
    assert outcome.facts["address"] == "/tmp/nodepool-bridge-mock.sock"
