"""A scenario's notifications to its pool (a language server's textDocument/didOpen).

Each worker is a server of its own, and a request may go to any of them: a notification is
written to every worker ready when its step runs, and to each worker that starts later, in the
order the steps gave them, after its handshake and before it takes its first request. A
language server refuses a hover on a document no didOpen opened (autotools-language-server:
`KeyError: '<uri>'`), so every worker must have been told of it.
"""

from __future__ import annotations

from typing import Any

from poolctl.events import Trace
from poolctl.pool_worker import PooledWorker


class Notifications:
    """The notifications sent so far, and how many of them each worker was given."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.sent: list[tuple[str, Any]] = []  # (method, params), in the steps' order
        self._given: dict[str, int] = {}  # worker id -> how many of `sent` it was written

    def add(self, method: str, params: Any) -> None:
        self.sent.append((method, params))

    async def catch_up(self, worker: PooledWorker, timeout: float) -> None:
        """Write `worker` each notification it was not given yet (none: no await at all). The
        count moves before each write, so a step's write and an init's never send one twice."""
        while (given := self._given.get(worker.id, 0)) < len(self.sent):
            self._given[worker.id] = given + 1
            method, params = self.sent[given]
            note = worker.process.ids.notification(method, params)
            ok = await worker.write_frame(worker.process.send(note), timeout)
            self.trace.emit("notification", worker=worker.id, method=method, ok=ok)
            if not ok:  # it stopped reading: its end is told by its exit, not here
                return
