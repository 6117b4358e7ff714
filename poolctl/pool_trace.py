"""The pool's events with more to say than a line: a checkout granted (with the request written
for it) and a request's outcome. Traced after the next request is written: the worker works
while the pool writes down."""

from __future__ import annotations

import os

from poolctl.diagnose import procinfo
from poolctl.events import Trace
from poolctl.framing_explain import explain
from poolctl.proctree import stopped
from poolctl.protocol import Protocol, Request
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, NoAnswer


def trace_granted(
    trace: Trace,
    worker_id: str,
    caller: str,
    session: str | None,
    wait: float,
    request: Request | None,
) -> None:
    """`checkout_granted`, and the `request` written for the caller at once, if any."""
    trace.emit(
        "checkout_granted", worker=worker_id, caller=caller, session=session, wait=round(wait, 6)
    )
    if request is not None:
        trace.emit(
            "request",
            worker=worker_id,
            caller=caller,
            session=session,
            id=request.id,
            command=request.command,
        )


LOGGED_KEPT = 50  # `stderr_error` events of a run: its notes name the first few lines


def trace_outcome(
    trace: Trace,
    protocol: Protocol,
    worker_id: str,
    caller: str,
    session: str | None,
    outcome: Answer | NoAnswer,
    sizes: tuple[int, int],
    pid: int,
    partial: str = "",
    logged: str | None = None,
) -> None:
    """A request's `response` (a success or an error as the protocol reads it) or its
    `no_response`, with the bytes it took each way (`sizes`: out, in); a timeout met by a
    worker stopped (SIGSTOP, SIGTSTP, a debugger) says so: that is why it was silent; one met
    with part of a frame read (`partial`, the framing's reading of it) quotes it. A success
    during which its stderr logged an error (`logged`, the line) is followed by a `stderr_error`
    event: the answer alone reads as a success (blender-mcp with no Blender answers `Error
    getting scene info: …`)."""
    bytes_out, bytes_in = sizes
    if isinstance(outcome, Answer):
        response = outcome.response
        success, error = protocol.outcome_of(
            outcome.request.command, response.success, response.result, response.error_message
        )
        trace.emit(
            "response",
            worker=worker_id,
            caller=caller,
            session=session,
            id=outcome.request.id,
            success=success,
            seconds=round(outcome.round_trip, 6),
            error=error or None,
            bytes_out=bytes_out,
            bytes_in=bytes_in,
        )
        # an event of its own, kept in memory as routine responses are not; LOGGED_KEPT at most
        if success and logged and trace.count_of("stderr_error") < LOGGED_KEPT:
            trace.emit(
                "stderr_error", worker=worker_id, caller=caller, session=session,
                id=outcome.request.id, line=logged,
            )  # fmt: skip
    else:
        # (the keys only where they apply: every other no_response keeps its fields)
        extra: dict[str, object] = {}
        if outcome.reason == "timeout" and stopped(pid):
            extra["stopped"] = True
        if outcome.written:  # a write that failed midway: what went in, what was left unread
            extra["written"] = outcome.written
        if outcome.stdin_unread is not None:
            extra["stdin_unread"] = outcome.stdin_unread
        if partial:
            extra["partial"] = partial
        trace.emit(
            "no_response",
            worker=worker_id,
            caller=caller,
            session=session,
            id=outcome.request.id,
            reason=outcome.reason,
            detail=outcome.detail,
            bytes_out=bytes_out,
            bytes_in=bytes_in,
            **extra,
        )


def stdout_holders(process: WorkerProcess) -> list[str]:
    """The processes that hold a worker's stdout pipe once it exited, named for the finding
    while they still run (the pool's shutdown ends them): `pid 123, python`, and whether it
    left the worker's session (a daemon's setsid), as the worker led its own."""
    named = []
    for pid, _, comm in procinfo.holders_of_our_fd(process.stdout_fd, exclude=[process.pid]):
        try:
            away = os.getsid(pid) != process.pid
        except OSError:  # gone already
            continue
        named.append(f"pid {pid}, {comm}" + (", in a session of its own" if away else ""))
    return named


def partial_frame(process: WorkerProcess) -> str:
    """The framing's reading of the part of a frame the worker has written and not finished
    ("" when none): its bytes quoted, redacted, and what its header announces."""
    pending = process.pending_stdout()
    if not pending:
        return ""
    part = explain(process.redactor.bytes(pending, same_length=True), process.framing)
    return part.text if part.kind == "truncated" else ""
