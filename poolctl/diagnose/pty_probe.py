"""Run a worker with its stdout on a pseudo-terminal, to test the buffering hypothesis.

Only stdout is a terminal: stdin stays a pipe (binary requests never meet the line discipline)
and stderr goes where the worker's spec says. The terminal is put in raw mode, otherwise it
rewrites every `\\n` the worker writes as `\\r\\n` (a worker that turns that back on, as
`stty sane` does, has it undone: poolctl/diagnose/terminal_output.py). A C or Perl program, or
Python's text layer, line-buffers a terminal and block-buffers a pipe: a worker that answers
here and not on a pipe holds its answers in a buffer. This is a test, never a transport.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import time
import tty
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from poolctl.children import Children
from poolctl.errors import PoolctlError, ProtocolError
from poolctl.framing import Framing
from poolctl.proctree import descendants, family_of, tick_now
from poolctl.protocol import parse_response
from poolctl.stderr_cap import StderrCap, StderrCaps
from poolctl.units import fmt_limit
from poolctl.worker_types import TOKEN_ENV, StderrMode, WorkerSpec

from .terminal_output import UNDONE_SAID, CarriageReturnsUndone

TRANSCRIPT_LIMIT = 1 << 20
STOP_POLL = 0.05  # how often a run that may be stopped early looks whether it is


class PtyRun:
    """What came back through the terminal (its first MiB also streamed to `transcript`)."""

    def __init__(self, transcript: Path | None = None) -> None:
        self.stdout = bytearray()
        self.answer_after: float | None = None  # seconds from before the write to the answer read
        self.exit: int | None = None
        self.detail = ""
        self._fd = (
            os.open(transcript, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            if transcript is not None
            else None
        )

    def add(self, chunk: bytes) -> None:
        room = TRANSCRIPT_LIMIT - len(self.stdout)
        self.stdout += chunk
        if self._fd is not None and room > 0:
            with contextlib.suppress(OSError):
                os.write(self._fd, chunk[:room])

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def run_on_pty(
    spec: WorkerSpec,
    framing: Framing,
    request_frame: bytes,
    request_id: Any,
    timeout: float,
    capture_dir: Path,
    worker_id: str,
    children: Children | None = None,
    stop: Callable[[], str | None] | None = None,
    caps: StderrCaps | None = None,
) -> PtyRun:
    """Start `spec` with stdout on a raw pty, send one request, wait up to `timeout` (or until
    `stop` gives a reason to stop waiting); the process is one of the run's `children`, its
    stderr log one of its `caps`."""
    children = children if children is not None else Children()
    capture_dir.mkdir(parents=True, exist_ok=True)
    result = PtyRun(capture_dir / f"{worker_id}.stdout.bin")
    master, slave = pty.openpty()
    tty.setraw(slave)
    stderr: Any
    cap: StderrCap | None = None
    if spec.stderr is StderrMode.CAPTURE:
        log = capture_dir / f"{worker_id}.stderr.log"
        cap = caps.open(log) if caps is not None else None  # held to a size on disk
        stderr = open(log, "wb")  # noqa: SIM115
    elif spec.stderr is StderrMode.MERGE:
        stderr = slave
    else:
        stderr = subprocess.DEVNULL
    token, since = uuid.uuid4().hex, tick_now()  # no process started before can carry it
    try:
        proc = children.spawn(
            spec.argv,
            stdin=subprocess.PIPE,
            stdout=slave,
            stderr=stderr,
            env={**spec.environment(), TOKEN_ENV: token},
            cwd=spec.cwd,
            bufsize=0,
        )
    except (OSError, PoolctlError) as exc:
        os.close(master)
        os.close(slave)
        result.close()
        if caps is not None:
            caps.close(cap)
        result.detail = f"could not start: {exc}"
        return result
    finally:
        if hasattr(stderr, "close"):
            stderr.close()
    os.close(slave)
    if cap is not None:  # stopped by it where no hole can be punched
        cap.pid = proc.pid
    try:
        _exchange(proc, master, framing, request_frame, request_id, timeout, result, stop)
    finally:
        _stop(proc, token, since)
        children.forget(proc)
        if caps is not None:
            caps.close(cap)
        with contextlib.suppress(OSError):
            while select.select([master], [], [], 0)[0]:
                chunk = os.read(master, 65536)
                if not chunk:
                    break
                result.add(chunk)
        os.close(master)
        result.close()
    return result


def _exchange(
    proc: subprocess.Popen[bytes],
    master: int,
    framing: Framing,
    request_frame: bytes,
    request_id: Any,
    timeout: float,
    result: PtyRun,
    stop: Callable[[], str | None] | None = None,
) -> None:
    assert proc.stdin is not None
    sent = time.monotonic()  # the answer is timed from before the write to its frame's read
    try:
        proc.stdin.write(request_frame)
    except OSError as exc:
        result.detail = f"could not write the request: {exc}"
        return
    deadline = sent + timeout
    decoder = framing.decoder()
    undone = CarriageReturnsUndone(master)  # a worker that turned output processing back on
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.detail = f"no answer within {fmt_limit(timeout)}"
            return
        if stop is not None:
            result.detail = stop() or ""
            if result.detail:
                return
            remaining = min(remaining, STOP_POLL)
        ready, _, _ = select.select([master], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every holder of the terminal's other side has closed it
            chunk = b""
        read_at = time.monotonic()
        if not chunk:
            result.exit = proc.poll()
            result.detail = "the worker closed the terminal without answering"
            return
        result.add(chunk)
        for payload in decoder.feed(undone.feed(chunk)):
            with contextlib.suppress(ProtocolError):
                parse_response(payload, request_id)
                result.answer_after = read_at - sent
                result.detail = f"answered in {result.answer_after * 1000:.1f} ms"
                result.detail += UNDONE_SAID if undone.seen else ""
                return
        if decoder.error is not None:
            result.detail = f"bad frame: {decoder.error.message}"
            return


def _stop(proc: subprocess.Popen[bytes], token: str, since: int, grace: float = 0.5) -> None:
    family = family_of(proc.pid, TOKEN_ENV, token, since)
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(0.1)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is None or family:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            for pid in family | descendants(proc.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            if sig is signal.SIGTERM:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(grace)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5.0)
