"""`node --test`'s tests in describe suites and a test's subtests are named by their path, as
node names them (`pool > checkout > times out`), under its spec and TAP reporters. Before, each
was named by its own title alone: the two `times out` tests of the suites `checkout` and
`restart` were one name in one group (one test to the history), though they failed of two
patterns. Real captures (`tests/fixtures/src/capture_node_nested.sh`, node 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.passes import read_passes
from tests.test_tap_failures import _triaged

LOGS = Path(__file__).parent / "fixtures" / "mixed" / "node_nested"
NAMED = {
    "pool > checkout > times out": "checkout-timeout-waiters",
    "pool > restart > times out": "pool-shutdown-during-checkout",
    "pool > restart > with jobs > keeps program_id": "required-field-missing",
    "bridge > ping > answers": "port-no-response",
}


@pytest.mark.parametrize("log", ["spec.log", "tap.log"])
def test_each_nested_test_is_named_by_its_path(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    parsed = read_logs([str(LOGS / log)])
    assert [f.name for f in parsed.failures] == list(NAMED)
    # (each in its place: the two `times out` tests are not taken for each other)
    assert [f.location.rpartition(":")[2] for f in parsed.failures] == ["9", "15", "19", "28"]
    [node] = parsed.summaries
    assert (node.source, node.failures, node.read) == ("node --test", 6, 6)
    code, patterns = _triaged(capsys, LOGS / log)
    assert code == 1 and patterns == NAMED


def test_its_junit_reporters_test_cases_are_named_by_their_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """node's JUnit reporter writes each suite as a `<testsuite … hostname=…>` around its tests,
    each `<testcase>` `classname="test"` and its own title: the two `times out` tests were one
    name, said so in a note ('the run history takes each for one test'); its failures and its
    passes are now named by their path, as its spec and TAP reporters' are."""
    log = LOGS / "junit.xml"
    parsed = read_logs([str(log)])
    assert [(f.name, f.group) for f in parsed.failures] == [(name, "test") for name in NAMED]
    assert not [note for note in parsed.skipped if "more than one test case" in note]
    with log.open("rb") as stream:
        passed = read_passes(stream, "junit")
    assert [p.name for p in passed] == ["pool > checkout > returns a worker", "bridge > closes"]
    code, patterns = _triaged(capsys, log)
    assert code == 1 and patterns == NAMED
