"""Every failure a scenario's trace records is explained by one finding exactly: each finding
counts, in its details, the events it accounts for (`explains.checkout_timeout`: `3`), and over
a run's findings these sum to the events of each kind in events.jsonl, no event lost, none told
twice. Real runs of the bundled scenarios and of runs where several patterns meet."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

WORKERS = Path(__file__).parent / "workers"

# the failures of a trace, by event type: which events of each type are one
FAILURES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "checkout_timeout": lambda d: True,
    "no_response": lambda d: True,
    "init_end": lambda d: not d.get("ok"),
    "spawn_failed": lambda d: True,
    "init_raised": lambda d: True,
    # a call that timed out in checkout is its `checkout_timeout`, counted there
    "call_failed": lambda d: d.get("error_type") != "CheckoutTimedOut",
    "expectation_failed": lambda d: True,
    "service_missing": lambda d: True,
    "step_error": lambda d: True,
    "duplicate_answer": lambda d: True,
}


def failures_in_trace(events: Path) -> Counter[str]:
    counted: Counter[str] = Counter()
    for line in events.read_text().splitlines():
        event = json.loads(line)
        kind = event["type"]
        if kind in FAILURES and FAILURES[kind](event):
            counted[kind] += 1
    return counted


def explained(report: dict[str, Any]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for finding in report["findings"]:
        for key, value in finding["failure"]["details"].items():
            if key.startswith("explains."):
                counted[key.removeprefix("explains.")] += int(value)
    return counted


def run(run_cli: RunCli, tmp_path: Path, scenario: str) -> dict[str, Any]:
    """Run `scenario` (a bundled name or a file); its report, each failure of its trace checked
    to be explained once."""
    run_dir = tmp_path / "run"
    _, out, _ = run_cli("run-scenario", scenario, "--json", "--run-dir", str(run_dir))
    report: dict[str, Any] = json.loads(out)
    in_trace = failures_in_trace(run_dir / "events.jsonl")
    assert explained(report) == in_trace, [f["failure"]["message"] for f in report["findings"]]
    return report


@pytest.mark.parametrize(
    "name",
    [
        "healthy",
        "p1-crash-at-start",
        "p1-worker-killed",
        "p2-shutdown-during-checkout",
        "p3-checkout-timeout",
        "p4-fixture-key-mismatch",
        "p5-required-field",
        "p7-dependency-not-started",
    ],
)
def test_each_failure_of_a_bundled_scenario_is_explained_once(
    run_cli: RunCli, tmp_path: Path, name: str
) -> None:
    report = run(run_cli, tmp_path, name)
    assert report["extra"]["passed"] is True


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace("{python}", sys.executable).replace("{workers}", str(WORKERS)))
    return str(path)


# w1 serves; w2 crashes at its start; every later worker takes 1 s to start, answers its init
# ping and exits 0 while idle: a second caller waits for w2's stand-in past its checkout timeout,
# and w3 quits after it timed out
CRASH_THEN_QUITTERS = """\
name: crash-then-quitters
worker:
  command: ["/bin/sh", "-c", "case $POOLCTL_WORKER_ID in
    w1) exec {python} -m poolctl.workers.reference;;
    w2) exec {python} -m poolctl.workers.reference --crash-on-start 3;;
    *) sleep 1; exec {python} {workers}/answers_once.py;; esac"]
  init_timeout: 5
pool: {size: 2, max_overflow: 0, lazy: false, checkout_timeout: 0.5, request_timeout: 5}
steps:
  - request: {command: sleep, args: {seconds: 1.0}, count: 2, concurrency: 2}
  - sleep: 1.0
"""


def test_a_checkout_that_waited_for_a_crashed_starts_stand_in_is_its_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The checkout timed out waiting for the stand-in of w2, whose start crashed; a worker then
    quit after its init, later. The rule of workers that quit before any request took the
    timeout in, then made no finding, as the quit came after it: the timeout was in no finding
    (report.json said 1 failure, the crash). It is the crash's consequence, and told there."""
    report = run(run_cli, tmp_path, write(tmp_path, CRASH_THEN_QUITTERS))
    (finding,) = report["findings"]
    assert finding["outcome"]["pattern_id"] == "port-no-response"
    assert finding["outcome"]["facts"]["failed_inits"] == 1
    assert finding["outcome"]["facts"]["checkout_timeouts_caused"] == 1
    assert "1 checkout(s) timed out waiting for them" in finding["failure"]["message"]


EXITS_THEN_TIMEOUTS = """\
name: exits-then-timeouts
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 2, max_overflow: 0, checkout_timeout: 10, request_timeout: 0.3}
steps:
  - request: {command: exit, args: {code: 3}, count: 2, concurrency: 2}
  - request: {command: sleep, args: {seconds: 30}, count: 2, concurrency: 2}
"""


def test_requests_that_timed_out_on_other_workers_than_the_dead_are_their_own_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Two workers exit (code 3) on their first request; their stand-ins take 30 s over requests
    that time out after 0.3 s (1 s was answered before the stop on a loaded machine: 'answered
    too late', rightly). The four were one finding, "4 request(s) got no answer in time
    (exited)", whose cause and fix were the exit's alone: "find why the worker exits with code
    3"; the timeouts on the stand-ins are a finding of their own."""
    report = run(run_cli, tmp_path, write(tmp_path, EXITS_THEN_TIMEOUTS))
    exited, timed_out = report["findings"]
    assert exited["failure"]["kind"] == "request-exited"
    assert exited["failure"]["details"]["explains.no_response"] == "2"
    assert "exited with code 3" in exited["outcome"]["cause"]
    assert timed_out["failure"]["kind"] == "request-timeout"
    assert timed_out["failure"]["details"]["explains.no_response"] == "2"
    assert "no answer: no response within 0.3 s" in timed_out["outcome"]["cause"]
    assert "exit" not in timed_out["outcome"]["remediation"]


# each worker takes 0.4 s to start, answers its init and one request, and dies on the next
DIES_SLOW_TO_START = """\
name: dies-slow-to-start
worker:
  command: ["/bin/sh", "-c", "sleep 0.4; exec {python} {workers}/dies_on_second_request.py raise"]
  init_timeout: 5
pool: {size: 2, max_overflow: 0, checkout_timeout: 0.3, request_timeout: 5}
steps:
  - request: {command: ping, count: 6, concurrency: 3}
"""


def test_checkouts_that_waited_with_every_worker_a_stand_in_starting_are_the_deaths(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Three callers on two workers that die on their second request (KeyError), each stand-in
    0.4 s to start: the checkouts time out (0.3 s) with no worker serving anyone, every one a
    stand-in starting. They were pattern 3's, "3 callers at once against 2 worker(s)" and its
    fix, raise the pool size (more workers that die the same), as more callers than workers
    kept them from the deaths' finding; they are the deaths', whose fix is the KeyError's."""
    report = run(run_cli, tmp_path, write(tmp_path, DIES_SLOW_TO_START))
    patterns = [f["outcome"].get("pattern_id") for f in report["findings"]]
    assert "checkout-timeout-waiters" not in patterns
    (deaths,) = report["findings"]
    assert deaths["failure"]["kind"] == "request-exited"
    assert int(deaths["failure"]["details"]["explains.checkout_timeout"]) >= 1
    assert deaths["outcome"]["remediation"].startswith("Fix the error it reports (`KeyError")


KILL_BESIDE_TIMEOUT = """\
name: kill-beside-timeout
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 2, max_overflow: 0, checkout_timeout: 10, request_timeout: 1}
steps:
  - kill_worker: {which: w1, signal: SIGKILL, after: 0.4}
  - request: {command: sleep, args: {seconds: 2}, count: 2, concurrency: 2}
"""


def test_the_timeouts_beside_a_kill_do_not_quote_it(run_cli: RunCli, tmp_path: Path) -> None:
    """w1 is killed mid-request; w2's request times out. The timeout's finding quoted the kill
    of w1, which has nothing to do with it; the kill's finding quotes it."""
    report = run(run_cli, tmp_path, write(tmp_path, KILL_BESIDE_TIMEOUT))
    killed, timed_out = report["findings"]
    assert "(the scenario's kill_worker step)" in killed["outcome"]["cause"]
    assert any(e["text"].startswith("kill:") for e in killed["outcome"]["evidence"])
    assert timed_out["failure"]["kind"] == "request-timeout"
    assert not [e for e in timed_out["outcome"]["evidence"] if e["text"].startswith("kill:")]


# w1 crashes at its start; every later worker takes 0.4 s to start and dies on its second
# request (KeyError)
CRASH_THEN_DEATHS = """\
name: crash-then-deaths
worker:
  command: ["/bin/sh", "-c", "if [ $POOLCTL_WORKER_ID = w1 ]; then
    exec {python} -m poolctl.workers.reference --crash-on-start 3; fi;
    sleep 0.4; exec {python} {workers}/dies_on_second_request.py raise"]
  init_timeout: 5
pool: {size: 2, max_overflow: 0, checkout_timeout: 0.3, request_timeout: 5}
steps:
  - request: {command: ping, count: 6, concurrency: 2}
"""


def test_checkouts_that_waited_for_the_stand_ins_of_deaths_in_service_are_theirs(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A start crashed first; then workers died in service, and the checkouts timed out waiting
    for their stand-ins. Every timeout names the crashed start (the pool names the last failed
    init ever after), and the crash's finding took them all ('4 checkout(s) timed out waiting
    for them'); they are the deaths', whose fix (the KeyError) ends them."""
    report = run(run_cli, tmp_path, write(tmp_path, CRASH_THEN_DEATHS))
    crash, deaths = report["findings"]
    assert crash["failure"]["kind"] == "init-no-response"
    assert "explains.checkout_timeout" not in crash["failure"]["details"]
    assert deaths["failure"]["kind"] == "request-exited"
    assert int(deaths["failure"]["details"]["explains.checkout_timeout"]) >= 1


DRAIN_WITH_GRACE = """\
name: drain-with-grace
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 2, max_overflow: 0, checkout_timeout: 5}
steps:
  - stop_pool: {after: 0.3, mode: drain, grace: 3}
  - request: {command: sleep, args: {seconds: 0.6}, count: 6, concurrency: 6}
"""


def test_a_drain_says_the_calls_in_flight_it_let_finish(run_cli: RunCli, tmp_path: Path) -> None:
    """A drain with calls in flight and callers waiting, its grace long enough: the two in
    flight were answered, the four waiting failed. The cause said '0 caller(s) were in flight
    and 4 waiting', though two were, and were answered."""
    report = run(run_cli, tmp_path, write(tmp_path, DRAIN_WITH_GRACE))
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "pool-shutdown-during-checkout"
    assert finding["failure"]["details"]["explains.call_failed"] == "4"
    assert "while 2 caller(s) were in flight and 4 waiting" in diagnosis["cause"]
    assert "2 in flight finished within the grace, answered" in diagnosis["cause"]
    assert diagnosis["facts"]["finished_in_grace"] == 2


SELF_REMOVING = """\
#!/bin/sh
echo "worker: removing myself" >&2
rm -f "$0"
exit 1
"""


def test_calls_failed_by_a_pool_that_gave_up_are_told_once(run_cli: RunCli, tmp_path: Path) -> None:
    """The worker's first start removes its script and exits 1; each later start cannot run it;
    the pool gives up after five failed starts, failing the six calls. Both the crashed start's
    finding and the unstartable workers' said 'failing 6 call(s) at once' (12 failures told
    for 6): the calls are the finding's of the last failed start, the one the pool gave up on."""
    worker = tmp_path / "worker.sh"
    worker.write_text(SELF_REMOVING)
    worker.chmod(0o755)
    scenario = f"""\
name: crash-then-unstartable
worker: {{command: ["{worker}"], init_timeout: 2}}
pool: {{size: 1, max_overflow: 0, checkout_timeout: 2}}
steps:
  - request: {{command: ping, count: 6, concurrency: 2}}
"""
    report = run(run_cli, tmp_path, write(tmp_path, scenario))
    unstartable, crashed = report["findings"]
    assert unstartable["failure"]["kind"] == "spawn-failed"
    assert unstartable["failure"]["details"]["explains.call_failed"] == "6"
    assert "failing 6 call(s) at once" in unstartable["failure"]["message"]
    # (it said "no worker process could be started", though the first one was)
    why = "4 worker process(es) could not be started, and none of the 1 that could became ready"
    assert unstartable["outcome"]["why"] == why
    assert crashed["failure"]["kind"] == "init-no-response"
    assert "explains.call_failed" not in crashed["failure"]["details"]
    assert "gave up" not in crashed["failure"]["message"]


# w1 answers its init and one request and exits 0; its stand-in sleeps 0.5 s before reading,
# past the 0.3 s init timeout: once its diagnosis is done and it is retired, the pool has no
# worker at all while the third call still waits
STAND_IN_NEVER_READY = """\
name: stand-in-never-ready
worker:
  command: ["{python}", "{workers}/quits_and_stands_in_slowly.py"]
  init_timeout: 0.3
pool: {size: 1, max_overflow: 0, lazy: true, checkout_timeout: 1.2}
steps:
  - request: {command: ping, count: 3}
"""


def test_a_checkout_that_timed_out_in_a_pool_left_empty_by_a_failed_init_is_not_pattern_3(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The checkout timed out with total=0, starting=0 and the stand-in's failed init named
    (last_init_failure): it was pattern 3, "1 callers at once against 1 worker(s)", in a pool
    with a worker per caller and none left. It is the failed init's consequence."""
    report = run(run_cli, tmp_path, write(tmp_path, STAND_IN_NEVER_READY))
    patterns = [f["outcome"]["pattern_id"] for f in report["findings"]]
    # (the init's finding takes it; on a machine so loaded that the stand-in is still under
    # its diagnosis as the checkout times out, the death's does, as waiting for a stand-in;
    # w1 may be seen to exit before the next request is written to it: no death's finding)
    assert set(patterns) == {"port-no-response"}, report["findings"]
