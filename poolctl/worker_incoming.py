"""What a server sends unasked, kept as evidence: its notifications, and its requests to the
client, each answered minimally (as a client without the capability would) unless the session
is closing; those are held, and answered only if the closing waits for them."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from poolctl.errors import FramingError
from poolctl.protocol import (
    Incoming,
    Misencoded,
    NotJSON,
    StrayOutput,
    answer_server_request,
    dumps,
)
from poolctl.protocol.messages import BLANK_LINE, NOT_JSON_ANSWER

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess

INCOMING_KEPT = 100  # notifications and server requests kept as evidence

# How long a closing request (LSP's shutdown) goes unanswered, while a request of the server's
# is held, before that request is answered after all: a server that handles its messages one
# at a time waits for its own request's answer before it reads shutdown (gopls asks
# window/workDoneProgress/create once initialized, and answers shutdown only after it). A
# server that answers shutdown sooner gets no answer after it (pyrefly logs one as an ERROR).
HELD_GRACE_S = 2.0


def keep_incoming(worker: WorkerProcess, message: Incoming) -> None:
    """Keep a notification; answer a request from the server, minimally, and keep it."""
    if not message.is_request:
        worker.notification_count += 1
        worker.recent_notifications.append((worker.elapsed(), message))
        if len(worker.notifications) < INCOMING_KEPT:
            worker.notifications.append(message)
        return
    if worker.closing:
        if len(worker.left_unanswered) < INCOMING_KEPT:
            worker.left_unanswered.append(message.method)
            worker.held.append(message)
        return
    _answer(worker, message)


def answer_held(worker: WorkerProcess) -> None:
    """Answer the server's requests held since the closing began: the closing waits for them."""
    for message in worker.held:
        worker.left_unanswered.remove(message.method)
        worker.answered_in_closing.append(message.method)
        _answer(worker, message)
    worker.held.clear()


def _answer(worker: WorkerProcess, message: Incoming) -> None:
    if len(worker.server_requests) < INCOMING_KEPT:
        worker.server_requests.append(message)
    body = {"jsonrpc": "2.0", "id": message.id}
    body.update(answer_server_request(message.method, message.params))
    with contextlib.suppress(FramingError, OSError):
        worker.write(worker.framing.encode(dumps(body)), time.monotonic() + 1.0)


def not_json(worker: WorkerProcess, exc: NotJSON, payload: bytes, jsonrpc: bool) -> None:
    """A frame that is no JSON message: its answer misencoded is a frame answering nothing
    (behind a length header, JSON written by hand is JSON cut short by a miscounting header);
    else it breaks the stream where a strict reader stops (in JSON-RPC, or a line before the
    first message), or is set aside. Behind a break the decoder met, the break holds."""
    by_hand = exc.message.startswith(NOT_JSON_ANSWER) and not worker.framing.is_line
    # a blank line is an extra newline, named as one wherever it comes (before the first
    # message too: it was stray text there, or a stream broken on nothing to quote)
    blank = exc.message == BLANK_LINE and worker.framing.is_line
    if worker.pending_break is not None and not isinstance(exc, Misencoded):
        # behind a break only answers are read on: a frame of no JSON before it (a flood of
        # binary) leaves the break where the decoder met it, its bytes placed
        worker.frame_error = worker.pending_break
    elif isinstance(exc, Misencoded) and not by_hand:
        worker.messages_read += 1
        worker.set_aside(f"{exc.message}: {worker.quoted(payload)}", payload)
    elif not blank and (jsonrpc or (not worker.messages_read and worker.framing.is_line)):
        worker.frame_error = StrayOutput(payload, first=not worker.messages_read)
    else:
        worker.set_aside(f"{exc.message}: {worker.quoted(payload)}", payload)
