"""Workers still silent in a request when the pool stops them, that linger past their stdin's
close: the pool's SIGTERM, or its SIGKILL after the grace, ends them. The finding said only
"no answer: no response within 1 s"; it now tells the stop, the time waited and the signal,
from the `shutdown_done` event."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli

SCENARIO = """\
name: lingering
description: requests that time out on workers still in them when the pool stops
worker:
  command: ["{{python}}", "-m", "poolctl.workers.reference"{extra}]
pool: {{size: 1, checkout_timeout: 5, request_timeout: 1, stop_grace: 1}}
steps:
  - request: {{command: sleep, args: {{seconds: 30}}, count: 1}}
"""


@pytest.mark.parametrize(
    ("extra", "said", "stopped_by"),
    [
        (
            "",
            "it did not exit within 0.5 s of its stdin's close, and the pool's SIGTERM ended it",
            "SIGTERM",
        ),
        (
            ', "--ignore-sigterm"',
            "it did not exit within 0.5 s of its stdin's close, ignored SIGTERM, and the pool's "
            "SIGKILL ended it 1 s later",
            "SIGKILL after 1 s (SIGTERM ignored)",
        ),
    ],
)
def test_a_silent_worker_the_pool_stopped_is_told_how_it_ended(
    run_cli: RunCli, tmp_path: Path, extra: str, said: str, stopped_by: str
) -> None:
    path = tmp_path / "lingering.yaml"
    path.write_text(SCENARIO.format(extra=extra))
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    cause = diagnosis["cause"]
    assert cause.startswith("worker w1 gave caller s1c0 no answer: no response within 1 s; "), cause
    assert "it was still running when the pool stopped it (drain at t=" in cause, cause
    assert cause.endswith(said), cause
    done = [e["text"] for e in diagnosis["evidence"] if e["text"].startswith("shutdown_done:")]
    assert done and f"stopped_by={{'w1': '{stopped_by}'}}" in done[0], done


DRAINED = """\
name: drained
description: a drain whose grace runs out on workers still in their requests
worker:
  command: ["{python}", "-m", "poolctl.workers.reference", "--ignore-sigterm"]
pool: {size: 2, checkout_timeout: 5, request_timeout: 5, stop_grace: 1}
steps:
  - stop_pool: {after: 0.5, mode: drain}
  - request: {command: sleep, args: {seconds: 30}, count: 2, concurrency: 2}
"""


def test_callers_cut_by_a_drain_are_told_how_their_workers_ended(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Pattern 2's cause said only that each caller in flight got a shutdown error; the
    workers those callers were in, still at work, ignored SIGTERM and were killed."""
    path = tmp_path / "drained.yaml"
    path.write_text(DRAINED)
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "pool-shutdown-during-checkout"
    said = (
        "each got a shutdown error instead of an answer; at the stop, worker(s) w1, w2 did not "
        "exit within 0.5 s of their stdin's close: w1, w2 ignored SIGTERM, and the pool's "
        "SIGKILL ended them 1 s later (events.jsonl #"
    )
    assert said in diagnosis["cause"], diagnosis["cause"]
    assert any(e["text"].startswith("shutdown_done:") for e in diagnosis["evidence"])


STOPPED = """\
name: stopped
description: a worker that stops itself in the middle of an answer
worker:
  command: ["{python}", "{worker}"]
pool: {{size: 1, checkout_timeout: 5, request_timeout: 1, stop_grace: 1}}
steps:
  - request: {{command: echo, count: 1}}
"""


def test_a_worker_stopped_in_its_request_is_told_stopped_not_still_running(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A worker that SIGSTOPs itself mid-answer was told 'it was still running when the pool
    stopped it: it did not exit within 0.5 s of its stdin's close'; it was stopped, as /proc
    said at the timeout, and the request's no_response event keeps that."""
    path = tmp_path / "stopped.yaml"
    worker = Path(__file__).parent / "workers" / "stops_itself_mid_answer.py"
    path.write_text(STOPPED.format(python=sys.executable, worker=worker))
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["cause"].startswith(
        "worker w1 was stopped (SIGSTOP, SIGTSTP or a debugger: state T in /proc at its "
        "request's timeout, events.jsonl #"
    ), diagnosis["cause"]
    assert "still running" not in diagnosis["cause"], diagnosis["cause"]
    assert diagnosis["remediation"].startswith("Find what stops it"), diagnosis["remediation"]
    events = [
        json.loads(line)
        for line in (tmp_path / "r" / "events.jsonl").read_text().split("\n")
        if line
    ]
    [unanswered] = [e for e in events if e["type"] == "no_response"]
    assert unanswered["stopped"] is True, unanswered


def test_the_next_request_to_a_worker_found_stopped_is_said_to_have_gone_to_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The pool checks a worker in when its request times out (to set a late answer aside),
    so the next request goes to the same stopped worker and times out too. The finding named
    the first timeout only, the second unexplained; it says now that the pool handed the same
    stopped worker the next request, quoting its no_response event, and how a pool that
    retires such a worker spares the next caller."""
    path = tmp_path / "stopped.yaml"
    worker = Path(__file__).parent / "workers" / "stops_itself_mid_answer.py"
    text = STOPPED.format(python=sys.executable, worker=worker).replace("count: 1", "count: 2")
    path.write_text(text)
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    diagnosis = finding["outcome"]
    events = [
        json.loads(line)
        for line in (tmp_path / "r" / "events.jsonl").read_text().split("\n")
        if line
    ]
    first, second = [e for e in events if e["type"] == "no_response"]
    assert first["worker"] == second["worker"] == "w1" and second["stopped"] is True
    said = (
        "the pool kept it (a worker whose request times out is checked in again, a late answer "
        "to be set aside) and handed the same stopped worker 1 more request(s), each of which "
        f"timed out on it, still stopped: caller s1c0's request {second['id']!r} (events.jsonl "
        f"#{second['seq']})"
    )
    assert said in diagnosis["cause"], diagnosis["cause"]
    assert any(f"#{second['seq']}" in e["origin"] for e in diagnosis["evidence"]), diagnosis
    assert "retires a worker whose request timed out" in diagnosis["remediation"]
