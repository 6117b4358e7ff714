"""What the tests of a captured pool suite share (tests/test_unittest_asyncio_pool.py,
test_pytest_anyio_pool.py, test_node_test_pool.py, test_mocha_pool.py): each capture triaged
once a process, and each failing test's pattern against the one its evidence shows."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

# the pattern each failing test shows, or None (and why) where its evidence shows none
Expected = dict[str, str | tuple[None, str]]


@cache
def triaged(log: Path) -> Report:
    return triage(read_logs([str(log)]), load_patterns())


def pattern_of(found: Finding) -> str | None:
    """The pattern a failure's verdict gives it (None: unclassified)."""
    return found.outcome.pattern_id if isinstance(found.outcome, Diagnosis) else None


def expected_pattern(expected: Expected, test: str) -> str | None:
    wanted = expected[test]
    return None if isinstance(wanted, tuple) else wanted
