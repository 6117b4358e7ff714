"""A stream that broke after the last answer: the session passed, but a client reading on would
have stopped there. pytest-language-server 0.24.0 started as `sh -c 'pytest-language-server
2>&1'` answers initialize and shutdown, then logs `WARN … No virtual environment found` as it
scans the workspace: the line lands in its stdout, inside a Content-Length frame, and its
editor's reader fails on that frame. ping said nothing, its last answer read before it."""

from __future__ import annotations

from poolctl.worker import WorkerProcess


def broken_after_last(worker: WorkerProcess) -> str:
    """A note when a frame after the last answer was no message ("" otherwise)."""
    error = worker.frame_error
    if error is None:
        return ""
    said = (
        f"after its last answer its stdout broke the stream ({error.message}): a client "
        "reading on stops there, as a strict reader stops at the first frame that is no message"
    )
    if any("2>&1" in word for word in worker.spec.argv):
        said += (
            "; its command sends its stderr to stdout (`2>&1`), where a line it logs lands "
            "among the frames: keep its stderr apart"
        )
    return said
