"""poolctl itself stopped and continued (Ctrl-Z then `fg`, `kill -STOP` then `kill -CONT`)
while its workers run on: what they wrote meanwhile is read before any timeout the stop made
due is judged."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import Processes

STOPS_POOLCTL = Path(__file__).parent / "workers" / "stops_poolctl_then_answers.py"


def test_an_answer_written_while_poolctl_was_stopped_is_no_timeout(
    processes: Processes, tmp_path: Path
) -> None:
    """The worker stops poolctl, answers at once, and poolctl is continued 2 s later, past the
    request's 1 s timeout: the loop's wait ended with EINTR and no event, and the timeout ran
    before the answer's reader, so the pool told of a worker 'slow, not silent'. poolctl runs
    as a process of its own: stopping the test's process would stop the test run's job."""
    scenario = tmp_path / "stopped.yaml"
    scenario.write_text(
        f"""name: poolctl-stopped
worker:
  command: [{json.dumps(sys.executable)}, {json.dumps(str(STOPS_POOLCTL))}, "2"]
pool: {{size: 1, max_overflow: 0, request_timeout: 1}}
steps:
  - request: {{command: ping}}
expect:
  outcome: ok
"""
    )
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "poolctl", "run-scenario", str(scenario), "--no-history"]
    done = processes.run([*argv, "--run-dir", str(run)], timeout=120, cwd=tmp_path)
    events = [json.loads(line) for line in (run / "events.jsonl").open()]
    kinds = [(e["type"], e.get("id")) for e in events if e["type"] in ("response", "no_response")]
    assert kinds == [("response", 2)], kinds
    assert done.returncode == 0, done.stdout + done.stderr
