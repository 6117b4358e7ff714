"""A request still whole in the worker's stdin pipe as its timeout ended the wait, and read
before the diagnosis' first look: the look alone finds the pipe empty, as it does for a worker
that read the request at once and was slow to answer it. Watched over the look, the read's
time tells a start that outlasted the timeout from a request slow to handle. (One read only
in poolctl's longer wait for a slow start is `read_since`.)"""

from __future__ import annotations

from types import TracebackType

from poolctl.worker import WorkerProcess
from poolctl.worker_types import NoAnswer

from .observe import Observations
from .read_watch import ReadWatch
from .readings import request_unread


class FirstRead:
    """Watches the stdin pipe over the first look when the failed request lay whole in it at
    its timeout; `read_by` is then the seconds since spawn by which it was read."""

    def __init__(self, worker: WorkerProcess, failed: NoAnswer) -> None:
        size = len(worker.framing.encode(failed.request.to_json())) - worker.unwritten
        unread = worker.unread_at_timeout
        last = worker.last_request
        stdin = worker.proc.stdin if worker.proc is not None else None
        self.whole = (
            failed.reason == "timeout"
            and last is not None
            and last[0] == failed.request.id
            and unread is not None
            and unread >= size > 0
            and stdin is not None
            and not stdin.closed
        )
        self.began = worker.elapsed()
        self._watch = ReadWatch(worker) if self.whole else None

    def __enter__(self) -> FirstRead:
        if self._watch is not None:
            self._watch.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._watch is not None:
            self._watch.__exit__(kind, error, trace)

    def read_by(self, obs: Observations) -> float | None:
        """When the look found the request read, that had lay whole in the pipe at the timeout:
        the watch's time, or (read before its first sample) the diagnosis' start."""
        if self._watch is None or request_unread(obs) is not False:
            return None
        return self._watch.read_at if self._watch.read_at is not None else self.began


def read_since(obs: Observations, worker: WorkerProcess) -> bool:
    """Whether the worker, its request unread at its timeout, read it while poolctl waited on
    for a slow start, and is still there, silent, its stdin open."""
    if obs.read_in_wait is None or obs.late_answer is not None or obs.close_probe is not None:
        return False
    return worker.poll() is None and not worker.stdout_eof and worker.frame_error is None
