"""Workers that exit by themselves after a fixed number of answers (a "max requests" limit, as
many pools' workers have), between requests: the next request, written as the last answer is
read, never reaches them. Told apart from a worker that read its request and died in it
(`dies_on_second_request.py exit`), from what the pool saw as each ended: the request's bytes
still in the stdin pipe (FIONREAD), or refused by the closed pipe (EPIPE)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from poolctl.pool_worker import PooledWorker
from poolctl.worker import Answer, NoAnswer, WorkerSpec
from tests.conftest import RunCli, SpawnWorker
from tests.test_pool_endings import SCENARIO, failed_run

WORKERS = Path(__file__).parent / "workers"
LIMITED = WORKERS / "answers_then_exits.py"


@pytest.mark.parametrize("code", [1, 0])
def test_workers_that_exit_after_as_many_answers_are_told_between_requests(
    run_cli: RunCli, tmp_path: Path, code: int
) -> None:
    """Every worker answers 3 requests (its init among them) and exits with `code`, saying
    nothing, half a second after its last answer (without that pause, on a loaded machine every
    worker could exit before a caller's next request came, idle, and the run pass). Before,
    code 1 was "died while serving caller …" and the fix "find why the worker exits with code 1
    in the middle of a request", code 0 "a pool worker loops"."""
    text = SCENARIO.format(python=sys.executable, worker=LIMITED).replace(
        f'"{LIMITED}"]', f'"{LIMITED}", "3", "{code}", "0.5"]'
    )
    path = tmp_path / "limit.yaml"
    path.write_text(text.replace("count: 6", "count: 10"))
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    cause = diagnosis["cause"]
    said = f"exited with code {code} after answering 3 request(s) (its init among them), between"
    assert said in cause, cause
    # the evidence that it never read the next request, whichever the pool saw first
    unread = "bytes were still unread in the worker's stdin as it exited"
    refused = "the worker's stdin had closed when it was written, EPIPE: not a byte of it was read"
    assert unread in cause or refused in cause, cause
    assert f"came after 3 answer(s) with code {code}: it ends after a fixed number" in cause
    assert diagnosis["remediation"].startswith("The worker exits by itself after 3 request(s)")
    exits = [e["text"] for e in diagnosis["evidence"] if e["text"].startswith("worker_exit:")]
    assert len(exits) >= 2 and all(f"code={code}" in e and "answered=3" in e for e in exits)
    # the first one's request never reached it (or its write failed before the exit was seen,
    # leaving none in flight as it ended); another may have exited idle, none in flight
    failed_write = diagnosis["facts"]["reason"] == "write-failed"
    assert failed_write or "request='unread'" in exits[0] or "request='unwritten'" in exits[0]
    assert not any("request='read'" in e for e in exits), exits


def test_a_worker_that_read_its_request_and_exited_is_told_in_the_middle(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`dies_on_second_request.py exit` reads its second request, then exits with code 3: that
    one is in the middle of a request, and the cause says it read it."""
    dies = WORKERS / "dies_on_second_request.py"
    path = tmp_path / "dies.yaml"
    path.write_text(
        SCENARIO.format(python=sys.executable, worker=dies).replace(
            f'"{dies}"]', f'"{dies}", "exit"]'
        )
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    cause = finding["outcome"]["cause"]
    assert "died while serving caller" in cause and "between requests" not in cause, cause
    assert cause.endswith("; it had read the request (its bytes were gone from its stdin)"), cause


def test_a_request_written_as_the_exit_is_handled_is_told_unwritten(
    spawn_worker: SpawnWorker,
) -> None:
    """The order an earlier reading of the pipe at the exit (FIONREAD 0 though a request had
    been sent) did not account for: the loop sees the exit before the answer, the answer is
    read from the pipe as the exit is handled, and the next request, written then, meets the
    closed pipe. Nothing of it is in the pipe: it was never written."""
    process = spawn_worker(WorkerSpec((sys.executable, str(LIMITED), "1", "1")))

    async def main() -> tuple[str | None, int | None, list[Answer | NoAnswer]]:
        worker = PooledWorker(process, overflow=False)
        seen: list[tuple[str | None, int | None]] = []
        worker.attach(lambda worker: seen.append((worker.request_fate(), worker.stdin_unread)))
        outcomes: list[Answer | NoAnswer] = []
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def answered(outcome: Answer | NoAnswer) -> None:
            outcomes.append(outcome)
            if len(outcomes) == 1:  # as the pool does: the next request at the answer
                worker.send(process.ids.request("ping", {}), 10, answered)
            elif not done.done():
                done.set_result(None)

        worker.send(process.ids.request("ping", {}), 10, answered)
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # answered and exited
        worker._on_exit_signal()  # the exit seen before stdout is read
        await asyncio.wait_for(done, 10)
        worker.detach()
        ((fate, unread),) = seen
        return fate, unread, outcomes

    fate, unread, outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], Answer), outcomes
    assert isinstance(outcomes[1], NoAnswer) and outcomes[1].reason == "exited", outcomes
    assert (fate, unread) == ("unwritten", 0)
