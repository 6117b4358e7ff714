"""A named process called from an ExUnit on_exit callback (tests/fixtures/exunit/on_exit.log; see
the fixtures' README): ExUnit runs the callback after the test's process has exited and after
it stopped the test's start_supervised! children, so starting the process is not the fix."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

ON_EXIT = str(Path(__file__).parent / "fixtures" / "exunit" / "on_exit.log")


def _diagnoses() -> dict[str, Diagnosis]:
    report = triage(read_logs([ON_EXIT]), load_patterns())
    found = {f.failure.name: f.outcome for f in report.findings}
    assert all(isinstance(d, Diagnosis) for d in found.values())
    return {name: d for name, d in found.items() if isinstance(d, Diagnosis)}


def test_a_call_from_on_exit_is_said_to_find_what_the_test_started_gone() -> None:
    found = _diagnoses()
    for pool in ("linked", "supervised"):
        said = found[f"test stops its {pool} pool in on_exit"]
        assert said.pattern_id == "dependency-not-started"
        assert said.remediation.startswith("`:") and "is called from an on_exit callback" in (
            said.remediation
        )
        assert "Start `" not in said.remediation  # the test did start it
        [confirmed] = [h for h in said.hypotheses if h.status == "confirmed"]
        assert confirmed.id == "stopped-before-on-exit"


def test_a_call_in_the_test_to_a_process_never_started_keeps_its_fix() -> None:
    said = _diagnoses()["test checks out of a pool never started"]
    assert said.remediation.startswith("Start `:never_started_pool` before the test calls it")
    assert "on_exit" not in said.remediation
    assert all(h.status == "untested" for h in said.hypotheses)
