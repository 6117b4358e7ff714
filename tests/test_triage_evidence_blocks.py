"""A pytest failure's evidence is its own: no quote comes from another test's failure block.

pytest prints each test's block whole (its captured output inside), so a line in another
block belongs to that test even when it names the same pool; quoting it would cite one test's
failure as evidence about another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from tests.test_run_ends import NAMED_FORMATS

FIXTURES = Path(__file__).parent / "fixtures"
PYTEST_LOGS = sorted(str(p.relative_to(FIXTURES)) for p in (FIXTURES / "pytest").rglob("*.txt"))


@pytest.mark.parametrize("relative", PYTEST_LOGS)
def test_no_pytest_evidence_is_quoted_from_another_tests_block(relative: str) -> None:
    path = FIXTURES / relative
    report = triage(read_logs([str(path)], NAMED_FORMATS.get(relative, "auto")), load_patterns())
    blocks = [
        (f.failure.line_start, max(f.failure.line_end, f.failure.line_start), f.failure.name)
        for f in report.findings
        if f.failure.source == "pytest"
    ]
    borrowed = []
    for finding in report.findings:
        if not isinstance(finding.outcome, Diagnosis):
            continue
        for quote in finding.outcome.evidence:
            file, _, line = quote.origin.rpartition(":")
            if Path(file).name != path.name or not line.isdigit():
                continue
            owners = [name for start, end, name in blocks if start <= int(line) <= end]
            if owners and finding.failure.name not in owners:
                borrowed.append(f"{finding.failure.name}: {quote.origin} of {owners[0]}")
    assert not borrowed, "\n".join(borrowed)


def test_a_checkout_timeout_cites_its_own_block_not_a_shutdown_of_the_same_pool() -> None:
    """cov_bench.txt: both tests use a pool named 'pool_a'; the timeout's evidence is its own."""
    path = FIXTURES / "pytest/plugins/cov_bench.txt"
    report = triage(read_logs([str(path)]), load_patterns())
    (finding,) = [
        f for f in report.findings if f.failure.name == "test_checkout_waits_for_busy_worker"
    ]
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "checkout-timeout-waiters"
    assert not [e for e in finding.outcome.evidence if "PoolShutdownError" in e.text]
