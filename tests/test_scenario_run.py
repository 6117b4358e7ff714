"""Scenarios run against real workers: every bundled scenario reproduces what it expects, with
the facts each pattern needs; debug logs are collected; interruptions leave nothing behind."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from poolctl.children import Children
from poolctl.model import Diagnosis, Report
from poolctl.rundir import BASE_ENV, create_run_dir
from poolctl.scenario import bundled_scenarios, load_scenario
from poolctl.scenario.report import ScenarioResult, run_scenario
from tests.conftest import Processes, RunCli, marked_processes

BUNDLED = {p.stem: p for p in bundled_scenarios()}


RunScenario = Callable[[Path], ScenarioResult]


@pytest.fixture
def run(tmp_path: Path, processes: Processes) -> RunScenario:
    """Run the scenario at `path` against its real pool, in a run folder under tmp_path."""

    def run_file(path: Path) -> ScenarioResult:
        scenario = load_scenario(path)
        return run_scenario(scenario, create_run_dir(scenario.name, base=tmp_path))

    return run_file


def only_diagnosis(report: Report) -> Diagnosis:
    diagnoses = [f.outcome for f in report.findings if isinstance(f.outcome, Diagnosis)]
    assert len(diagnoses) == 1, report.findings
    return diagnoses[0]


def test_healthy_scenario_has_no_finding(run: RunScenario) -> None:
    result = run(BUNDLED["healthy"])
    assert result.passed and not result.report.findings
    events_file = Path(result.report.run_dir or "", "events.jsonl")
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    responses = [e for e in events if e["type"] == "response"]
    assert len(responses) == 204 and all(e["success"] for e in responses)
    # sessions come back to the worker that served them
    served: dict[str, set[str]] = {}
    for e in events:
        if e["type"] == "checkout_granted" and e.get("session"):
            served.setdefault(e["session"], set()).add(e["worker"])
    assert served and all(len(workers) == 1 for workers in served.values())


def test_shutdown_during_checkout_counts_waiters_and_callers_in_flight(run: RunScenario) -> None:
    result = run(BUNDLED["p2-shutdown-during-checkout"])
    assert result.passed, result.report.notes
    d = only_diagnosis(result.report)
    assert d.pattern_id == "pool-shutdown-during-checkout"
    assert d.facts["in_flight"] == 2 and d.facts["waiting"] == 4 and d.facts["mode"] == "abort"
    assert "2 caller(s) were in flight and 4 waiting" in d.cause


def test_calls_after_the_pool_stopped_are_said_so(run: RunScenario, tmp_path: Path) -> None:
    """The pool stopped with nobody waiting; two calls came after: they were "2 waiting" at a
    shutdown they never saw, the fix to drain waiting callers."""
    path = tmp_path / "stop-then-call.yaml"
    path.write_text(
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 2}\n"
        "steps:\n  - request: {command: ping}\n  - stop_pool: {}\n"
        "  - request: {command: ping, count: 2}\n"
    )
    d = only_diagnosis(run(path).report)
    assert d.pattern_id == "pool-shutdown-during-checkout"
    assert d.cause.startswith("2 call(s) came after the pool had stopped")
    assert d.facts["waiting"] == 0 and d.facts["calls_after_stop"] == 2
    assert d.remediation.startswith("Do not call a pool after it stopped")


def test_a_lazy_pool_with_enough_workers_is_told_to_start_them_sooner(
    run: RunScenario, tmp_path: Path
) -> None:
    """Two callers, two lazy workers whose init outlasts the checkout timeout: the fix is their
    start (it led with "raise the pool size", which gives more workers to wait the same init)."""
    path = tmp_path / "lazy.yaml"
    path.write_text(
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference", "--init-delay", "1"]}\n'
        "pool: {size: 2, lazy: true, checkout_timeout: 0.5}\n"
        "steps:\n  - request: {command: ping, count: 2, concurrency: 2}\n"
    )
    d = only_diagnosis(run(path).report)
    assert d.pattern_id == "checkout-timeout-waiters"
    assert d.remediation.startswith("Start the workers with the pool (lazy: false)")


def test_checkout_timeout_against_capacity_and_init_time(run: RunScenario) -> None:
    result = run(BUNDLED["p3-checkout-timeout"])
    assert result.passed, result.report.notes
    d = only_diagnosis(result.report)
    assert d.facts["concurrent_callers"] == 6 and d.facts["capacity"] == 2
    assert d.facts["timeouts"] == 6 and d.facts["lazy"] is True
    assert "6 callers at once against 2 worker(s)" in d.cause
    assert any("checkout_timeout" in e.text and "starting=2" in e.text for e in d.evidence)


def test_each_timed_out_checkout_counts_its_own_wait_in_the_oldest(run: RunScenario) -> None:
    """A checkout that times out counts itself among the callers waiting, and so its own wait
    in the oldest: the last one out said "waiting=1, oldest wait 0.000 s"."""
    result = run(BUNDLED["p3-checkout-timeout"])
    events_file = Path(result.report.run_dir or "", "events.jsonl")
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    timeouts = [e for e in events if e["type"] == "checkout_timeout"]
    assert timeouts and all(round(e["oldest_wait"], 6) >= e["waited"] >= 0.5 for e in timeouts)


def test_missing_response_field_names_the_nearest(run: RunScenario) -> None:
    result = run(BUNDLED["p4-fixture-key-mismatch"])
    assert result.passed
    d = only_diagnosis(result.report)
    assert d.facts["expected_key"] == "pool_pid" and d.facts["nearest_key"] == "pid"
    assert "pid" in d.facts["given_keys"]


def test_rejected_request_names_the_missing_field(run: RunScenario) -> None:
    result = run(BUNDLED["p5-required-field"])
    assert result.passed
    d = only_diagnosis(result.report)
    assert d.facts["missing_field"] == "Program ID" and d.facts["field_key"] == "program_id"
    assert d.facts["args_given"] == ["name", "signature"]
    assert "do not include program_id" in d.cause


def test_adapter_mismatch_names_both(run: RunScenario) -> None:
    result = run(BUNDLED["p6-adapter-mismatch"])
    assert result.passed
    d = only_diagnosis(result.report)
    assert d.facts["expected_adapter"] == "PythonPort" and d.facts["actual_adapter"] == "PythonPool"


def test_a_worker_reporting_no_mode_is_no_adapter_mismatch(
    run: RunScenario, tmp_path: Path
) -> None:
    """`expect_mode` is compared with the init ping's `result.mode`: a worker whose answer has
    none was "configured for a different adapter", one named 'None'."""
    worker = tmp_path / "no_mode.py"
    worker.write_text(
        "import json, struct, sys\n"
        "while header := sys.stdin.buffer.read(4):\n"
        "    request = json.loads(sys.stdin.buffer.read(struct.unpack('>I', header)[0]))\n"
        "    body = json.dumps({'id': request['id'], 'success': True, 'result': {}}).encode()\n"
        "    sys.stdout.buffer.write(struct.pack('>I', len(body)) + body)\n"
        "    sys.stdout.buffer.flush()\n"
    )
    path = tmp_path / "mode.yaml"
    path.write_text(
        f'worker: {{command: ["{{python}}", "{worker}"], expect_mode: PythonPool}}\n'
        "pool: {size: 1}\nsteps:\n  - request: {command: ping}\n"
    )
    [finding] = run(path).report.findings
    assert not isinstance(finding.outcome, Diagnosis)
    assert "(result.mode), and that answer has none (its keys: none)" in finding.failure.message


def test_required_service_not_started(run: RunScenario) -> None:
    result = run(BUNDLED["p7-dependency-not-started"])
    assert result.passed
    d = only_diagnosis(result.report)
    assert d.facts["service"] == "bridge_mock" and d.facts["state"] == "never started"


def test_workers_that_cannot_start_are_said_so_not_too_few(
    tmp_path: Path, processes: Processes
) -> None:
    """No worker process could be started (its working directory was removed after the
    scenario was checked): the call failed when the pool gave up follows from it (it was
    pattern 3, "raise the pool size"; then a checkout that waited its timeout out)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    path = tmp_path / "no-cwd.yaml"
    path.write_text(
        "name: no-cwd\n"
        f'worker: {{command: ["{{python}}", "-m", "poolctl.workers.reference"], cwd: "{gone}"}}\n'
        "pool: {size: 1, checkout_timeout: 60}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
    )
    scenario = load_scenario(path)
    gone.rmdir()
    report = run_scenario(scenario, create_run_dir(scenario.name, base=tmp_path)).report
    [finding] = report.findings
    assert not isinstance(finding.outcome, Diagnosis)
    assert finding.failure.name == "no-cwd: workers could not start"
    assert f"could not be started: working directory not found: {gone}" in (finding.failure.message)
    said = "the pool gave up after 5 failed starts in a row, failing 1 call(s) at once"
    assert said in finding.failure.message


def test_a_pool_whose_every_worker_crashes_at_start_gives_up_at_once(
    run: RunScenario, tmp_path: Path
) -> None:
    """Every worker raises in its start-up: pattern 1 with the crash, and the pool's giving up
    (after five) folded in, each call failed at once (each waited its checkout timeout out: 200
    requests took 251 s)."""
    path = tmp_path / "crashing.yaml"
    path.write_text(
        "name: crashing\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference", '
        '"--crash-on-start", "3"], init_timeout: 30}\n'
        "pool: {size: 2, checkout_timeout: 60}\n"
        "steps:\n  - request: {command: ping, count: 20, concurrency: 4}\n"
    )
    report = run(path).report
    diagnosis = only_diagnosis(report)
    assert diagnosis.pattern_id == "port-no-response"
    assert "exited with code 3" in diagnosis.cause
    [finding] = report.findings
    message = finding.failure.message
    # (a start under way when it gave up may crash too: 6 of 6)
    assert re.match(r"([56]) of \1 workers exited before answering their init ping", message)
    assert "the pool gave up after 5 failed starts in a row, failing 20 call(s) at once" in message
    assert "checkout(s) timed out" not in message


def test_workers_gone_before_their_init_ping_was_written_exited_before_answering(
    run: RunScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded machine may return from a spawn after the worker has already crashed: its init
    ping cannot be written. Those workers too exited before answering (it said "5 of 5 init
    pings got no answer within 30 s", where no timeout had passed)."""
    spawn = Children.spawn

    def returns_after_the_crash(self: Children, *args: Any, **kwargs: Any) -> Any:
        proc = spawn(self, *args, **kwargs)
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
        return proc

    monkeypatch.setattr(Children, "spawn", returns_after_the_crash)
    path = tmp_path / "crashing.yaml"
    path.write_text(
        "name: crashing\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference", '
        '"--crash-on-start", "3"], init_timeout: 30}\n'
        "pool: {size: 2, checkout_timeout: 60}\n"
        "steps:\n  - request: {command: ping, count: 4, concurrency: 2}\n"
    )
    report = run(path).report
    events = Path(report.run_dir or "", "events.jsonl").read_text().splitlines()
    inits = [json.loads(e) for e in events if '"type":"init_end"' in e]
    assert "write-failed" in {e["reason"] for e in inits}  # (others see the exit first)
    [finding] = report.findings
    message = finding.failure.message
    assert re.match(r"([56]) of \1 workers exited before answering their init ping", message)
    assert "exited with code 3" in only_diagnosis(report).cause


def test_workers_past_the_open_files_limit_are_spawn_failures(
    processes: Processes, tmp_path: Path
) -> None:
    """Under `ulimit -n 64` the 14th worker cannot get its pipes (EMFILE): a worker that could
    not start, said with the limit, the pool short (it was an internal error, exit 3)."""
    path = tmp_path / "many.yaml"
    path.write_text(
        "name: many\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 14, checkout_timeout: 2}\n"
        "steps:\n  - request: {command: ping}\n"
    )
    poolctl = f"{sys.executable} -m poolctl run-scenario --no-history --format json {path}"
    done = processes.run(["sh", "-c", f"ulimit -n 64 && exec {poolctl}"], 120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    [finding] = report["findings"]
    assert finding["failure"]["name"] == "many: workers could not start"
    assert (
        "too many open files to start another worker (the limit is 64"
        in (finding["failure"]["message"])
    )


def test_a_service_that_started_and_died_is_said_so_with_its_stderr(
    run: RunScenario, tmp_path: Path
) -> None:
    """It was "not started", the fix to start it in the test's setup: it was started, and its
    stderr says why it stopped."""
    path = tmp_path / "svc.yaml"
    path.write_text(
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "services:\n"
        '  bridge: {command: ["sh", "-c", "echo port 5555 already in use >&2; exit 1"]}\n'
        "pool: {size: 1}\n"
        "steps:\n  - start_service: bridge\n  - sleep: 0.5\n  - require_service: bridge\n"
    )
    d = only_diagnosis(run(path).report)
    assert "which was started (pid " in d.cause and "is not running any more" in d.cause
    assert [e.text for e in d.evidence][-1] == "port 5555 already in use"
    assert d.remediation.startswith("Find why bridge stopped after it started")


def test_killed_worker_is_reported_and_replaced(run: RunScenario) -> None:
    result = run(BUNDLED["p1-worker-killed"])
    assert result.passed, result.report.notes
    d = only_diagnosis(result.report)
    assert "killed by SIGKILL" in d.cause and d.facts["replaced"] is True


def test_a_worker_that_dies_while_idle_is_noted_though_no_request_failed(
    run: RunScenario, tmp_path: Path
) -> None:
    """A server that crashes between requests fails no caller, so no finding says it: the
    report said nothing at all (a scenario expecting a crash reproduced "no pattern")."""
    path = tmp_path / "idle-death.yaml"
    path.write_text(
        "name: idle-death\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 1}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
        "  - kill_worker: {which: w1, signal: SIGKILL}\n"
        "  - sleep: 0.2\n"
        "  - request: {command: ping}\n"
    )
    result = run(path)
    assert result.passed and not result.report.findings
    [note] = [n for n in result.report.notes if "while idle" in n]
    assert re.fullmatch(
        r"worker w1 killed by SIGKILL \(9\) while idle at \d+\.\d{3} s, after 2 answer\(s\); "
        r"no request failed with it; the pool replaced it with w2",
        note,
    ), note


def test_a_kill_of_a_worker_not_in_the_pool_names_its_step_and_the_live_ones(
    run: RunScenario, tmp_path: Path
) -> None:
    """A `kill_worker` naming no live worker is an error of its step, as every other step's:
    the finding names the step by its number (it said `step None`) and the workers there are."""
    path = tmp_path / "kill-w9.yaml"
    path.write_text(
        "name: kill-w9\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 1}\n"
        "steps:\n"
        "  - kill_worker: {which: w9}\n"
    )
    report = run(path).report
    [finding] = report.findings
    assert finding.failure.name == "kill-w9: step 1 (kill_worker)"
    assert finding.failure.message == "no live worker 'w9' (live: w1)"
    assert list(report.notes) == ["step 1 (kill_worker): no live worker 'w9' (live: w1)"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,quoted",
    [
        ("p1-merged-stderr", "Warn"),
        ("p1-stdout-noise", "Load"),
        ("p1-crash-at-start", "exited with code 3"),
        ("p1-slow-import", "slow_module"),
        ("p1-buffered-stdout", "buffer"),
    ],
)
def test_pattern_1_scenarios_carry_the_engine_verdict(
    run: RunScenario, name: str, quoted: str
) -> None:
    started = time.monotonic()
    result = run(BUNDLED[name])
    assert result.passed, (result.report.notes, result.found)
    d = only_diagnosis(result.report)
    assert d.pattern_id == "port-no-response"
    assert d.hypotheses, "the no-response engine's hypotheses are carried over"
    text = d.cause + " ".join(e.text + e.note for e in d.evidence)
    assert quoted in text, text
    # The checkout that waited for the broken worker is folded into pattern 1, not pattern 3
    # (timed out, or failed at once when the pool gave up on a worker that crashes each start).
    caused = d.facts["checkout_timeouts_caused"]
    assert caused + d.facts.get("calls_failed_when_the_pool_gave_up", 0) == 1
    assert time.monotonic() - started < 60


def test_a_worker_with_its_own_cwd_finds_its_debug_log_under_a_relative_reports_folder(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default reports folder is relative (`reports/`): the POOLCTL_DEBUG_LOG handed to a
    worker that runs elsewhere (`cwd:`) is a full path (the reference worker died opening it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(BASE_ENV, "reports")
    (tmp_path / "elsewhere").mkdir()
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"], cwd: elsewhere}\n'
        "pool: {size: 1}\n"
        "steps:\n  - request: {command: ping}\n"
    )
    code, out, err = run_cli("run-scenario", str(scenario_file), "--no-history")
    assert code == 0, out + err
    [log] = {p.resolve() for p in (tmp_path / "reports").glob("*/workers/w1.debug.log")}
    assert " w1 in " in log.read_text()  # (and `latest/` links to the same folder)


def test_debug_logs_are_collected_beside_stderr(run: RunScenario, tmp_path: Path) -> None:
    worker = tmp_path / "worker.py"
    worker.write_text(
        "import os, sys, runpy\n"
        "wid = os.environ['POOLCTL_WORKER_ID']\n"
        f"log = os.path.join({str(tmp_path)!r}, f'bridge_{{wid}}.log')\n"
        "open(log, 'w').write(f'{wid} started\\n')\n"
        "sys.argv = ['reference']\n"
        "runpy.run_module('poolctl.workers.reference', run_name='__main__')\n"
    )
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(
        "worker:\n"
        f"  command: ['{{python}}', '{worker}']\n"
        f"  debug_logs: ['{tmp_path}/bridge_{{worker_id}}.log']\n"
        "pool: {size: 2}\n"
        "steps:\n  - request: {command: ping, count: 4, concurrency: 2}\n"
    )
    result = run(scenario_file)
    assert result.passed
    workers = Path(result.report.run_dir or "", "workers")
    for wid in ("w1", "w2"):
        collected = (workers / f"{wid}.debug.log").read_text()
        assert f"{wid} started" in collected  # the worker's own file, copied
        assert f" {wid} in " in collected  # the reference worker's POOLCTL_DEBUG_LOG lines
        assert (workers / f"{wid}.stderr.log").exists()


def test_a_debug_log_is_copied_in_chunks_and_a_device_is_named_not_read(
    tmp_path: Path, processes: Processes
) -> None:
    """`debug_logs` naming /dev/zero: it was read whole until the memory ran out (MemoryError
    under this 2 GB limit, exit 3); a regular log is copied whole, byte for byte."""
    big = tmp_path / "bridge.log"
    # drawn from a fixed seed: os.urandom's bytes held, once in CI, `pwd=` and what followed,
    # which the run folder's redaction rightly replaced (the copy then was no longer the log)
    big.write_bytes(random.Random(3).randbytes(3 << 20))
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(
        'worker:\n  command: ["{python}", "-m", "poolctl.workers.reference"]\n'
        f"  debug_logs: ['/dev/zero', '{big}']\n"
        "pool: {size: 1}\nsteps:\n  - request: {command: ping}\n"
    )
    run_dir = tmp_path / "run"
    argv = f"exec {sys.executable} -m poolctl run-scenario {scenario_file} --no-history"
    env = {**os.environ, BASE_ENV: str(tmp_path / "reports")}
    command = f"ulimit -v 2000000; {argv} --run-dir {run_dir}"
    done = processes.run(["bash", "-c", command], timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    log = (run_dir / "workers" / "w1.debug.log").read_bytes()
    assert b"--- /dev/zero: not copied: not a regular file (a device or a pipe)\n" in log
    assert log.endswith(f"--- {big}\n".encode() + big.read_bytes())


STUBBORN = """\
worker:
  command: ["{python}", "-m", "poolctl.workers.reference", "--ignore-sigterm", "--spin-on-eof"]
pool: {size: 2, stop_grace: 0.5}
steps:
  - request: {command: sleep, args: {seconds: 30}, count: 4, concurrency: 4}
"""


def scenario_in_a_terminal(
    pexpect_spawn: Callable[..., pexpect.spawn[str]], scenario: Path, run_dir: Path, **options: Any
) -> pexpect.spawn[str]:
    """`poolctl run-scenario SCENARIO --run-dir RUN_DIR` on a pseudo-terminal of its own."""
    return pexpect_spawn(
        sys.executable,
        ["-m", "poolctl", "run-scenario", str(scenario), "--run-dir", str(run_dir)],
        encoding="utf-8",
        timeout=30,
        **options,
    )


def stubborn_in_a_terminal(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]]
) -> tuple[pexpect.spawn[str], Path]:
    """`run-scenario` of workers that ignore SIGTERM, on a terminal of its own, once both
    workers have their requests (which take 30 s); and its run folder."""
    scenario = tmp_path / "stubborn.yaml"
    scenario.write_text(STUBBORN)
    run_dir = tmp_path / "run"
    child = scenario_in_a_terminal(
        pexpect_spawn,
        scenario,
        run_dir,
        dimensions=(40, 160),
        env={**os.environ, "TERM": "xterm-256color"},
    )
    child.expect("step 1: request")
    requests_in_flight(run_dir, 2)
    return child, run_dir


def requests_in_flight(run_dir: Path, count: int) -> None:
    """Wait until the trace shows `count` requests sent to the workers (a loaded machine may
    take seconds to start them: a fixed sleep could interrupt the run before any was busy)."""
    deadline = time.monotonic() + 60
    events = run_dir / "events.jsonl"
    while not events.exists() or events.read_text().count('"type":"request"') < count:
        assert time.monotonic() < deadline, "the workers never got their requests"
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_interrupting_the_cli_stops_every_process_and_keeps_the_evidence(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]], how: str
) -> None:
    child, run_dir = stubborn_in_a_terminal(tmp_path, pexpect_spawn)
    try:
        if how == "SIGINT":
            child.sendintr()
        else:
            child.kill(signal.SIGTERM)
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    assert child.exitstatus == {"SIGINT": 130, "SIGTERM": 143}[how], child.before
    report: dict[str, Any] = json.loads((run_dir / "report.json").read_text())
    assert report["extra"]["interrupted"] == how
    assert any(f"interrupted by {how}" in note for note in report["notes"])
    events = (run_dir / "events.jsonl").read_text()
    assert '"type":"interrupted"' in events and '"type":"shutdown_done"' in events
    assert not marked_processes(), "a worker outlived the interrupted run"


def test_workers_the_interruption_stopped_are_no_finding(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]]
) -> None:
    """Ctrl-C stops every worker at once, before the run's loop hears of it: a busy worker
    killed by that SIGTERM is the stop's doing, not a pattern-1 death the fix plan would
    send the user after (it was "port-no-response: worker w1 died while serving")."""
    scenario = tmp_path / "busy.yaml"
    scenario.write_text(
        "worker:\n"
        '  command: ["{python}", "-m", "poolctl.workers.reference"]\n'
        "pool: {size: 2}\n"
        "steps:\n"
        "  - request: {command: sleep, args: {seconds: 30}, count: 2, concurrency: 2}\n"
    )
    run_dir = tmp_path / "run"
    child = scenario_in_a_terminal(pexpect_spawn, scenario, run_dir)
    try:
        child.expect("step 1: request")
        requests_in_flight(run_dir, 2)  # both workers busy when Ctrl-C comes
        child.sendintr()
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, child.before
    report: dict[str, Any] = json.loads((run_dir / "report.json").read_text())
    assert report["findings"] == [], report["findings"]
    # nor a failure of its step: the two requests were counted as its failed calls
    assert [s["call_failures"] for s in report["extra"]["steps"]] == [0]
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    [stopped] = [e for e in events if e["type"] == "interrupted"]
    assert 0 < stopped["at"] <= stopped["t"]  # the signal's time, before the loop heard it
    assert not marked_processes(), "a worker outlived the interrupted run"


def test_a_closed_terminal_keeps_the_whole_scenario_report(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]]
) -> None:
    """The terminal window closed (or ssh dropped) under a scenario's live view: SIGHUP, and
    the terminal gone (EIO on every write). The report is the run's, with its workers, steps
    and picture, as a `kill -HUP` leaves it (it was a stub: the live view's last write raised
    before the report was saved)."""
    child, run_dir = stubborn_in_a_terminal(tmp_path, pexpect_spawn)
    # the terminal goes away (its fd closed first): SIGHUP, and its writes fail; pexpect's
    # wait for the end may be too short on a loaded machine (the run saves and scrubs first)
    with contextlib.suppress(pexpect.ExceptionPexpect):
        child.close(force=False)
    deadline = time.monotonic() + 120  # (it took over 30 s at a load of 46)
    while (run_dir / ".poolctl-unscrubbed").exists() or not (run_dir / "report.json").exists():
        assert time.monotonic() < deadline, f"the run never ended: {sorted(os.listdir(run_dir))}"
        time.sleep(0.1)
    time.sleep(0.5)  # (the report is renamed in place before the folder is scrubbed)
    report: dict[str, Any] = json.loads((run_dir / "report.json").read_text())
    assert report["extra"]["interrupted"] == "SIGHUP"
    assert report["extra"]["scenario"] == "stubborn" and report["extra"]["workers"]
    # the picture is drawn after report.json, within the watchdog's last call: on a loaded
    # machine (20-30) it was cut (poolctl/report/publish.py save); its trace is kept to draw it
    assert (run_dir / "timeline.html").exists() or (run_dir / "events.jsonl").stat().st_size
    assert not marked_processes(), "a worker outlived the closed terminal"


QUOTA_PATTERN = """\
id: quota-exceeded
number: 8
title: The tenant's quota is used up
summary: The worker rejects requests once the tenant's quota is used up.
signals:
  - regex: 'quota exceeded for tenant \\w+'
    weight: 0.9
    why: the worker says the tenant's quota is used up
facts:
  - name: tenant
    regex: 'quota exceeded for tenant (?P<tenant>\\w+)'
remediation: Raise the quota of tenant {tenant}.
"""
QUOTA_SCENARIO = """\
name: quota
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 1}
steps:
  - request: {command: fail, args: {message: "quota exceeded for tenant acme"}, count: 2}
expect:
  patterns: [quota-exceeded]
"""


def test_a_scenario_reproduces_a_user_pattern_given_with_patterns(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "quota.yaml").write_text(QUOTA_PATTERN)
    scenario = tmp_path / "quota.yaml"
    scenario.write_text(QUOTA_SCENARIO)
    argv = ["run-scenario", str(scenario), "--run-dir", str(tmp_path / "run"), "-q"]
    code, out, _ = run_cli(*argv, "--patterns", str(folder))
    assert code == 0
    assert out.startswith("✓ scenario quota passed in ")  # -q: the verdict line alone
    assert out.endswith(": expected quota-exceeded; got quota-exceeded\n")
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    (finding,) = report["findings"]
    assert finding["outcome"]["pattern_id"] == "quota-exceeded"
    assert finding["outcome"]["remediation"] == "Raise the quota of tenant acme."
    # Without the folder the id is unknown: bad input, before anything runs.
    code, _, err = run_cli(*argv)
    assert code == 2
    assert f"{scenario}:8: expect.patterns[0]: unknown pattern id 'quota-exceeded'" in err
    assert "; known: port-no-response, " in err and err.count("\n") == 1


def test_answers_after_the_timeout_are_late_not_missing(run: RunScenario, tmp_path: Path) -> None:
    """A request that takes 1.5 s against a 1 s request_timeout: its answer comes, late (the
    pool is still reading when it does), and the finding says so."""
    scenario_file = tmp_path / "slow.yaml"
    scenario_file.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference']}\n"
        "pool: {size: 1, request_timeout: 1}\n"
        "steps:\n"
        "  - request: {command: sleep, args: {seconds: 1.5}, count: 1}\n"
        "  - sleep: 1.5\n"
    )
    result = run(scenario_file)
    [finding] = result.report.findings
    assert finding.failure.kind == "request-late"
    diagnosis = only_diagnosis(result.report)
    assert diagnosis.cause.startswith(
        "1 of the 1 request(s) that timed out were answered after their 1 s request_timeout"
    )
    assert diagnosis.remediation.startswith("Raise request_timeout above the slowest answers")


def test_an_answer_that_comes_as_the_pool_stops_is_late_too(
    run: RunScenario, tmp_path: Path
) -> None:
    """The step ends on the timeout and the pool stops while the worker still sleeps: its
    answer is read from the pipe by the stop, and is late, not missing (it was left unread in
    the decoder: "gave caller s1c0 no answer", with the fix of a silent worker)."""
    scenario_file = tmp_path / "slow.yaml"
    scenario_file.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference', '--ignore-sigterm']}\n"
        "pool: {size: 1, request_timeout: 0.2, stop_grace: 10}\n"
        "steps:\n"
        "  - request: {command: sleep, args: {seconds: 0.6}, count: 1}\n"
    )
    result = run(scenario_file)
    [finding] = result.report.findings
    assert finding.failure.kind == "request-late"
    diagnosis = only_diagnosis(result.report)
    assert diagnosis.cause.startswith(
        "1 of the 1 request(s) that timed out were answered after their 0.2 s request_timeout"
    )


def test_the_answer_to_an_init_the_stop_cancelled_is_no_stray_frame(
    run: RunScenario, tmp_path: Path
) -> None:
    """The pool stops while a lazy worker sleeps before reading its init, which it answers as
    it stops: read from the pipe by the stop, it was noted as "1 frame(s) arrived that
    answered no request: response for id 1 nobody awaits"."""
    scenario_file = tmp_path / "cancelled.yaml"
    scenario_file.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference', '--init-delay', "
        "'0.3']}\n"
        "pool: {size: 1, lazy: true, checkout_timeout: 0.1}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    result = run(scenario_file)
    assert result.report.run_dir is not None
    transcript = Path(result.report.run_dir) / "workers" / "w1.stdout.bin"
    if b'"id":1,' not in transcript.read_bytes():  # (a full run at load 10 met it so, once)
        pytest.skip("the machine's load kept the worker from answering its init before the stop")
    assert not [note for note in result.report.notes if "answered no request" in note]


def test_a_worker_whose_failed_init_is_diagnosed_is_not_stopped_under_the_diagnosis(
    run: RunScenario, tmp_path: Path
) -> None:
    """A lazy worker that sleeps 1.5 s before reading: its init times out at 0.3 s and its
    diagnosis begins; the pool's stop (0.5 s) SIGTERMed it meanwhile, and the diagnosis said
    "killed by SIGTERM (15) (a signal from outside: a supervisor or a user)"."""
    scenario_file = tmp_path / "stuck.yaml"
    scenario_file.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference', '--init-delay', "
        "'1.5'], init_timeout: 0.3}\n"
        "pool: {size: 1, lazy: true, checkout_timeout: 0.2}\n"
        "steps:\n  - request: {command: ping, count: 1}\n  - sleep: 0.3\n"
    )
    result = run(scenario_file)
    [init] = [f for f in result.report.findings if f.failure.kind == "init-no-response"]
    assert isinstance(init.outcome, Diagnosis)
    assert init.outcome.cause.startswith("The worker is stuck in initialization"), init.outcome
    assert result.report.run_dir is not None
    trace = Path(result.report.run_dir) / "events.jsonl"
    [done] = [e for e in map(json.loads, trace.open()) if e["type"] == "shutdown_done"]
    assert done["stopped"] == ["w1"]


def test_a_worker_the_scenario_stopped_with_sigstop_is_said_stopped_not_silent(
    run: RunScenario, tmp_path: Path
) -> None:
    """kill_worker sends SIGSTOP to the busy worker: its request times out. The finding said
    "worker w1 gave caller s2c0 no answer: no response within 0.5 s", as of a worker that
    says nothing on its own, though the trace holds the step's `kill` before it."""
    scenario_file = tmp_path / "paused.yaml"
    scenario_file.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference']}\n"
        "pool: {size: 1, request_timeout: 0.4}\n"
        "steps:\n"
        "  - kill_worker: {which: any, signal: SIGSTOP, after: 0.1}\n"
        "  - request: {command: sleep, args: {seconds: 1}, count: 1}\n"
    )
    result = run(scenario_file)
    diagnosis = only_diagnosis(result.report)
    assert re.fullmatch(
        r"worker w1 was stopped by the scenario's kill_worker step \(SIGSTOP at t=[0-9.]+ s\) "
        r"and gave caller s2c0 no answer: no response within 0.4 s; a stopped process reads "
        r"and answers nothing until it is continued",
        diagnosis.cause,
    ), diagnosis.cause


def test_answers_sent_twice_fail_the_run_and_are_noted(run: RunScenario, tmp_path: Path) -> None:
    """Every request got its answer from poolctl's pool, which matches them by id; but a pool
    taking the next message as the next caller's reply hands the copies to the wrong callers
    (tests/test_pool_duplicates.py shows an Erlang port doing so): the run fails on them."""
    worker = Path(__file__).parent / "workers" / "answers_twice.py"
    scenario_file = tmp_path / "twice.yaml"
    scenario_file.write_text(
        f"worker: {{command: ['{{python}}', '{worker}'], protocol: jsonrpc, framing: line}}\n"
        "pool: {size: 1}\n"
        "steps:\n  - request: {command: ping, count: 3}\n  - sleep: 0.3\n"
    )
    result = run(scenario_file)
    assert not result.passed
    [finding] = result.report.findings
    assert finding.failure.kind == "duplicate-answer"
    [note] = [n for n in result.report.notes if n.startswith("worker w1:")]
    # the second copy of each answer: its init ping's and the three requests'
    assert note.startswith(
        "worker w1: 4 frame(s) arrived that answered no request: second answer to id "
    )
