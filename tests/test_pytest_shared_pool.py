"""A pytest short-summary line says how its own test failed: it is no nearby line of another
test naming the same pool. Real runs: src/capture_shared_pool.sh (three tests naming
'pool_shared'), and the captured runs where such lines were attached to other tests (a
`-vv` run's `pool_pid` failures, plugins' runs of `pool_a`'s tests, an inner session)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Unclassified
from poolctl.patterns import load_patterns
from poolctl.triage import triage

PYTEST = Path(__file__).parent / "fixtures" / "pytest"
SHARED = PYTEST / "shared_pool.txt"
SUMMARY = re.compile(r"^(?:FAILED|ERROR) (\S+::\S+)")
# each run where another test's summary line was a failure's context, by the pool or key named
RUNS = [
    SHARED,
    PYTEST / "pool_suite_verbose.txt",  # 'pool_pid'
    PYTEST / "plugins" / "cov_bench.txt",  # 'pool_a'
    PYTEST / "plugins" / "cov_fail_under_failed.txt",
    PYTEST / "plugins" / "randomly_verbose.txt",
    PYTEST / "inner_quiet" / "s.txt",  # 'pool_name'
]


@pytest.mark.parametrize("log", RUNS, ids=lambda p: str(p.relative_to(PYTEST)))
def test_no_failure_takes_another_tests_summary_line_as_context(log: Path) -> None:
    parsed = read_logs([str(log)])
    others = [
        (f.details.get("nodeid"), c.line, c.text)
        for f in parsed.failures
        for c in f.context
        if (m := SUMMARY.match(c.text)) and m.group(1) != f.details.get("nodeid")
    ]
    assert others == []


def test_a_failure_that_is_no_pools_is_not_said_near_another_tests_timeout() -> None:
    report = triage(read_logs([str(SHARED)]), load_patterns())
    outcome = {f.failure.name: f.outcome for f in report.findings}
    typo = outcome["test_pool_reports_its_name"]
    assert isinstance(typo, Unclassified)
    # was: nearest port-no-response, "only a nearby line reports the worker timing out
    # ("FAILED check_shared_pool.py::test_worker_answers_a_ping - …")"
    assert "test_worker_answers_a_ping" not in typo.why
    assert typo.nearest is None
    assert outcome["test_worker_answers_a_ping"].pattern_number == 1  # type: ignore[union-attr]
    assert outcome["test_callers_get_a_worker"].pattern_number == 3  # type: ignore[union-attr]


@pytest.mark.parametrize("log", RUNS, ids=lambda p: str(p.relative_to(PYTEST)))
def test_no_failure_takes_its_own_summary_line_as_context(log: Path) -> None:
    # it restates the failure: whole under -vv or on a wide terminal, cut on a narrow one
    parsed = read_logs([str(log)])
    own = [
        (f.details.get("nodeid"), c.line, c.text)
        for f in parsed.failures
        for c in f.context
        if (m := SUMMARY.match(c.text)) and m.group(1) == f.details.get("nodeid")
    ]
    assert own == []


@pytest.mark.parametrize(
    "name",
    ["test_worker_replies_within_deadline", "test_direct_port_communication_with_merged_stderr"],
)
def test_a_diagnosis_is_as_sure_whatever_the_width_of_its_summary_line(name: str) -> None:
    # `-vv` prints `FAILED …::test - TimeoutError: no response from worker (pid N) …` whole:
    # it was 'a nearby line reports the worker timing out', 0.8 against the 80-column run's 0.6
    def confidence(log: str) -> float:
        report = triage(read_logs([str(PYTEST / log)]), load_patterns())
        found = [f.outcome for f in report.findings if f.failure.name == name]
        assert len(found) == 1 and not isinstance(found[0], Unclassified)
        assert found[0].pattern_number == 1
        return found[0].confidence

    assert confidence("pool_suite_verbose.txt") == confidence("pool_suite.txt")
