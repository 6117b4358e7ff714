"""pytest-check's soft checks: a test whose checks failed raises no exception of its own, and its
block holds pytest-check's report alone. Real captures of `src/more_runners_suite`
(`tests/fixtures/src/capture_soft_checks.sh`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

PLUGINS = Path(__file__).parent / "fixtures" / "pytest" / "plugins"
CAPTURES = ["pytest_check.txt", "pytest_check_tb5.txt"]  # (the second: --check-max-tb=5)


@cache
def report(name: str) -> Report:
    return triage(read_logs([str(PLUGINS / name)]), load_patterns())


@pytest.mark.parametrize("name", CAPTURES)
def test_each_failed_check_is_in_the_message_and_the_test_is_placed_at_its_first(
    name: str,
) -> None:
    findings = {f.failure.name: f for f in report(name).findings}
    assert sorted(findings) == ["test_one_check_fails", "test_pool_answers_every_op"]
    several = findings["test_pool_answers_every_op"].failure
    said = several.message.splitlines()
    assert said[0] == "check {'id': 1, 'ok': 'ping'} == {'id': 1, 'ok': 'pong'}"
    assert said[1].endswith(
        "checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert said[2].endswith("'program_id is required'")
    assert len(said) == 3  # the three checks that failed, as `Failed Checks: 3` says
    assert several.location == "check_pool_check.py:13"
    assert several.details["checks"] == "3"
    one = findings["test_one_check_fails"].failure
    assert (one.message, one.location) == (
        "check bool(False): arithmetic",
        "check_pool_check.py:24",
    )
    # the missing program_id's check is evidence for its pattern; the arithmetic's is none's
    outcome = findings["test_pool_answers_every_op"].outcome
    assert isinstance(outcome, Diagnosis) and outcome.pattern_id == "required-field-missing"
    assert not isinstance(findings["test_one_check_fails"].outcome, Diagnosis)


def test_a_check_s_exception_line_keeps_its_kind_under_check_max_tb() -> None:
    """`FAILURE: 'program_id is required'` says str(KeyError) alone; with its frames shown,
    its exception's line says which exception it was."""
    several = next(
        f.failure for f in report("pytest_check_tb5.txt").findings if "every_op" in f.failure.name
    )
    said = several.message.splitlines()
    assert said[1:] == [
        "TimeoutError: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting",
        "KeyError: 'program_id is required'",
    ]
    assert "pool.py:81: in start_job" in several.stacktrace
