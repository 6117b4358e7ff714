"""Triage of a sh-worker pool's real `mix test` runs (tests/fixtures/exunit/shpool/, made by
src/capture_exunit_shpool.sh): what each diagnosis quotes and advises, and the near-misses it
must leave alone, beyond the pattern ids expected.yaml checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

SHPOOL = Path(__file__).parent / "fixtures" / "exunit" / "shpool"
RUNS = ["seed0.log", "seed0_trace.log", "max_cases_1.log", "random_seed.log", "first_trace.log"]
KB = load_patterns()


@cache
def report_for(name: str) -> Report:
    return triage(read_logs([str(SHPOOL / name)]), KB)


def finding(name: str, test: str) -> Finding:
    found = [f for f in report_for(name).findings if f.failure.name == test]
    assert len(found) == 1, test
    return found[0]


def log_line(name: str, origin: str) -> str:
    """The log's own line an evidence origin (`…/seed0.log:125`) points at (lines end at
    `\n` only: --trace prints a `\r` inside a line)."""
    number = int(origin.rsplit(":", 1)[1])
    return (SHPOOL / name).read_bytes().decode().split("\n")[number - 1]


@pytest.mark.parametrize("name", RUNS)
def test_a_checkout_of_a_pool_stopped_before_it_is_told_so_with_its_start_quoted(
    name: str,
) -> None:
    # `GenServer.call(:sh_pool_N, :checkout, 1000)` / `** (EXIT) no process`, the pool's
    # "started" line earlier in the log: the remedy was "Start `:sh_pool_N` before the test
    # calls it", every cause untested
    f = finding(name, "test checkout after the pool stopped")
    o = f.outcome
    assert isinstance(o, Diagnosis) and o.pattern_id == "dependency-not-started"
    pool = o.facts["pool"]
    assert pool.startswith("sh_pool_") and o.facts["pool_seen"] is True
    started = [e for e in o.evidence if e.note == f"pool_seen = yes: pool {pool} is in use here"]
    assert len(started) == 1
    # the cause it confirms quotes that line, not "pool seen: yes"
    assert f"(the log shows: {started[0].text})" in o.cause
    # the quoted line is the log's own, and it is that pool's start, before the failure
    line = log_line(name, started[0].origin)
    assert line.strip() == started[0].text and f"pool :{pool} started with 1 workers" in line
    assert int(started[0].origin.rsplit(":", 1)[1]) < f.failure.line_start
    assert o.remediation.startswith(f"`:{pool}` ran earlier (the log shows it in use) and was")
    assert "Start `" not in o.remediation
    confirmed = [h.id for h in o.hypotheses if h.status == "confirmed"]
    assert confirmed == ["crashed-earlier"]


@pytest.mark.parametrize("name", ["seed0.log", "seed0_trace.log", "max_cases_1.log"])
def test_a_checkout_of_a_pool_never_started_keeps_its_fix(name: str) -> None:
    # `GenServer.call(:sh_reports_pool, :checkout, 500)` / `no process`, a name no line shows
    o = finding(name, "test checkout from the reports pool").outcome
    assert isinstance(o, Diagnosis) and o.pattern_id == "dependency-not-started"
    assert (o.facts["pool"], o.facts["pool_seen"]) == ("sh_reports_pool", False)
    assert o.remediation.startswith("Start `:sh_reports_pool` before the test calls it")
    assert not [h for h in o.hypotheses if h.status == "confirmed"]


@pytest.mark.parametrize("name", RUNS)
def test_a_worker_answer_naming_a_snake_case_required_field_is_pattern_5(name: str) -> None:
    # `** (KeyError) key "result" not found in: %{"error" => "program_id is required", …}`:
    # the worker rejected the request; left unclassified before
    o = finding(name, "test create_program through a strict worker").outcome
    assert isinstance(o, Diagnosis) and o.pattern_id == "required-field-missing"
    assert (o.facts["field"], o.facts["worker_said"]) == ("program_id", "program_id is required")
    assert o.remediation.startswith("Send `program_id` in the arguments")
    [quote] = o.evidence
    assert '"error" => "program_id is required"' in log_line(name, quote.origin)


@pytest.mark.parametrize("name", RUNS)
def test_near_misses_stay_unclassified(name: str) -> None:
    for test in [
        # Task.async(fn -> Process.sleep(500) end) awaited 100 ms: in random_seed.log and
        # first_trace.log a sh worker's `os_pid:` Logger line, another test's, sits above its
        # block, and the two made it pattern 1 (0.55)
        "test a slow report finishes in time",
        # Agent.stop(counter), then Agent.get(counter, …): `GenServer.call(#PID<…>, …)` /
        # `no process` was pattern 7, "Start the service … (in CI, a `services:` container)"
        "test a stopped counter can no longer be read",
        "test builds a user from attrs",
    ]:
        assert not isinstance(finding(name, test).outcome, Diagnosis), (name, test)


def test_the_trace_run_puts_another_tests_worker_line_above_the_sleeping_task() -> None:
    # what made the near-miss a trap: the line is in the log, right above the block
    f = finding("first_trace.log", "test a slow report finishes in time")
    above = (SHPOOL / "first_trace.log").read_bytes().decode().split("\n")[: f.failure.line_start]
    assert "sh worker silent started, os_pid:" in "\n".join(above[-3:])
    assert "{:erlang, :apply, 2}" in f.failure.message
