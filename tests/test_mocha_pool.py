"""The child_process pool under Mocha's spec reporter (tests/fixtures/mixed/mocha_pool/spec.txt,
made by src/capture_mocha_pool.sh): every failure read, a `before all` hook's among them, each of
the seven ways told with its evidence, the others left unclassified."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Report
from tests.pool_verdicts import Expected, expected_pattern, pattern_of, triaged

LOG = Path(__file__).parent / "fixtures" / "mixed" / "mocha_pool" / "spec.txt"
EXPECTED: Expected = {
    "arithmetic still works": (None, "assert.equal(1 + 1, 3)"),
    'a pool whose worker dies in init "before all" hook for "answers a ping"': "port-no-response",
    "init a worker answers its init ping": "port-no-response",
    "checkout six concurrent callers on a pool of two": "checkout-timeout-waiters",
    "checkout a waiting caller is served while the pool restarts": (
        "pool-shutdown-during-checkout"
    ),
    "checkout a mute worker answers ping": (
        None,
        "Mocha's own `Timeout of 500ms exceeded`, no stack: nothing shows what it awaited",
    ),
    "contract the context names the pool": (
        None,
        "assert.ok(this.context.pool_pid) falsy: the keys the context holds are not shown",
    ),
    "contract creates a program": "required-field-missing",
    "contract the test environment uses the port adapter": "adapter-misconfigured",
    "contract bridge mock resets between tests": "dependency-not-started",
}


def report() -> Report:
    return triaged(LOG)


def test_every_failure_is_read() -> None:
    assert sorted(f.failure.name for f in report().findings) == sorted(EXPECTED)
    [run] = read_logs([str(LOG)]).summaries
    assert (run.failures, run.read) == (10, 10)


@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_each_failure_gets_the_pattern_its_evidence_shows(test: str) -> None:
    [found] = [f for f in report().findings if f.failure.name == test]
    assert pattern_of(found) == expected_pattern(EXPECTED, test)
