"""A worker's init that ends in an error of poolctl's own, in a pool growing in the background:
a lazy pool's first worker, told after its handshake of a notification (a `notify` step run
before any worker was ready) that its framing cannot carry (packet-1 holds 255 bytes). The error
is an event of the trace and a finding of the report, the pool gives up after its failed starts
in a row, and nothing is left running."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from poolctl.proctree import processes_with_env
from tests.conftest import Processes
from tests.test_scenario_accounting import explained, failures_in_trace

WORKER = Path(__file__).parent / "workers" / "jsonrpc_packet_1.py"
REPO = Path(__file__).resolve().parent.parent

SCENARIO = """\
name: a-note-too-long-for-its-framing
description: a lazy pool's worker, told a notification its framing cannot carry
worker:
  command: ["{python}", "{worker}"]
  protocol: jsonrpc
  framing: packet-1
  init_timeout: 10
  env: {{INIT_RAISED_RUN: "{mark}"}}
pool: {{size: 1, max_overflow: 0, lazy: {lazy}, checkout_timeout: 60, request_timeout: 10}}
steps:
  - notify: {{method: note, params: {{text: "{text}"}}}}
  - request: {{command: hello}}
"""


def run(processes: Processes, tmp_path: Path, lazy: bool) -> tuple[int, dict[str, Any], str]:
    """`poolctl run-scenario --json` of the scenario: its code, report and stderr."""
    path = tmp_path / "note.yaml"
    text = SCENARIO.format(python=sys.executable, worker=WORKER, mark=tmp_path,
                           lazy=str(lazy).lower(), text="x" * 300)  # fmt: skip
    path.write_text(text)
    argv = [sys.executable, "-m", "poolctl", "run-scenario", str(path), "--json",
            "--run-dir", str(tmp_path / "run")]  # fmt: skip
    done = processes.run(argv, timeout=120, cwd=REPO)
    report: dict[str, Any] = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def test_a_lazy_start_whose_init_raises_is_an_event_a_finding_and_a_failed_start(
    processes: Processes, tmp_path: Path
) -> None:
    """Before: the FramingError of the notification's catch-up, raised in the pool's background
    task, was never read ('Task exception was never retrieved' on stderr); the worker stayed
    starting for good, and its caller's checkout timed out, reported as pattern 3 ('the lazy
    pool was still starting 1 worker(s)')."""
    code, report, stderr = run(processes, tmp_path, lazy=True)
    assert code == 1, stderr
    assert "Traceback" not in stderr and "never retrieved" not in stderr, stderr
    events_file = tmp_path / "run/events.jsonl"
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    raised = [e for e in events if e["type"] == "init_raised"]
    assert len(raised) == 5, [e["type"] for e in events]  # max_failed_starts, each a new worker
    assert raised[0]["error"] == "354 bytes do not fit a packet-1 header (max 255)", raised[0]
    assert len({e["worker"] for e in raised}) == 5, raised
    assert not [e for e in events if e["type"] == "checkout_timeout"], "a checkout waited it out"
    (gave_up,) = [e for e in events if e["type"] == "pool_gave_up"]
    assert "354 bytes do not fit a packet-1 header" in gave_up["last_init_failure"], gave_up
    (finding,) = report["findings"]
    assert finding["failure"]["kind"] == "init-raised", finding
    said = "5 worker init(s) failed in poolctl itself: 354 bytes do not fit a packet-1 header"
    assert said in finding["failure"]["message"], finding
    assert (
        "the pool gave up after 5 failed starts in a row, failing 1 call(s)"
        in (finding["failure"]["message"])
    ), finding
    assert explained(report) == failures_in_trace(events_file), report["findings"]
    assert not processes_with_env("INIT_RAISED_RUN", str(tmp_path)), "a worker was left behind"


def test_an_eager_pool_s_notification_too_long_fails_its_step(
    processes: Processes, tmp_path: Path
) -> None:
    """The same notification with a worker ready: the step's error (unchanged), not an init's."""
    code, report, stderr = run(processes, tmp_path, lazy=False)
    assert code == 1, stderr
    (finding,) = report["findings"]
    assert finding["failure"]["kind"] == "step-error", finding
    assert not processes_with_env("INIT_RAISED_RUN", str(tmp_path)), "a worker was left behind"
