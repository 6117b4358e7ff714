"""A MatchError raised in an ExUnit setup callback, read from a real `mix test` run
(tests/fixtures/src/capture_exunit_setup_match.sh): an anonymous `setup do`, and setups given
by name (`setup :start_named_pool`, `setup [:start_sized_pool]`), which the stack names by
their own name, called from the module's `__ex_unit__/2`. With `--source`, the pattern read at
the line the stack names is the setup callback's, and the fix says so: the test's own head
matches what the setup returns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
LOG = FIXTURES / "exunit" / "setup_match.log"
SOURCE = FIXTURES / "src" / "exunit_setup_match_suite"
KB = load_patterns()
# test name → (the setup's line the stack names, the callback as named there, the key it matches
# in the helper's map, and the key that map holds instead)
SETUPS = {
    "test a listed setup's pool has its size": (
        "test/setup_match_test.exs:40",
        "setup callback `start_sized_pool/1`",
        "pool_pid",
        "pid",
    ),
    "test a named setup's pool is registered": (
        "test/setup_match_test.exs:24",
        "setup callback `start_named_pool/1`",
        "name",
        "pool_name",
    ),
    "test an anonymous setup's pool is registered": (
        "test/setup_match_test.exs:8",
        "setup callback",
        "name",
        "pool_name",
    ),
}


@cache
def report(source: bool) -> Report:
    return triage(read_logs([str(LOG)]), KB, source_roots=[SOURCE] if source else [])


def diagnosis(name: str, source: bool) -> Diagnosis:
    [finding] = [f for f in report(source).findings if f.failure.name == name]
    assert isinstance(finding.outcome, Diagnosis), (name, finding.outcome)
    return finding.outcome


@pytest.mark.parametrize("name", SETUPS)
def test_a_setups_match_error_is_a_key_mismatch_in_that_setup(name: str) -> None:
    at, callback, _, _ = SETUPS[name]
    d = diagnosis(name, source=False)
    assert d.pattern_number == 4
    assert any("it failed in a setup callback" in e.note for e in d.evidence)
    assert d.facts["failed_at"] == at
    assert d.facts["expected_by"] == f"the {callback} at {at}"
    assert f"open the line the stack names, {at}," in d.remediation


@pytest.mark.parametrize("name", SETUPS)
def test_with_the_source_the_fix_names_the_setup_not_the_test(name: str) -> None:
    at, callback, expected, held = SETUPS[name]
    d = diagnosis(name, source=True)
    assert d.facts["keys_source"] == f"{SOURCE}/{at}"
    [pattern] = [e for e in d.evidence if e.origin == f"{SOURCE}/{at}"]
    assert pattern.note == "the pattern of the setup callback the stack names"
    assert d.remediation.startswith(
        f"Make the names agree: the {callback} at {at} matches `{expected}` in what it is "
        f"given, which provides `{held}`"
    )
    assert "the test expects" not in d.remediation


def test_the_cli_says_it_for_a_setup_given_by_name(cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = cli(
        "triage", "--no-history", "--source", str(SOURCE), "-v", str(LOG),
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1
    assert (
        "the setup callback `start_sized_pool/1` at test/setup_match_test.exs:40 matches "
        "`pool_pid`" in " ".join(out.split())
    )
