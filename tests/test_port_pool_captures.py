"""Real captures of pools of worker processes (tests/fixtures/src/capture_procpool.sh and
capture_exunit_port_pool.sh): a CI step's log of `mix test` then `pytest`, read whole, and the
facts read from a port pool's call timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()


def report_for(name: str) -> Report:
    return triage(read_logs([str(FIXTURES / name)]), KB)


@pytest.mark.parametrize(
    "name", ["mixed/port_pool_mix_then_pytest.log", "mixed/port_pool_github_actions.log"]
)
def test_mix_run_closing_on_tests_and_failures_alone_is_read_before_pytest(name: str) -> None:
    # `6 tests, 6 failures` (no doctest count before it) closes the mix run: its six failures
    # are read as well as pytest's eight, though the pytest run, longer, decides the format
    report = report_for(name)
    names = [f.failure.name for f in report.findings]
    assert len(names) == 14
    assert sum("PortPool." in f.failure.group for f in report.findings) == 6
    labels = sorted(
        f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else "unclassified"
        for f in report.findings
    )
    assert labels.count("port-no-response") == 6
    assert labels.count("pool-shutdown-during-checkout") == 1
    assert labels.count("unclassified") == 7


def test_pool_raising_in_a_checkout_is_a_pool_that_stopped_under_its_caller() -> None:
    # `GenServer.call(pool, {:checkout, :bob}, 5000)` / `** (EXIT) an exception was raised:`:
    # the pool itself crashed on the call, its KeyError is the pool's, not the test's context
    found = [
        f
        for f in report_for("exunit/port_pool.log").findings
        if f.failure.name == "test checkout for an owner the pool does not know"
    ]
    assert len(found) == 1 and isinstance(found[0].outcome, Diagnosis)
    outcome = found[0].outcome
    assert outcome.pattern_id == "pool-shutdown-during-checkout"
    assert outcome.cause.startswith("The pool process crashed while it handled a call")
    assert "(EXIT) an exception was raised:" in outcome.cause


def test_genserver_call_timeout_is_the_fact() -> None:
    timeouts = {
        f.failure.name: f.outcome.facts.get("timeout")
        for f in report_for("exunit/port_pool.log").findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert timeouts["test a slow request answers within the caller's timeout"] == "500 ms"
    assert timeouts["test a logged failure keeps its log with the test"] == "200 ms"
    # the same exit handed back by catch_exit, pretty-printed: the call's last argument
    caught = "test a caught request timeout comes back as an error tuple"
    assert timeouts[caught] == "300 ms"


def test_a_pool_called_by_pid_is_not_suspected_of_being_the_wrong_process() -> None:
    # the log shows other tests' pools started by name; this one was called by the pid that
    # start_supervised! returned, which no line could show started: no wrong-process hint
    found = [
        f
        for f in report_for("exunit/port_pool.log").findings
        if f.failure.name == "test checkout while the pool is killed"
    ]
    assert len(found) == 1 and isinstance(found[0].outcome, Diagnosis)
    outcome = found[0].outcome
    assert outcome.facts["pool"].startswith("#PID<") and outcome.facts["reason"] == "killed"
    assert "wrong_process" not in outcome.facts
    assert "wrong process" not in outcome.remediation
    assert "addressed to a process that is not the pool" not in outcome.cause


def test_a_checkout_sent_to_another_name_than_the_pools_is_suspected() -> None:
    found = [
        f
        for f in report_for("exunit/port_pool.log").findings
        if f.failure.name == "test checkout sent to the registry's name instead of the pool's"
    ]
    assert len(found) == 1 and isinstance(found[0].outcome, Diagnosis)
    outcome = found[0].outcome
    assert outcome.pattern_id == "pool-shutdown-during-checkout"
    assert outcome.facts["pool"] == "pool_registry" and outcome.facts["wrong_process"] is True
    assert "may be addressed to the wrong process" in outcome.remediation
