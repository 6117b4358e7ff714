"""A gen_server pool of port workers under EUnit (tests/fixtures/eunit/variants/, made by
src/capture_eunit_variants.sh): every failure of the plain and `[verbose]` reports read, where
OTP's crash reports and a worker's traceback come between a test's line and its result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

VARIANTS = Path(__file__).parent / "fixtures" / "eunit" / "variants"
TESTS = [
    "worker_dies_in_init_test",
    "worker_answers_its_init_ping_test",
    "slow_worker_answers_ping_test",
    "checkout_waits_for_a_busy_worker_test",
    "waiting_caller_is_served_while_the_pool_restarts_test",
    "-context_test_/0-fun-1-",
    "creates_a_program_test",
    "program_error_test",
    "adapter_test",
    "bridge_mock_resets_test",
    "arithmetic_test",
]


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt"])
def test_every_failure_is_read_whatever_the_test_printed_before_its_result(log: str) -> None:
    # under [verbose], `  vpool_tests: worker_dies_in_init_test...` then the worker's traceback
    # and two crash reports (40 lines), then `*failed*` alone: the test's line was looked for in
    # the 15 lines above it only, and its failure was lost (9 of 11 read)
    parsed = read_logs([str(VARIANTS / log)])
    assert [f.name for f in parsed.failures] == TESTS
    assert {(f.source, f.group) for f in parsed.failures} == {("eunit", "vpool_tests")}
    [run] = parsed.summaries
    assert (run.text, run.failures, run.read) == ("Failed: 11.  Skipped: 0.  Passed: 0.", 11, 11)
    dead = parsed.failures[0]
    assert dead.message.startswith("{badmatch,{error,{worker_init_failed,#{exit_status => 1,")
    assert dead.location == "vpool_tests.erl:6"


EXPECTED = {
    "worker_dies_in_init_test": "port-no-response",
    "worker_answers_its_init_ping_test": "port-no-response",
    "slow_worker_answers_ping_test": "port-no-response",
    "checkout_waits_for_a_busy_worker_test": "checkout-timeout-waiters",
    "waiting_caller_is_served_while_the_pool_restarts_test": "pool-shutdown-during-checkout",
    "-context_test_/0-fun-1-": "fixture-key-mismatch",
    "program_error_test": "required-field-missing",
    "adapter_test": "adapter-misconfigured",
    "bridge_mock_resets_test": "dependency-not-started",
}


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt"])
def test_erlangs_own_terms_of_a_pools_calls_name_their_pattern(log: str) -> None:
    # `{timeout,{gen_server,call,[Pid,checkout,200]}}`, `{'EXIT',{shutdown,{gen_server,call,
    # [Pid,checkout,2000]}}}`, `{timeout,…,[Pid,{request,ping},300]}`, `exit_status => 1` and
    # `os_pid => N`: Elixir's forms (`{:timeout, {GenServer, :call, …}}`, `os_pid: N`) alone
    # were read, and only the two failures whose words are no term's were diagnosed
    report = triage(read_logs([str(VARIANTS / log)]), load_patterns())
    got = {
        f.failure.name: f.outcome.pattern_id
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert got == EXPECTED
    slow = next(f for f in report.findings if f.failure.name == "slow_worker_answers_ping_test")
    assert isinstance(slow.outcome, Diagnosis) and slow.outcome.facts["timeout"] == "300 ms"
    dead = next(f for f in report.findings if f.failure.name == "worker_dies_in_init_test")
    assert isinstance(dead.outcome, Diagnosis) and dead.outcome.facts["os_pid"] > 0


def test_common_test_cases_are_read_past_the_reports_their_processes_logged() -> None:
    # ct_run prints a case's block, then OTP's crash reports of its processes, then `*** FAILED
    # test case N of 10 ***`: the line after the block had to be the case's, and the two
    # workers' start failures were lost (7 of 9 read)
    console = Path(__file__).parent / "fixtures" / "common_test" / "vpool_console.txt"
    parsed = read_logs([str(console)])
    assert [f.name for f in parsed.failures] == [
        "worker_dies_in_init",
        "worker_answers_its_init_ping",
        "test case 3 of 10",
        "test case 4 of 10",
        "test case 5 of 10",
        "test case 6 of 10",
        "creates_a_program",
        "adapter",
        "test case 9 of 10",
    ]
    [run] = parsed.summaries
    assert (run.failures, run.read) == (9, 9)
    dead = parsed.failures[0]
    assert "=CRASH REPORT====" in dead.details["logged"]
    assert (
        "exception exit: {worker_init_failed,#{exit_status => 1,os_pid => "
        in (dead.details["logged"])
    )
    report = triage(parsed, load_patterns())
    diagnosed = {
        f.failure.name: f.outcome.pattern_id
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert diagnosed["worker_dies_in_init"] == "port-no-response"
    assert diagnosed["worker_answers_its_init_ping"] == "port-no-response"


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt"])
def test_a_badkey_under_a_bifs_frame_is_read_with_the_map_it_was_looked_up_in(log: str) -> None:
    # `in function erlang:map_get/2` (no file), `  called as map_get(pool_pid,#{pid => …})`,
    # then the test's frames and `**error:{badkey,pool_pid}`, a Logger report after it: the
    # BIF's frame was no frame, so the whole stack and the report became the message, kind
    # `error`, no place, and nothing fired
    parsed = read_logs([str(VARIANTS / log)])
    f = next(f for f in parsed.failures if f.name == "-context_test_/0-fun-1-")
    assert (f.kind, f.message, f.location) == ("error", "{badkey,pool_pid}", "vpool_tests.erl:37")
    assert f.stacktrace[0] == "in function erlang:map_get/2"
    assert f.details["logged"].startswith("=NOTICE REPORT==== ")
    report = triage(parsed, load_patterns())
    o = next(x.outcome for x in report.findings if x.failure.name == f.name)
    assert isinstance(o, Diagnosis) and o.pattern_id == "fixture-key-mismatch"
    assert (o.facts["missing_key"], o.facts["nearest_key"]) == ("pool_pid", "pid")


def test_an_erlang_tests_fix_names_erlangs_places_not_exunits() -> None:
    # EUnit's adapter and bridge_mock failures were told to set `config/test.exs` and to start
    # the process with `start_supervised!`, which are ExUnit's
    report = triage(read_logs([str(VARIANTS / "plain.txt")]), load_patterns())
    fixes = {
        f.failure.name: f.outcome.remediation
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert "sys.config" in fixes["adapter_test"]
    assert "config/test.exs" not in fixes["adapter_test"]
    assert "init_per_testcase" in fixes["bridge_mock_resets_test"]
    assert "start_supervised!" not in fixes["bridge_mock_resets_test"]


def test_a_common_test_call_cut_by_ct_run_is_a_checkout_where_its_case_logged_one_queued() -> None:
    # `Reason: {timeout,{gen_server,call,...}}`: ct_run cuts the call before naming it. The
    # checkout's case logged `checkout queued: 0 of 1 workers idle, 1 waiting` above its block
    # (printed as it ran, not read); the request's case logged nothing. Both were unclassified.
    console = Path(__file__).parent / "fixtures" / "common_test" / "vpool_console.txt"
    parsed = read_logs([str(console)])
    by_name = {f.name: f for f in parsed.failures}
    assert (
        "checkout queued: 0 of 1 workers idle, 1 waiting"
        in (by_name["test case 4 of 10"].details["logged"])
    )
    assert "logged" not in by_name["test case 3 of 10"].details
    # what the first case logged as its worker died is its own (the run's start above it)
    dead = by_name["worker_dies_in_init"].details["logged"]
    assert dead.startswith("Traceback (most recent call last):")
    assert "Starting test" not in dead
    outcomes = {f.failure.name: f.outcome for f in triage(parsed, load_patterns()).findings}
    checkout = outcomes["test case 4 of 10"]
    assert isinstance(checkout, Diagnosis), checkout
    assert checkout.pattern_id == "checkout-timeout-waiters"
    assert "checkout queued: 0 of 1 workers idle, 1 waiting" in [e.text for e in checkout.evidence]
    # the request's call is not named anywhere: not told a checkout
    assert not isinstance(outcomes["test case 3 of 10"], Diagnosis)
    # the pool stopped under a waiting caller stays pattern 2, its queued checkout logged too
    assert outcomes["test case 5 of 10"].pattern_id == "pool-shutdown-during-checkout"  # type: ignore[union-attr]


def test_a_reason_ct_run_cut_is_read_whole_from_the_suite_log_after_it() -> None:
    # A CI step printing the run's suite.log after ct_run's console (a real capture:
    # capture_ct_vpool_suite_log.sh): the console cut the request's reason before naming the call
    # (`{timeout,{gen_server,call,...}}`, its case logging nothing: unclassified), the suite.log's
    # `=result` prints it whole over several lines, its stack after it. The case's reason is now
    # the suite.log's: a request to a worker past its 300 ms, as EUnit's same test reads.
    log = Path(__file__).parent / "fixtures" / "common_test" / "vpool_console_suite_log.txt"
    parsed = read_logs([str(log)])
    by_name = {f.name: f for f in parsed.failures}
    request = by_name["slow_worker_answers_ping"]
    assert re.fullmatch(
        r"\{timeout,\{gen_server,call,\[<0\.\d+\.0>,\{request,ping\},300\]\}\}", request.message
    )
    assert request.details["console_reason"] == "{timeout,{gen_server,call,...}}"
    assert (request.kind, request.line_start) == ("timeout", 101)  # (the console's block)
    checkout = by_name["checkout_waits_for_a_busy_worker"]
    assert re.fullmatch(
        r"\{timeout,\{gen_server,call,\[<0\.\d+\.0>,checkout,200\]\}\}", checkout.message
    )
    # an error's `{Reason, Stack}`: the reason alone, a map's value after its `=>` kept apart
    assert by_name["creates_a_program"].message.startswith(
        '{badmatch,#{<<"error">> => <<"Program ID is required">>,'
    )
    assert by_name["worker_dies_in_init"].message == (
        "{badmatch,{error,{worker_init_failed,#{exit_status => 1,os_pid => 9956}}}}"
    )
    # a reason the console printed whole is the console's
    assert "console_reason" not in by_name["adapter"].details
    outcomes = {f.failure.name: f.outcome for f in triage(parsed, load_patterns()).findings}
    assert outcomes["slow_worker_answers_ping"].pattern_id == "port-no-response"  # type: ignore[union-attr]
    assert outcomes["checkout_waits_for_a_busy_worker"].pattern_id == "checkout-timeout-waiters"  # type: ignore[union-attr]
