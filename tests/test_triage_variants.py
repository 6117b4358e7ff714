"""Triage of one pool suite's real runs in the variations users give their runner
(tests/fixtures/exunit/variants/ and pytest/variants/, made by src/capture_exunit_variants.sh and
src/capture_pytest_variants.sh): what the diagnoses of a worker that died or stayed silent in its
start quote, beyond the pattern ids expected.yaml checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import coverage_of
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()
EXUNIT_RUNS = [
    "seed0",
    "trace",
    "slowest_5",
    "color",
    "partitions",
    "warnings_as_errors",
    "umbrella",
]
EUNIT_LOGS = ["plain.txt", "verbose.txt"]


@cache
def report_for(rel: str) -> Report:
    return triage(read_logs([str(FIXTURES / rel)]), KB)


def finding(rel: str, test: str) -> Finding:
    found = [f for f in report_for(rel).findings if f.failure.name == test]
    assert len(found) == 1, test
    return found[0]


def quoted(f: Finding) -> list[str]:
    o = f.outcome
    assert isinstance(o, Diagnosis) and o.pattern_id == "port-no-response", o
    return [e.text for e in o.evidence]


@pytest.mark.parametrize("run", EXUNIT_RUNS)
def test_a_worker_dying_in_init_is_told_by_its_exit_status_and_traceback(run: str) -> None:
    # `failed to start child … Reason: {:worker_init_failed, %{exit_status: 1, os_pid: N}}`,
    # the worker's ModuleNotFoundError above: it was unclassified (0.45, under 0.5)
    evidence = quoted(
        finding(f"exunit/variants/{run}.log", "test a pool whose worker dies in init starts")
    )
    assert any("exit_status: 1" in text for text in evidence)
    # the traceback is quoted where it is the block's own neighbour (async tests put it above
    # another failure's block in warnings_as_errors.log)
    if run != "warnings_as_errors":
        assert "ModuleNotFoundError: No module named 'dspy_runtime'" in evidence


@pytest.mark.parametrize("run", EXUNIT_RUNS)
def test_a_worker_never_ready_is_told_by_its_start_reason(run: str) -> None:
    # `{:error, {{:init_timeout, %{os_pid: N, waited_ms: 300}}, {:child, …}}}`: no signal fired
    f = finding(f"exunit/variants/{run}.log", "test a worker answers its init ping")
    assert any(":init_timeout" in text for text in quoted(f))


def status_of(f: Finding, cause: str) -> tuple[str, list[str]]:
    o = f.outcome
    assert isinstance(o, Diagnosis)
    [h] = [h for h in o.hypotheses if h.id == cause]
    return h.status, [e.text for e in h.evidence]


@pytest.mark.parametrize(
    ("rel", "test"),
    [(f"exunit/variants/{run}.log", "test a worker answers its init ping") for run in EXUNIT_RUNS]
    + [("exunit/variants/umbrella.log", "test a started pool answers a question")]
    + [
        (f"pytest/variants/{style}.txt", "test_worker_answers_its_init_ping")
        for style in ["default", "tb_short", "tb_native", "xdist"]
    ]
    + [(f"eunit/variants/{log}", "worker_answers_its_init_ping_test") for log in EUNIT_LOGS]
    + [("common_test/vpool_console.txt", "worker_answers_its_init_ping")],
)
def test_a_worker_never_ready_is_said_stuck_in_its_start_by_what_the_log_shows(
    rel: str, test: str
) -> None:
    # the pool's own words (`sent no ready line within 300 ms`) or its start's reason
    # (`:init_timeout`): alive and silent past its start's wait, which the cause was reported
    # untested beside ("no evidence for or against it in the log")
    f = finding(rel, test)
    status, shown = status_of(f, "stuck-in-init")
    assert status == "confirmed", (status, shown)
    assert any("no ready line within" in t or "init_timeout" in t for t in shown), shown
    # what the log does not show stays untested: that it was only slow, or its stdout buffered
    assert status_of(f, "buffered")[0] == "untested"


@pytest.mark.parametrize("run", ["seed0", "umbrella"])
def test_a_worker_dead_before_its_ready_line_is_not_said_stuck_in_its_start(run: str) -> None:
    f = finding(f"exunit/variants/{run}.log", "test a pool whose worker dies in init starts")
    assert status_of(f, "crashed")[0] == "confirmed"
    assert status_of(f, "stuck-in-init")[0] == "ruled-out"


@pytest.mark.parametrize("style", ["default", "tb_short", "tb_native", "xdist"])
def test_a_python_worker_never_ready_or_dead_in_init_is_told_so(style: str) -> None:
    rel = f"pytest/variants/{style}.txt"
    silent = quoted(finding(rel, "test_worker_answers_its_init_ping"))
    assert any("sent no ready line within 0.3 s" in text for text in silent)
    dead = quoted(finding(rel, "test_pool_whose_worker_dies_in_init_starts"))
    assert any("exited with status 1 before its ready line" in text for text in dead)


def test_a_run_pytest_timeout_ended_reads_its_test_and_counts_the_rest() -> None:
    # the thread method dumps the stacks and ends the process: the three F marks before it
    # are counted, not read, and the test it ended is the mute worker's
    report = report_for("pytest/variants/timeout_thread.txt")
    assert [f.failure.name for f in report.findings] == ["test_mute_worker_answers_ping"]
    quoted(report.findings[0])
    coverage = coverage_of(report)
    assert coverage is not None and (coverage.counted, coverage.unread) == (4, 3)


def test_a_tb_line_failure_keeps_its_captured_output_as_evidence() -> None:
    # --tb=line prints a failure's captured sections between its `E` line and its location
    # line: they were skipped, and the worker's traceback with them (0.3, unclassified)
    rel = "pytest/variants/tb_line.txt"
    f = finding(rel, "test_pool_whose_worker_dies_in_init_starts")
    stderr = f.failure.details["captured stderr call"]
    assert stderr.startswith("Traceback (most recent call last):")
    assert stderr.endswith("ModuleNotFoundError: No module named 'dspy_runtime'")
    assert "ModuleNotFoundError: No module named 'dspy_runtime'" in quoted(f)
    # the failure after it is still its own, from its `E` line to its location line
    silent = finding(rel, "test_worker_answers_its_init_ping")
    assert "captured stderr call" not in silent.failure.details
    assert silent.failure.line_start == f.failure.line_end + 1
    created = finding(rel, "test_creates_a_program").failure.details
    assert created["captured stderr call"] == "create_program: KeyError: 'program_id'"


@pytest.mark.parametrize("style", ["tb_short", "tb_native"])
def test_a_short_or_native_traceback_gives_its_failing_line_as_the_source(style: str) -> None:
    # the line under each frame of the test's code is its source, as long's `>` lines are: a
    # connect() to a daemon's socket path that is not there was unclassified (0.2), its path
    # unread; pytest's and pluggy's own frames under --tb=native are not the test's source
    f = finding(f"pytest/variants/{style}.txt", "test_bridge_mock_resets_between_tests")
    assert f.failure.details["source"] == 'sock.connect("/tmp/jlpool-bridge-mock.sock")'
    o = f.outcome
    assert isinstance(o, Diagnosis) and o.pattern_id == "dependency-not-started"
    assert o.facts["address"] == "/tmp/jlpool-bridge-mock.sock"
    dead = finding(f"pytest/variants/{style}.txt", "test_pool_whose_worker_dies_in_init_starts")
    assert dead.failure.details["source"].splitlines() == [
        'pool = jlpool.Pool(size=1, mode="crash-init", ready_timeout=10)',
        "worker = Worker(mode, ready_timeout)",
        "raise WorkerStartError(",
    ]


def test_a_tb_line_failure_is_named_by_the_summary_line_in_its_order() -> None:
    # under -n 2 --tb=line the short summary drops the long node id's message and cuts the busy
    # checkout's to `jlpool.Pool...`, which `jlpool.PoolClosed: …` begins too: the pool closed
    # under its caller was named test_checkout_waits_for_a_busy_worker, and the checkout's
    # time-out the other (each test told the other's pattern)
    rel = "pytest/variants/xdist_tb_line.txt"
    closed = finding(rel, "test_waiting_caller_is_served_while_the_pool_restarts")
    assert closed.failure.message.startswith("jlpool.PoolClosed: pool is shutting down")
    assert isinstance(closed.outcome, Diagnosis)
    assert closed.outcome.pattern_id == "pool-shutdown-during-checkout"
    busy = finding(rel, "test_checkout_waits_for_a_busy_worker")
    assert busy.failure.message.startswith("jlpool.PoolTimeout: timed out waiting for a worker")
    assert isinstance(busy.outcome, Diagnosis)
    assert busy.outcome.pattern_id == "checkout-timeout-waiters"


def test_a_run_pytest_timeout_ended_is_not_said_maybe_cut() -> None:
    # the run's note said "no line says how the run ended: the log may have been cut", while
    # its failure said pytest-timeout ended the run: the dump's banner is that line
    [run] = read_logs([str(FIXTURES / "pytest" / "variants" / "timeout_thread.txt")]).summaries
    assert "at line 8 the log says what ended it: pytest-timeout" in run.text
    assert "may have been cut" not in run.text


def test_a_process_pools_initializer_that_raised_is_a_worker_dead_in_its_start() -> None:
    # a spawned child's `Exception in initializer:` traceback, pytest's captured stderr: it was
    # read as pattern 2 from `BrokenProcessPool` alone, as a worker the OOM killer ended
    rel = "pytest/variants/initializer.txt"
    spawned = finding(rel, "test_spawned_pool_with_an_initializer")
    evidence = quoted(spawned)
    assert "Exception in initializer:" in evidence
    assert "ModuleNotFoundError: No module named 'dspy_runtime'" in evidence
    assert status_of(spawned, "crashed") == ("confirmed", ["Exception in initializer:"])
    assert status_of(spawned, "stuck-in-init")[0] == "ruled-out"
    # the forked child's traceback went to its copy of pytest's log handler: the log shows only
    # a worker that ended abruptly, pattern 2 as before
    forked = finding(rel, "test_forked_pool_with_an_initializer").outcome
    assert isinstance(forked, Diagnosis)
    assert forked.pattern_id == "pool-shutdown-during-checkout"
