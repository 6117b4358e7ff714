"""How a pooled worker ends, as an Erlang port sees it: at end of file on its stdout. An answer
waiting in the pipe is read even when the exit is seen first; workers written for one call are
told to loop; a worker that went to the background serves on; one that closed its stdout is
ended at once."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from poolctl.events import Trace
from poolctl.pool import Pool, PoolConfig
from poolctl.pool_init import init_exchange
from poolctl.pool_worker import PooledWorker
from poolctl.proctree import processes_with_env
from poolctl.rundir import create_run_dir
from poolctl.worker import Answer, NoAnswer, WorkerSpec
from tests.conftest import REFERENCE, Processes, RunCli, SpawnWorker

WORKERS = Path(__file__).parent / "workers"
ANSWERS_ONCE = WORKERS / "answers_once.py"
CLOSES_STDOUT = WORKERS / "closes_stdout.sh"
# A wrapper that starts the worker in the background and exits: the child keeps the pipes
# (stdin through fd 3, since `cmd &` would read /dev/null).
BACKGROUND = ("/bin/sh", "-c", 'exec 3<&0; "$@" <&3 3<&- &', "sh", *REFERENCE)


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


def test_an_init_that_could_not_be_written_says_how_the_worker_exited(
    spawn_worker: SpawnWorker,
) -> None:
    """A worker that crashed before its init ping was written (a loaded machine may return from
    the spawn after the crash): the pool's last failure, which it gives up with, said "could not
    write the request" and hid the exit code (a full run met it)."""
    process = spawn_worker(WorkerSpec((*REFERENCE, "--crash-on-start", "3")))
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # crashed, the pipe closed

    async def main() -> Answer | NoAnswer:
        worker = PooledWorker(process, overflow=False)
        worker.attach(lambda worker: None)
        outcome = await init_exchange(worker, 5.0, time.monotonic(), None)
        worker.detach()
        return outcome

    outcome = asyncio.run(main())
    assert isinstance(outcome, NoAnswer) and outcome.reason == "write-failed", outcome
    assert outcome.detail.startswith("could not write the request")
    assert outcome.detail.endswith(": it had exited with code 3"), outcome.detail


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
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert "exited with code 0 after answering 1 request(s)" in diagnosis["cause"]
    assert diagnosis["remediation"].startswith("It answers 1 request(s) and exits")
    assert diagnosis["facts"]["answered_before_exit"] == 1
    exits = [e["text"] for e in diagnosis["evidence"] if e["text"].startswith("worker_exit:")]
    assert exits and "answered=1" in exits[0]
    # the step counts its unanswered calls; nothing stopped the workers: they ended by themselves
    assert report["extra"]["steps"][0]["call_failures"] == 6
    ended = "nothing: it had ended by itself (exited with code 0)"
    stopped = [w["stopped_by"] for w in report["extra"]["workers"]]
    assert stopped.count(ended) >= 2
    # the shutdown may find the pool's two slots filled by workers still starting (a loaded
    # machine's Python can take longer than the 0.5 s after stdin closes): no others
    by_shutdown = [s for s in stopped if s != ended]
    assert len(by_shutdown) <= 2
    assert set(by_shutdown) <= {"exited when stdin closed", "SIGTERM"}


def failed_run(run_cli: RunCli, path: Path, run_dir: Path) -> dict[str, Any]:
    """`poolctl run-scenario PATH --json`'s report, its exit code 1 (something failed) checked."""
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(run_dir))
    # an internal error's traceback, saved in the run folder, is said with it: exit 3 was seen
    # once under load, and the folder was gone by the time anyone looked
    crash = run_dir / "traceback.txt"
    assert code == 1, out + err + (crash.read_text() if crash.exists() else "")
    report: dict[str, Any] = json.loads(out)
    return report


def first_two_start(tmp_path: Path, worker: str, skew: float = 0.0) -> str:
    """A shell command that starts `worker` in the pool's first two workers, the second
    `skew` seconds after the first, and in none of their replacements (each sleeps through the
    run, still starting): a replacement that started within a checkout's 0.3 s, its start
    timed against it, was the premise load broke (the first two 0.75 s apart under load, the
    first one's replacement answered its init as the checkouts waited, and was handed a
    request as it exited)."""
    gate = tmp_path / "starts"
    gate.mkdir()
    return (
        f"mkdir {gate}/1 2>/dev/null || {{ mkdir {gate}/2 2>/dev/null && sleep {skew}; }} "
        f"|| exec sleep 60; exec {worker}"
    )


def run_slow_quitters(
    run_cli: RunCli, tmp_path: Path, start: float | None, calls: int, first_sleep: float = 0.0
) -> dict[str, Any]:
    """The quitters' scenario (exit code 1 checked), each worker `start` seconds to start, its
    checkouts timing out after 0.3 s, `calls` calls two at a time; the report. With `start`
    None, the first two workers start 0.75 s apart, and no replacement starts in the run."""
    if start is None:
        run = first_two_start(tmp_path, f"{sys.executable} {ANSWERS_ONCE}", skew=0.75)
    else:
        run = f"sleep {start}; exec {sys.executable} {ANSWERS_ONCE}"
    command = json.dumps(["/bin/sh", "-c", run])
    text = (
        SCENARIO.format(python=sys.executable, worker=ANSWERS_ONCE)
        .replace(f'["{sys.executable}", "{ANSWERS_ONCE}"]', command)
        .replace("checkout_timeout: 3", "checkout_timeout: 0.3")
        .replace("count: 6", f"count: {calls}")
    )
    if first_sleep:
        text = text.replace("steps:\n", f"steps:\n  - sleep: {first_sleep}\n")
    path = tmp_path / "slow-quitters.yaml"
    path.write_text(text)
    return failed_run(run_cli, path, tmp_path / "run")


def test_checkouts_that_waited_for_the_replacements_of_quitters_are_their_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Workers that answer their init and exit, each replacement 0.5 s to start (as a loaded
    machine starts them): the checkouts time out (0.3 s) with every slot a replacement still
    starting. That is the quitters' doing, told in their finding; it was a second finding,
    pattern 3's "2 callers at once against 2 worker(s)", though no more callers than workers
    can make one wait."""
    report = run_slow_quitters(run_cli, tmp_path, start=0.5, calls=6)
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert "exited with code 0 after answering 1 request(s)" in diagnosis["cause"]
    waited = diagnosis["facts"]["checkout_timeouts_caused"]
    assert waited >= 1, diagnosis["facts"]
    said = f"{waited} checkout(s) timed out waiting for a replacement to start"
    assert said in finding["failure"]["message"]
    assert any("checkout_timeout" in e["text"] for e in diagnosis["evidence"])
    assert report["extra"]["steps"][0]["call_failures"] == 6


def test_checkouts_that_waited_for_quitters_met_first_by_a_timeout_are_their_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Each worker answers its init and lingers 1.5 s before it exits (a loaded machine's
    Python may take as long to end): the first requests time out (1 s), the next ones find the
    workers gone, and the checkouts time out waiting for their replacements (0.5 s each to
    start). One finding, the deaths with their timeouts, told as the quitters' (a full run on a
    loaded machine met it with no lingering); the waits were a second finding, pattern 3's
    "2 callers at once against 2 worker(s)", though the pool had a worker for each, and the
    cause was the first timeout's "no response within 1 s". The replacements do not start in
    the run: started in 0.5 s, they were ready 0.2 s before the last checkouts' timeout, and a
    loaded machine's run had none time out (checkout_timeouts_caused 0)."""
    worker = f"{sys.executable} {ANSWERS_ONCE} 1.5"
    command = json.dumps(["/bin/sh", "-c", first_two_start(tmp_path, worker)])
    text = (
        SCENARIO.format(python=sys.executable, worker=ANSWERS_ONCE)
        .replace(f'["{sys.executable}", "{ANSWERS_ONCE}"]', command)
        .replace(
            "checkout_timeout: 3, request_timeout: 3", "checkout_timeout: 0.3, request_timeout: 1"
        )
    )
    path = tmp_path / "lingering-quitters.yaml"
    path.write_text(text)
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert diagnosis["facts"]["reason"] == "timeout"  # the first request's
    # a worker that timed out and then exited on its own is told to loop, as the others are
    assert "exited with code 0 after answering 1 request(s)" in diagnosis["cause"]
    assert diagnosis["remediation"].startswith("It answers 1 request(s) and exits")
    waited = diagnosis["facts"]["checkout_timeouts_caused"]
    assert waited >= 1, diagnosis["facts"]
    assert (
        f"{waited} checkout(s) timed out waiting for a replacement" in finding["failure"]["message"]
    )
    assert report["extra"]["steps"][0]["call_failures"] == 6


def test_quitters_that_no_request_reached_are_still_the_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Each of the first two workers (0.75 s apart, as under load) answers its init and exits,
    and no replacement starts in the run: every checkout (0.3 s) times out before a request
    reaches any worker, so no request goes unanswered. The deaths are still the finding (it
    was pattern 3's waiters, alone)."""
    # (a first step sleeps: the first workers have exited by the time the requests come; a
    # loaded machine's Python may take more than 0.3 s to exit)
    report = run_slow_quitters(run_cli, tmp_path, start=None, calls=2, first_sleep=2.0)
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    said = "after answering 1 request(s) (its init among them), before any request"
    assert said in diagnosis["cause"]
    assert diagnosis["facts"]["requests_unanswered"] == 0
    assert diagnosis["facts"]["checkout_timeouts_caused"] == 2
    assert diagnosis["remediation"].startswith("It answers 1 request(s) and exits")
    assert any(e["text"].startswith("worker_exit:") for e in diagnosis["evidence"])
    assert report["extra"]["steps"][1]["call_failures"] == 2  # (step 0 is the sleep)


def run_pool(
    tmp_path: Path, argv: tuple[str, ...], calls: int, **config: Any
) -> tuple[list[Answer | NoAnswer], Trace, set[int]]:
    """Start an eager pool of `argv` workers, make `calls` calls one after another, shut it
    down; the outcomes, the trace, and the pool's processes left after the shutdown."""
    run = create_run_dir("pool", base=tmp_path)
    trace = Trace(run.events)

    async def main() -> list[Answer | NoAnswer]:
        pool = Pool(WorkerSpec(argv), PoolConfig(**config), run, trace)
        try:
            await pool.start()
            return [await pool.call(f"c{i}", "ping") for i in range(calls)]
        finally:
            await pool.shutdown("drain", 2.0)
            pool.stop_now()

    outcomes = asyncio.run(main())
    trace.close()
    token = run.context.children.marker
    return outcomes, trace, processes_with_env(*token)


def test_a_worker_whose_stdin_refused_a_request_is_not_handed_out_again(
    tmp_path: Path, processes: Processes
) -> None:
    """It answers its init and closes its stdin, running on: the first call's write fails
    (EPIPE). The worker was checked in and handed to the next caller, whose write failed at
    once, and so on: every call of the run failed on it, and it was never replaced (a full run
    under load met the same with workers whose exit was not yet seen). It is stopped and
    replaced now, and each later call goes to a replacement."""
    argv = (sys.executable, str(WORKERS / "answers_then_closes_stdin.py"))
    outcomes, trace, left = run_pool(tmp_path, argv, 3, size=1, request_timeout=2)
    assert all(isinstance(o, NoAnswer) and o.reason == "write-failed" for o in outcomes), outcomes
    written_to = [e.worker for e in trace.of_type("request")]
    assert written_to == ["w1", "w2", "w3"], written_to
    assert [e.worker for e in trace.of_type("replace")][:2] == ["w2", "w3"]
    assert left == set()


def test_a_worker_that_went_to_the_background_serves_on(
    tmp_path: Path, processes: Processes
) -> None:
    """As in a real port (tests/test_erlang_peer.py): the child holds the pipes and answers."""
    outcomes, trace, left = run_pool(tmp_path, BACKGROUND, 3, size=1, request_timeout=10)
    assert all(isinstance(o, Answer) and o.response.success for o in outcomes), outcomes
    (moved,) = trace.of_type("worker_backgrounded")
    assert moved.data["exit"] == "exited with code 0"
    assert list(trace.of_type("replace")) == []
    # the child the shell left was the one serving, and the shutdown stopped it
    pids = {o.response.result["pid"] for o in outcomes if isinstance(o, Answer)}
    assert len(pids) == 1 and moved.data["pid"] not in pids
    assert left == set()


def test_a_worker_that_closed_its_stdout_is_ended_at_once(
    tmp_path: Path, processes: Processes
) -> None:
    argv = (str(WORKERS / "closes_stdout.sh"),)
    _, trace, left = run_pool(tmp_path, argv, 0, size=1, init_timeout=30)
    (ended,) = trace.of_type("worker_exit")
    assert ended.data["exit"] == "closed its stdout and runs on"
    (init,) = trace.of_type("init_end")
    assert not init.data["ok"] and init.data["reason"] == "exited"  # not the 30 s timeout
    assert "closed its stdout and runs on" in init.data["error"]
    assert left == set()


def test_a_worker_that_broke_its_stream_is_replaced(tmp_path: Path, processes: Processes) -> None:
    """A log line on a packet-4 stdout: no frame can be read after it, though the process runs
    on. The worker is ended, stopped and replaced, not handed out again."""
    argv = (sys.executable, str(WORKERS / "logs_midstream.py"))
    outcomes, trace, left = run_pool(tmp_path, argv, 4, size=1, request_timeout=5)
    # its init and first call were answered; the second call met the broken stream
    assert [type(o).__name__ for o in outcomes] == ["Answer", "NoAnswer", "Answer", "NoAnswer"]
    broken = outcomes[1]
    assert isinstance(broken, NoAnswer) and broken.reason == "bad-frame"
    (first_end, *_) = trace.of_type("worker_exit")
    assert first_end.worker == "w1" and first_end.data["exit"].startswith("broke its stdout stream")
    assert [e.worker for e in trace.of_type("replace")][:1] == ["w2"]
    answered_by = {e.worker for e in trace.of_type("response")}
    assert "w2" in answered_by and left == set()


@pytest.mark.parametrize(("first", "how"), [("", ""), ("  - sleep: 1\n", ""), ("", "setsid")])
def test_a_worker_that_exits_leaving_a_child_on_its_stdout_is_said_so(
    run_cli: RunCli, tmp_path: Path, first: str, how: str
) -> None:
    """It answers its init, starts a helper that inherits its stdout, and exits 0: the pool
    serves on (as an Erlang port reads to end of file), and each request waits out its
    timeout, or fails to be written once the worker has gone (after a `sleep` step). The
    verdict said only "no response within 1 s" (or "could not write the request"),
    answered_before_exit = 0, and the generic fix."""
    worker = WORKERS / "leaves_a_child_on_stdout.py"
    path = tmp_path / "leavers.yaml"
    path.write_text(
        SCENARIO.format(python=sys.executable, worker=worker)
        .replace(f'"{worker}"]', f'"{worker}", "{how}"]')
        .replace("request_timeout: 3", "request_timeout: 1")
        .replace("count: 6", "count: 2")
        .replace("steps:\n", "steps:\n" + first)
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert "exited with code 0 after answering 1 request(s)" in diagnosis["cause"]
    # the helper is named while it runs (before, it was not: the pool's shutdown ended it)
    away = ", in a session of its own" if how else ""
    named = rf"a process it started holds its stdout open \(pid \d+, python[\d.]*{away}\): "
    assert re.search(named, diagnosis["cause"]), diagnosis["cause"]
    assert diagnosis["remediation"].startswith("Start the worker's child processes with their")
    assert diagnosis["facts"]["answered_before_exit"] == 1


DIES = WORKERS / "dies_on_second_request.py"


@pytest.mark.parametrize(
    ("how", "said", "fix"),
    [
        (
            "raise",
            ", after the exception `KeyError: 'model_name'`",
            "Fix the error it reports (`KeyError: 'model_name'`)",
        ),
        (  # before, 'after the exception `KeyboardInterrupt`' and 'Fix the error it reports';
            # then 'sent by another process … or by the worker itself', its own call quoted
            "int-group",
            "killed by SIGINT (2) (sent by the worker's own code to its whole process group: "
            "its traceback ends at that call); Python raised it as "
            f"`KeyboardInterrupt` in {DIES}:",
            f"Remove the SIGINT the worker sends at {DIES}:",
        ),
        (  # before, 'a signal from outside', of a worker that killed itself: the kernel log
            # (read, or said unread) leaves the worker itself among the senders
            "kill",
            "killed by SIGKILL (9) (",
            "Find what sent ",
        ),
        (  # before, the half frame it left was not said
            "kill-mid-answer",
            "a timeout wrapper, a user, or the worker itself (`os.kill(os.getpid(), "
            "signal.SIGKILL)`, `kill -9 $$`) sent it, and the exit status does not say which); "
            "it was killed writing its answer: a truncated packet-4 frame: the header announces",
            "Find what sent ",
        ),
        (  # before, told to find what sent the signal it sent itself
            "abort",
            "killed by SIGABRT (6) (it aborted itself: ",
            "Read its stderr for why it aborted",
        ),
        (  # before: '(a signal from outside: a supervisor or a user)', and to find the sender
            "close",
            "closed its stdout and runs on: it closed its stdout itself while it served",
            "Keep the worker's stdout open while it serves",
        ),
        (  # before, 'it closed its stdout itself', of a stdout pointed at its own stderr,
            # and the fix to find what closes it
            "dup2",
            "closed its stdout and runs on: it pointed its stdout at its stderr while it served "
            "(its fd 1 is its fd 2, workers/",  # the dying worker's log, checked below
            "Keep file descriptor 1 the stdout pipe the worker was started with: something in a "
            "request's path copies its stderr onto it (`os.dup2(2, 1)`",
        ),
        (  # before, 'it closed its stdout itself' too
            "devnull",
            "closed its stdout and runs on: it pointed its stdout at /dev/null while it served",
            "Let the worker write its answers to the stdout it was started with",
        ),
        (  # before, the pattern's general advice: text off stdout, a quicker start
            "exit",
            "exited with code 3, saying nothing on its stderr",
            "Find why the worker exits with code 3 in the middle of a request",
        ),
        (
            "exit-said",
            "exited with code 3; its last line on stderr: 'fatal: no model configured'",
            "Find why the worker exits with code 3 in the middle of a request",
        ),
        (  # before, it was told to loop, as if it served one request on purpose
            "cut",
            "exited with code 0 in the middle of a frame, after answering 1 request(s) (its "
            "init among them): a truncated packet-4 frame: the header announces",
            "Write each answer whole before the worker can exit",
        ),
    ],
)
def test_a_worker_dying_in_a_request_is_told_why_from_what_it_left(
    run_cli: RunCli, tmp_path: Path, how: str, said: str, fix: str
) -> None:
    """Before, the cause was only 'exited with code 1' (or 'killed by SIGKILL (9)') and the fix
    the pattern's general advice: keep text off stdout, answer the first ping before slow
    imports."""
    path = tmp_path / "dies.yaml"
    text = SCENARIO.format(python=sys.executable, worker=DIES).replace(
        f'"{DIES}"]', f'"{DIES}", "{how}"]'
    )
    path.write_text(text)
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert said in diagnosis["cause"], diagnosis["cause"]
    assert diagnosis["remediation"].startswith(fix), diagnosis["remediation"]
    if how.startswith("kill"):  # the kernel log was read for the OOM killer, or said unread
        assert "a user, or the worker itself (`os.kill(" in diagnosis["cause"]
        log = [e for e in diagnosis["evidence"] if e["note"].startswith("the kernel log, where")]
        assert log and log[0]["origin"] in ("dmesg", "journalctl -k"), diagnosis["evidence"]
    if how in ("dup2", "devnull"):  # what /proc said of its fd 1, and when it was read
        (moved,) = [e for e in diagnosis["evidence"] if e["note"] == "where its stdout points"]
        # the worker that served the request (w1 or w2, as the pool handed them out)
        dying = re.search(r"worker (w\d+) \(pid \d+\) closed its stdout", diagnosis["cause"])
        assert dying is not None, diagnosis["cause"]
        served_log = f"workers/{dying[1]}.stderr.log"
        if how == "dup2":
            into = f"{served_log}: what it writes to stdout goes to its stderr log)"
            assert into in diagnosis["cause"]
        assert moved["text"].endswith(f"/{served_log}" if how == "dup2" else "= /dev/null")
        assert moved["origin"].endswith("/fd/1, read when the pool read end of file on its stdout")
    if how == "int-group":  # Python's exception for the signal, quoted as such
        assert "after the exception" not in diagnosis["cause"]
        raised = "the exception Python raised for the signal"
        assert [e["text"] for e in diagnosis["evidence"] if e["note"] == raised] == [
            "KeyboardInterrupt"
        ]
    if how == "raise":
        quoted = [e for e in diagnosis["evidence"] if e["text"] == "KeyError: 'model_name'"]
        assert quoted and quoted[0]["origin"].endswith(".stderr.log")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_a_pooled_worker_its_shell_waited_for_is_said_killed_by_the_signal_it_reports(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`bash -c 'worker; exit $?'`: the worker killed itself by SIGKILL in a request, and bash
    exited with 137 after its line naming the worker's pid. Before: 'exited with code 137;
    its last line on stderr: 'bash: line 1: 12 Killed …'', and the fix to run it by hand."""
    command = ["bash", "-c", '"$0" "$@"; exit $?', sys.executable, str(DIES), "kill"]
    path = tmp_path / "wrapped.yaml"
    path.write_text(
        SCENARIO.format(python=sys.executable, worker=DIES).replace(
            f'["{sys.executable}", "{DIES}"]', json.dumps(command)
        )
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    cause = diagnosis["cause"]
    assert re.search(r"exited with code 137 \(its shell reports pid \d+ killed by SIGKILL", cause)
    assert "its last line on stderr" not in cause, cause
    assert diagnosis["remediation"].startswith("Find what sent SIGKILL: "), diagnosis
    assert "Start the program with `exec` in its shell" in diagnosis["remediation"]


@pytest.mark.parametrize("shell", [s for s in ("dash", "bash") if shutil.which(s)])
def test_a_pooled_worker_its_shell_ran_ended_by_its_own_sigint_is_told_the_call(
    run_cli: RunCli, tmp_path: Path, shell: str
) -> None:
    """`sh -c 'worker; exit $?'`: the worker sent itself SIGINT in a request, Python ended by
    it, and the shell exited with 130. Before: 'exited with code 130, after the exception
    `KeyboardInterrupt`' and 'Fix the error it reports (`KeyboardInterrupt`)'."""
    command = [shell, "-c", '"$0" "$@"; exit $?', sys.executable, str(DIES), "int-self"]
    path = tmp_path / "wrapped.yaml"
    path.write_text(
        SCENARIO.format(python=sys.executable, worker=DIES).replace(
            f'["{sys.executable}", "{DIES}"]', json.dumps(command)
        )
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    cause = diagnosis["cause"]
    assert "exited with code 130 (the program its shell ran was ended by SIGINT (2), as " in cause
    assert "; sent by the worker's own code to itself: its traceback ends at that call)" in cause
    assert "after the exception" not in cause, cause
    assert diagnosis["remediation"].startswith(f"Remove the SIGINT the worker sends at {DIES}:")
    assert "Start the program with `exec` in its shell" in diagnosis["remediation"]


@pytest.mark.parametrize(
    ("how", "said"),
    [
        (  # before, 'it pointed its stdout at /dev/null', as if it had opened one itself
            "dup2",
            "closed its stdout and runs on: it pointed its stdout at its stderr while it served "
            "(its fd 1 is the very /dev/null the pool gave it as its stderr, `stderr: discard`",
        ),
        (  # a /dev/null of its own: as before
            "devnull",
            "closed its stdout and runs on: it pointed its stdout at /dev/null while it served",
        ),
    ],
)
def test_a_worker_pointing_its_stdout_at_its_discarded_stderr_is_told_so(
    run_cli: RunCli, tmp_path: Path, how: str, said: str
) -> None:
    """With `stderr: discard` its fd 2 is /dev/null, and `os.dup2(2, 1)` makes its fd 1 the
    same: the kernel (kcmp) tells that copy from a /dev/null the worker opened itself."""
    path = tmp_path / "dies.yaml"
    text = SCENARIO.format(python=sys.executable, worker=DIES).replace(
        f'"{DIES}"]', f'"{DIES}", "{how}"]\n  stderr: discard'
    )
    path.write_text(text)
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert said in diagnosis["cause"], diagnosis["cause"]
    (moved,) = [e for e in diagnosis["evidence"] if e["note"].startswith("where its stdout points")]
    if how == "dup2":
        assert moved["text"] == (
            "fd 1 = /dev/null; fd 1 is the open /dev/null poolctl gave it as its stderr "
            "(stderr: discard)"
        )
        assert moved["origin"].endswith(
            "/fd/1 and kcmp, read when the pool read end of file on its stdout"
        )
        assert diagnosis["remediation"].startswith("Keep file descriptor 1 the stdout pipe")
    else:
        assert moved["text"] == "fd 1 = /dev/null"
        assert diagnosis["remediation"].startswith("Let the worker write its answers to the stdout")


def test_an_answer_that_is_not_utf8_json_is_quoted_not_called_missing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The worker answered at once, in Latin-1. The finding said only 'worker w1 gave caller
    s1c0 no answer: no response within 1 s' and the pattern's general advice; the frame was a
    note at the report's end."""
    path = tmp_path / "latin1.yaml"
    text = SCENARIO.format(python=sys.executable, worker=WORKERS / "answers_latin1.py")
    path.write_text(
        text.replace("request_timeout: 3", "request_timeout: 1").replace("count: 6", "count: 2")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert (
        diagnosis["cause"].startswith("worker w")
        and (
            "with a frame no client can read: response is not UTF-8 JSON (invalid continuation "
            'byte at byte 66): b\'{"id": 2, "success": true, "result": {"status": "ok", '
            '"text": "caf\\xe9"}}\'; the pool set it aside, and the request waited out its 1 s '
            "request_timeout"
        )
        in diagnosis["cause"]
    ), diagnosis["cause"]
    assert diagnosis["remediation"].startswith("Write each answer as one JSON object encoded")
    assert diagnosis["facts"]["reason"] == "unreadable"
    assert any(e["origin"].endswith(".stdout.bin") for e in diagnosis["evidence"])


def test_an_answer_encoded_twice_is_quoted_not_called_missing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The worker answered its init ping, then each request as a JSON string holding its
    answer: the finding said only that no answer came in the request_timeout."""
    path = tmp_path / "twice.yaml"
    worker = WORKERS / "answers_encoded_twice.py"
    text = SCENARIO.format(python=sys.executable, worker=worker)
    text = text.replace(f'"{worker}"]', f'"{worker}", "--packet-4", "--after-init"]')
    path.write_text(
        text.replace("request_timeout: 3", "request_timeout: 1").replace("count: 6", "count: 2")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert (
        "with a frame no client can read: response is encoded twice: a JSON string "
        in (diagnosis["cause"])
    ), diagnosis["cause"]
    assert diagnosis["facts"]["reason"] == "unreadable"


def test_an_answer_under_an_id_nobody_asked_is_quoted_not_called_missing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The worker answered at once, under the id it was asked plus 1000. The finding said only
    'worker w1 gave caller s1c0 no answer: no response within 1 s' and the pattern's advice
    for a silent worker (stray output, flush, slow imports); the frame was a note at the end."""
    path = tmp_path / "own-ids.yaml"
    text = SCENARIO.format(python=sys.executable, worker=WORKERS / "answers_with_its_own_ids.py")
    path.write_text(
        text.replace("request_timeout: 3", "request_timeout: 0.5").replace("count: 6", "count: 2")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert re.fullmatch(
        r"worker w[12] answered with id 1002, which no request to it had, while caller s1c[01]'s "
        r"request 2 waited: the pool matches answers by id, set it aside, and the request "
        r"waited out its 0.5 s request_timeout",
        diagnosis["cause"],
    ), diagnosis["cause"]
    assert diagnosis["remediation"].startswith("Answer each request with the id it came with")
    assert diagnosis["facts"]["reason"] == "wrong-id"
    assert finding["failure"]["details"]["explains.no_response"] == "2"
    assert any(e["text"] == "response for id 1002 nobody awaits" for e in diagnosis["evidence"])


def test_a_worker_that_exec_ed_another_program_is_said_to_run_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It answered its init, then exec()ed `sleep 60` on its next request. The finding said
    only 'no response within 1 s': the program now in its process was not looked at."""
    path = tmp_path / "execs.yaml"
    text = SCENARIO.format(python=sys.executable, worker=DIES).replace(
        f'"{DIES}"]', f'"{DIES}", "exec"]'
    )
    path.write_text(
        text.replace("request_timeout: 3", "request_timeout: 1").replace("count: 6", "count: 2")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    cause = finding["outcome"]["cause"]
    assert "no response within 1 s; its process now runs `sleep 60` (" in cause, cause
    # (then the pool's stop ended it: poolctl/scenario/stopped.py)
    assert "): it exec()ed another program; it was still running when the pool stopped" in cause


def test_a_worker_that_exec_ed_itself_again_is_said_to_have_restarted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It answered its init, then exec()ed itself again, the same command line, on its next
    request. Before: only 'no response within 1 s'."""
    path = tmp_path / "reexecs.yaml"
    text = SCENARIO.format(python=sys.executable, worker=DIES).replace(
        f'"{DIES}"]', f'"{DIES}", "reexec"]'
    )
    path.write_text(
        text.replace("request_timeout: 3", "request_timeout: 1").replace("count: 6", "count: 2")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    cause = finding["outcome"]["cause"]
    said = "no response within 1 s; its process exec()ed the same program again, under the same"
    assert said in cause, cause
    assert "a restart in place, which drops what it had read" in cause


@pytest.mark.skipif(shutil.which("timeout") is None, reason="no timeout (coreutils)")
def test_a_pooled_worker_a_timeout_in_its_command_ended_is_told_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`timeout 5 worker`: it answered its init and hung in a request until `timeout` ended it
    (exit 124). Before: 'exited with code 124, saying nothing on its stderr', and to find why
    it exits by hand."""
    command = ["timeout", "5", sys.executable, str(DIES), "hang"]
    path = tmp_path / "timed.yaml"
    path.write_text(
        SCENARIO.format(python=sys.executable, worker=DIES)
        .replace(f'["{sys.executable}", "{DIES}"]', json.dumps(command))
        .replace("size: 2", "size: 1")
        .replace("request_timeout: 3", "request_timeout: 20")
        .replace("count: 6, concurrency: 2", "count: 1, concurrency: 1")
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    cause = finding["outcome"]["cause"]
    assert "exited with code 124: `timeout 5` in its command ended it" in cause, cause
    assert finding["outcome"]["remediation"].startswith("Drop `timeout 5` from the worker's")


def test_a_pooled_worker_that_switched_framing_mid_run_is_told_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It answered its init ping in packet-4, then a request in a JSON line. Before: 'bad frame
    on stdout: frame header b'{"id' announces 2,065,852,772 bytes', and the pattern's general
    advice (keep text off stdout, flush, answer the first ping before slow imports)."""
    worker = WORKERS / "switches_to_lines.py"
    path = tmp_path / "switches.yaml"
    path.write_text(SCENARIO.format(python=sys.executable, worker=worker))
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    diagnosis = finding["outcome"]
    said = '; it had answered 1 request(s) in packet-4 (its init among them), then wrote \'{"id": '
    assert said in diagnosis["cause"], diagnosis["cause"]
    assert diagnosis["cause"].endswith(
        ", a newline-delimited JSON line: it switched framing mid-run"
    )
    assert diagnosis["remediation"].startswith("Keep the worker writing packet-4 for every answer")
    (broke,) = [e for e in diagnosis["evidence"] if e["note"] == "the bytes that broke its stream"]
    assert re.fullmatch(r"workers/w\d+\.stdout\.bin bytes 58-\d+", broke["origin"]), broke


def test_a_pooled_worker_that_closed_its_stdin_and_runs_on_is_told_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It answered its init, closed its stdin and sleeps. Before: 'could not write the request'
    (its pipe had no reader) or 'no response within 2 s' (the request written before it closed
    it), and the pattern's general advice, where ping says it closed its stdin."""
    path = tmp_path / "closes.yaml"
    text = SCENARIO.format(python=sys.executable, worker=WORKERS / "closes_stdin_after_init.py")
    text = text.replace("request_timeout: 3", "request_timeout: 2")
    path.write_text(text.replace("count: 6, concurrency: 2", "count: 2, concurrency: 1"))
    report = failed_run(run_cli, path, tmp_path / "run")
    causes = [f["outcome"]["cause"] for f in report["findings"]]
    said = re.compile(
        r"pid \d+ runs on, its fd 0 closed: it closed its stdin itself, so no request"
    )
    assert causes and all(said.search(c) for c in causes), causes
    for finding in report["findings"]:
        assert finding["outcome"]["remediation"].startswith("Keep stdin open for the requests")


def test_workers_that_closed_their_stdout_at_start_are_not_said_to_have_exited(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Each worker closes its stdout as it starts and runs on (`exec 1>&-`): the pool reads end
    of file and ends it. Before, the finding's message said '2 of 2 workers exited before
    answering their init ping', its cause 'closed its stdout while it keeps running'."""
    path = tmp_path / "closers.yaml"
    text = SCENARIO.format(python=sys.executable, worker=ANSWERS_ONCE).replace(
        f'["{sys.executable}", "{ANSWERS_ONCE}"]', json.dumps(["/bin/sh", str(CLOSES_STDOUT)])
    )
    path.write_text(text.replace("count: 6", "count: 1"))
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    message = finding["failure"]["message"]
    said = re.match(
        r"(\d+) of (\d+) workers closed their stdout and ran on before answering", message
    )
    assert said is not None and said.group(1) == said.group(2), message
    assert "exited" not in message.split(";")[0]
    assert finding["outcome"]["cause"].startswith("The worker closed its stdout while it keeps")


def test_an_init_waited_out_behind_a_child_holding_the_stdout_says_the_worker_had_ended(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Each worker's multiprocessing child sends it SIGTERM and runs on, holding its stdout:
    no end of file comes, and the init waits to its timeout. Before, the message said only
    '1 of 1 init pings got no answer within 2 s', the worker's end at once unsaid."""
    worker = WORKERS / "killed_by_its_child.py"
    path = tmp_path / "killed.yaml"
    path.write_text(
        f"name: killed\nworker: {{command: {json.dumps([sys.executable, str(worker)])}, "
        "framing: packet-4, init_timeout: 2}\npool: {size: 1, max_overflow: 0, lazy: false, "
        "checkout_timeout: 2, request_timeout: 2}\nsteps:\n  - request: {command: echo}\n"
    )
    report = failed_run(run_cli, path, tmp_path / "run")
    (finding,) = report["findings"]
    message = finding["failure"]["message"]
    assert re.match(
        r"(\d+) of \1 init pings got no answer within 2 s; \1 of them had ended at \d+\.\d{3} s "
        r"\(killed by SIGTERM \(15\)\), pid \d+ \(python\S*\) holding its stdout",
        message,
    ), message
