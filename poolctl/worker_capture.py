"""A worker's capture files, opened before it is spawned and closed if it cannot start: its
stdout transcript (on disk as it arrives, from the start) and, as its stderr mode says, its
stderr log (held to a size) or poolctl's own /dev/null (see `same_stderr`)."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any

from poolctl.executable import no_descriptor_left
from poolctl.worker_types import StderrMode

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess


def open_captures(worker: WorkerProcess) -> Any:
    """Open `worker`'s capture files; the stderr its process is given (STDOUT when merged).
    No descriptor left for them (`ulimit -n`) is said in one line."""
    stderr: Any = subprocess.STDOUT  # merged
    try:
        worker.transcript.open(worker.stdout_path)
        if worker.spec.stderr is StderrMode.CAPTURE:
            worker.stderr_cap = worker.context.stderr_caps.open(worker.stderr_path)
            stderr = open(worker.stderr_path, "wb")  # noqa: SIM115  (the child holds it open)
        elif worker.spec.stderr is StderrMode.DISCARD:
            stderr = worker.context.devnull()
    except OSError as exc:
        close_captures(worker)
        raise no_descriptor_left(exc) from None
    return stderr


def close_captures(worker: WorkerProcess) -> None:
    """Close what `open_captures` opened, the worker not started (each failed start left one
    descriptor more open before)."""
    worker.transcript.close()
    worker.context.stderr_caps.close(worker.stderr_cap)
