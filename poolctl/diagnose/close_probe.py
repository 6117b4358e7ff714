"""The close probe: the worker's stdin closed, and what comes out as it exits. A worker that holds
its answer in a stdio buffer flushes it then; one still working on the request may answer it
later (`answer_after_close`), or say its input closed (the MCP SDK's `Connection closed`)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from poolctl import json_text
from poolctl.protocol import Request, Response
from poolctl.protocol.messages import carries_answer
from poolctl.worker import WorkerProcess
from poolctl.worker_types import ExitStatus


@dataclass(frozen=True)
class CloseProbe:
    """What closing the worker's stdin brought out: a buffered worker flushes as it exits."""

    exit: ExitStatus | None
    flushed: bytes
    answered: bool
    seconds: float
    offset: int  # where the flushed bytes start in the stdout transcript
    # a JSON line among them answering the request, when the framing read none: a worker that
    # reads lines parses the request once end of input ends the line it is on
    line_answer: bytes = b""
    # its answer because its input closed (the MCP SDK's `Connection closed`): none held back
    cancelled: str = ""
    at: float = 0.0  # seconds since spawn when it ended (its answer, if any, had come by then)


def answer_in(data: bytes, request: Request) -> bool:
    """A response to `request` anywhere in `data` (by its id, and its envelope's success or
    result field)."""
    return carries_answer(data, request.id, request.envelope)


def close_stdin(worker: WorkerProcess, request: Request, wait: float = 1.0) -> CloseProbe:
    """Close the worker's stdin and collect what comes out while it exits.

    A worker that holds its answer in a stdio buffer flushes it when it exits at end of input;
    a worker waiting for the rest of a frame exits with nothing to say.
    """
    assert worker.proc is not None and worker.proc.stdin is not None
    offset = len(worker.transcript.data)
    start = time.monotonic()
    worker.close_stdin()
    end = start + wait
    while not worker.stdout_eof and time.monotonic() < end:
        worker.read_stdout(end - time.monotonic())
    while worker.poll() is None and time.monotonic() < end:
        time.sleep(0.02)
    flushed = worker.redactor.bytes(bytes(worker.transcript.data[offset:]), same_length=True)
    response = worker.take_answer(request)
    cancelled = _cancelled_by_close(response)
    answered = response is not None and not cancelled
    line = b"" if response is not None else _line_answer(flushed, request)
    took = time.monotonic() - start
    status = worker.poll()
    return CloseProbe(status, flushed, answered, took, offset, line, cancelled, worker.elapsed())


# An error reply that says the input closed or the request was cancelled: what a server sends
# for a request it is still working on when its stdin closes (the MCP Python SDK answers
# -32000 "Connection closed"), not an answer it had held back in a buffer.
_CLOSED = re.compile(
    r"\b(connection|stream|input|stdin|transport)\b.{0,20}\bclosed\b|\bcancel", re.I
)


def _cancelled_by_close(response: Response | None) -> str:
    """The error message of `response` when it says the input closed, else ""."""
    if response is None or response.success or not isinstance(response.error, dict):
        return ""
    message = str(response.error.get("message", ""))
    return message if _CLOSED.search(message) else ""


def _line_answer(data: bytes, request: Request) -> bytes:
    """The line of `data` that is a JSON response to `request` (b"" when none is)."""
    for line in data.split(b"\n"):
        if not line.lstrip().startswith(b"{"):
            continue
        try:
            message = json_text.loads(line)
        except ValueError:
            continue
        replied = isinstance(message, dict) and message.get("id") == request.id
        if replied and any(k in message for k in ("result", "error", "success")):
            return line.strip()
    return b""


def answer_after_close(worker: WorkerProcess, request: Request, probe: CloseProbe) -> float | None:
    """Seconds since spawn by which an answer to `request` had come after the close probe
    ended with the worker running on, answerless: an event loop's task slower than the
    timeout finishes once its stdin is closed, later than the probe waits (it had read a whole
    request: it answered it). Read now, without taking it (the session's count of answers is
    evidence of earlier requests); None when none came, or only the error of a request cut
    short by its input closing."""
    if probe.exit is not None or probe.answered or probe.cancelled:
        return None
    end = time.monotonic() + 0.2  # what is in the pipe: a worker writing on is not waited for
    while not worker.stdout_eof and time.monotonic() < end and worker.read_stdout(0.0):
        pass
    came = bytes(worker.transcript.data[probe.offset :])
    if not answer_in(came, request) or (
        b'"error"' in came and _CLOSED.search(came.decode("utf-8", "replace"))
    ):
        return None
    return worker.elapsed()
