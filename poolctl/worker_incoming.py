"""What a server sends unasked, kept as evidence: its notifications, and its requests to the
client, each answered minimally (as a client without the capability would) unless the session
is closing."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from poolctl.errors import FramingError
from poolctl.protocol import Incoming, answer_server_request, dumps

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess

INCOMING_KEPT = 100  # notifications and server requests kept as evidence


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
        return
    if len(worker.server_requests) < INCOMING_KEPT:
        worker.server_requests.append(message)
    body = {"jsonrpc": "2.0", "id": message.id}
    body.update(answer_server_request(message.method, message.params))
    with contextlib.suppress(FramingError, OSError):
        worker.write(worker.framing.encode(dumps(body)), time.monotonic() + 1.0)
