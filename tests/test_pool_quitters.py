"""Workers that answer and exit: the answer waiting in the pipe is read even when the exit is
seen first, and a pool of workers written for one call is told to loop."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from poolctl.pool_worker import PooledWorker
from poolctl.worker import Answer, NoAnswer, WorkerSpec
from tests.conftest import RunCli, SpawnWorker

ANSWERS_ONCE = Path(__file__).parent / "workers" / "answers_once.py"


def test_an_answer_in_the_pipe_is_read_when_the_exit_is_seen_first(
    spawn_worker: SpawnWorker,
) -> None:
    """The loop may report the pidfd before stdout; the exit's handler is run here before the
    loop reads anything, as the loop does when it orders them so."""
    process = spawn_worker(WorkerSpec((sys.executable, str(ANSWERS_ONCE))))

    async def main() -> Answer | NoAnswer:
        worker = PooledWorker(process, overflow=False)
        worker.attach(lambda worker: None)
        future = asyncio.ensure_future(worker.request(process.ids.request("ping", {}), 10))
        await asyncio.sleep(0)  # the request is written
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # answered and exited
        worker._on_exit_signal()  # the exit seen before stdout is read
        outcome = await future
        worker.detach()
        return outcome

    outcome = asyncio.run(main())
    assert isinstance(outcome, Answer), outcome
    assert outcome.response.result == {"status": "ok"}
    assert process.answered == 1


SCENARIO = """\
name: quitters
description: workers that answer their init ping and exit
worker:
  command: ["{python}", "{worker}"]
  framing: packet-4
  init_timeout: 5
pool: {{size: 2, max_overflow: 0, lazy: false, checkout_timeout: 3, request_timeout: 3}}
steps:
  - request: {{command: echo, count: 6, concurrency: 2}}
"""


def test_a_pool_of_workers_that_answer_once_is_told_to_loop(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "quitters.yaml"
    path.write_text(SCENARIO.format(python=sys.executable, worker=ANSWERS_ONCE))
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "run"))
    report = json.loads(out)
    assert code == 1
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert "exited with code 0 after answering 1 request(s)" in diagnosis["cause"]
    assert diagnosis["remediation"].startswith("It answers 1 request(s) and exits")
    assert diagnosis["facts"]["answered_before_exit"] == 1
    exits = [e["text"] for e in diagnosis["evidence"] if e["text"].startswith("worker_exit:")]
    assert exits and "answered=1" in exits[0]
