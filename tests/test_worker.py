"""WorkerProcess with real processes: capture, transcript, exit status, stopping."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from poolctl.children import Children
from poolctl.errors import WorkerStartError
from poolctl.proctree import descendants
from poolctl.protocol import TextBeforeFirstMessage
from poolctl.worker import Answer, NoAnswer, StderrMode, WorkerSpec
from tests.conftest import REFERENCE, Processes, ReferenceWorker, SpawnWorker


def test_exchange_records_pid_first_byte_and_round_trip(reference_worker: ReferenceWorker) -> None:
    with reference_worker("--mode", "PythonPool") as w:
        answer = w.exchange("ping", timeout=10)
        assert isinstance(answer, Answer)
        assert answer.response.result["pid"] == w.pid
        assert answer.response.result["mode"] == "PythonPool"
        assert w.time_to_first_byte is not None and w.time_to_first_byte > 0
        echo = w.exchange("echo", {"k": [1, 2]}, timeout=5)
        assert isinstance(echo, Answer) and echo.response.result == {"k": [1, 2]}
    assert w.exit_status is not None and w.exit_status.code == 0
    assert w.stopped_by == "exited when stdin closed"


def test_the_time_since_spawn_counts_from_before_the_fork(
    reference_worker: ReferenceWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy process (another thread holding the GIL) may return from the spawn long after
    the child began: the time to its answer still covers the worker's own 0.4 s init (doctor
    measured a start of 0.84 s for a worker whose imports alone took 1.4 s)."""
    spawn = Children.spawn

    def returns_late(self: Children, *args: Any, **kwargs: Any) -> Any:
        proc = spawn(self, *args, **kwargs)
        time.sleep(0.5)  # the child runs on meanwhile
        return proc

    monkeypatch.setattr(Children, "spawn", returns_late)
    with reference_worker("--init-delay", "0.4") as w:
        assert isinstance(w.exchange("ping", timeout=10), Answer)
        assert w.elapsed() >= 0.5
        assert w.time_to_first_byte is not None and w.time_to_first_byte >= 0.4


def test_fifty_megabytes_of_stderr_neither_block_nor_lose_a_byte(
    reference_worker: ReferenceWorker,
) -> None:
    with reference_worker() as w:
        answer = w.exchange("write_stderr", {"text": "e" * 1023, "repeat": 51200}, timeout=60)
        assert isinstance(answer, Answer), answer
        assert isinstance(w.exchange("ping", timeout=5), Answer)
    assert w.stderr_path.stat().st_size == 51200 * 1024 == answer.response.result["written"]


def test_stdout_transcript_is_bounded_but_counts_everything(
    tmp_path: Path, spawn_worker: SpawnWorker
) -> None:
    spec = WorkerSpec(argv=(*REFERENCE, "--framing", "line"), framing="line")
    w = spawn_worker(spec, tmp_path, transcript_limit=4096)
    with w:
        assert isinstance(w.exchange("ping", timeout=10), Answer)
        answer = w.exchange("write_stdout", {"text": "noise\n", "repeat": 10000}, timeout=10)
        assert isinstance(answer, Answer)
    assert len(w.transcript.data) == 4096
    assert w.transcript.total > 60000 and w.transcript.dropped == w.transcript.total - 4096
    assert w.stdout_path.read_bytes() == bytes(w.transcript.data)
    # after the first message, each noise line is set aside, not mistaken for the answer;
    # only the first few are kept
    assert w.stray_count == 10000 and len(w.stray) == 100


def test_text_before_the_first_line_message_breaks_the_stream(
    reference_worker: ReferenceWorker,
) -> None:
    """As for a strict reader: a line that is not JSON where the first message should be is
    text on the framed stream, never set aside, though the answer follows it."""
    w = reference_worker("--framing", "line", "--stdout-noise", "Starting...", framing="line")
    with w:
        outcome = w.exchange("ping", timeout=5)
        assert isinstance(outcome, NoAnswer) and outcome.reason == "bad-frame"
        assert outcome.detail == "text where the first message should be: 'Starting...'"
        assert w.stray == []
        assert isinstance(w.frame_error, TextBeforeFirstMessage)
        assert w.frame_error.payload == b"Starting..."


def test_merge_mode_puts_stderr_on_stdout(reference_worker: ReferenceWorker) -> None:
    w = reference_worker("--stderr-noise", "Warning: DSPy not available", stderr=StderrMode.MERGE)
    with w:
        outcome = w.exchange("ping", timeout=5)
    assert isinstance(outcome, NoAnswer) and outcome.reason == "bad-frame"
    assert bytes(w.transcript.data).startswith(b"Warning: DSPy not available\n")
    assert not w.stderr_path.exists()


def test_crash_at_start_gives_exit_code_and_traceback(reference_worker: ReferenceWorker) -> None:
    w = reference_worker("--crash-on-start", "3")
    with w:
        outcome = w.exchange("ping", timeout=5)
    assert isinstance(outcome, NoAnswer) and outcome.reason in ("exited", "write-failed")
    assert w.exit_status is not None and w.exit_status.code == 3
    assert "RuntimeError: worker failed to start" in w.stderr_tail()


def test_worker_ignoring_sigterm_is_killed_after_grace(reference_worker: ReferenceWorker) -> None:
    w = reference_worker("--ignore-sigterm", "--hang-on-eof")
    assert isinstance(w.exchange("ping", timeout=10), Answer)
    began = time.monotonic()
    status = w.stop(grace=0.5)
    assert status is not None and status.signal == 9
    assert "SIGKILL" in w.stopped_by
    assert time.monotonic() - began < 5


def test_a_stopped_worker_ends_on_sigterm_not_after_the_grace(
    tmp_path: Path, spawn_worker: SpawnWorker
) -> None:
    """A stopped process acts on SIGTERM only once continued: stop() continues it."""
    script = Path(__file__).parent / "workers" / "stops_itself.sh"
    w = spawn_worker(WorkerSpec(argv=(str(script),)), tmp_path)
    deadline = time.monotonic() + 5
    while _state(w.pid) != b"T" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _state(w.pid) == b"T"
    status = w.stop(grace=30)
    assert status is not None and status.signal == signal.SIGTERM
    assert w.stopped_by == "SIGTERM"


def _state(pid: int) -> bytes:
    with open(f"/proc/{pid}/stat", "rb") as f:
        return f.read().rsplit(b")", 1)[1].split()[0]


def test_stop_kills_children_even_outside_the_process_group(
    tmp_path: Path, spawn_worker: SpawnWorker
) -> None:
    script = "setsid sleep 300 & sleep 300 & exec cat"
    w = spawn_worker(WorkerSpec(argv=("sh", "-c", script)), tmp_path)
    deadline = time.monotonic() + 5
    while len(descendants(w.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    children = descendants(w.pid)
    assert len(children) == 2
    w.stop(grace=1)
    # killed at once, yet a loaded machine may run their exits late: wait for them, not 0.2 s
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in children:
        assert not _running(pid), f"child {pid} survived"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False


def test_command_not_found_is_a_start_error(tmp_path: Path, spawn_worker: SpawnWorker) -> None:
    with pytest.raises(WorkerStartError, match="command not found: no-such-worker"):
        spawn_worker(WorkerSpec(argv=("no-such-worker",)), tmp_path)


def test_debug_log_records_each_message(tmp_path: Path, reference_worker: ReferenceWorker) -> None:
    log = tmp_path / "debug.log"
    with reference_worker(env={"POOLCTL_DEBUG_LOG": str(log), "POOLCTL_WORKER_ID": "w7"}) as w:
        assert isinstance(w.exchange("ping", timeout=10), Answer)
    lines = log.read_text().splitlines()
    assert len(lines) == 3
    assert " w7 in " in lines[0] and '"command":"ping"' in lines[0]
    assert " w7 out " in lines[1] and '"success":true' in lines[1]
    assert " w7 eof " in lines[2]  # its stdin closed when it was stopped


def _log_lines(log: Path, wanted: int, wait: Callable[[float], None]) -> list[str]:
    """The log's lines once it has `wanted` of them (or after 10 s, whatever it has)."""
    end = time.monotonic() + 10
    lines = log.read_text().splitlines() if log.exists() else []
    while len(lines) < wanted and time.monotonic() < end:
        wait(0.02)
        lines = log.read_text().splitlines() if log.exists() else []
    return lines


def test_debug_log_reaches_its_file_while_the_worker_waits(
    tmp_path: Path, reference_worker: ReferenceWorker, real_sleep: Callable[[float], None]
) -> None:
    """Lines are written off the answer's path, yet on disk soon after, with no end of input."""
    log = tmp_path / "debug.log"
    with reference_worker(env={"POOLCTL_DEBUG_LOG": str(log), "POOLCTL_WORKER_ID": "w3"}) as w:
        for i in range(5):
            assert isinstance(w.exchange("echo", {"i": i}, timeout=10), Answer)
        lines = _log_lines(log, 10, real_sleep)
        assert w.alive()  # still waiting for its next request: the timer wrote them
    assert [line.split()[2] for line in lines] == ["in", "out"] * 5
    assert all(" w3 " in line and line[:4].isdigit() and "Z w3" in line for line in lines)


def test_debug_log_is_complete_when_sigterm_ends_the_worker(
    tmp_path: Path, reference_worker: ReferenceWorker
) -> None:
    log = tmp_path / "debug.log"
    with reference_worker(env={"POOLCTL_DEBUG_LOG": str(log)}) as w:
        for i in range(20):
            assert isinstance(w.exchange("echo", {"i": i}, timeout=10), Answer)
        os.kill(w.pid, signal.SIGTERM)  # before its stdin closes: the handler writes the rest
        w.stop(5.0)
    assert w.exit_status is not None and w.exit_status.signal == signal.SIGTERM
    lines = log.read_text().splitlines()
    assert [line.split()[2] for line in lines] == ["in", "out"] * 20
    assert [f'"i":{i}' in line for i, line in enumerate(lines[::2])] == [True] * 20


def test_debug_log_leaves_no_alarm_pending_once_written(
    tmp_path: Path, processes: Processes
) -> None:
    """Its timer is disarmed by the last write: an alarm left pending would kill a worker
    that exits at end of input (SIGALRM, once the interpreter has reset its handlers)."""
    code = (
        "import signal, sys\n"
        "from poolctl.workers.reference import DebugLog\n"
        "log = DebugLog(sys.argv[1], 'w1')\n"
        "log.write('in', b'{}')\n"
        "armed = signal.getitimer(signal.ITIMER_REAL)[0] > 0\n"
        "log.flush()\n"
        "print(armed, signal.getitimer(signal.ITIMER_REAL))\n"
    )
    done = processes.run([sys.executable, "-c", code, str(tmp_path / "debug.log")], timeout=30)
    assert done.returncode == 0 and done.stdout.split() == ["True", "(0.0,", "0.0)"], done
    assert (tmp_path / "debug.log").read_text().endswith(" w1 in {}\n")


def test_unset_env_removes_inherited_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POOLCTL_SOMETHING", "1")
    spec = WorkerSpec(argv=("true",), unset_env=("POOLCTL_SOMETHING",), env={"X": "y"})
    env = spec.environment()
    assert "POOLCTL_SOMETHING" not in env and env["X"] == "y" and env["PATH"] == os.environ["PATH"]
