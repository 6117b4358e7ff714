"""What a worker logged on stderr while it served one request: an error logged as it answered
with success is said beside the answer (@modelcontextprotocol/server-aws-kb-retrieval 0.6.2 with
no AWS region answers retrieve_from_aws_kb with 'Retrieval failed or returned no results.', no
`isError`, and logs `RAG Error: Error: Region is missing` on stderr: the answer alone reads as
a success)."""

from __future__ import annotations

import os
import re

from poolctl.worker import WorkerProcess

_ERROR = re.compile(r"(?i)\b(?:error|exception|fatal|failed|traceback)\b")
_READ_AT_MOST = 65536  # of what it logged during one request


def stderr_size(worker: WorkerProcess) -> int:
    """The size of its stderr log now (0 when there is none: merged, discarded)."""
    try:
        return os.path.getsize(worker.stderr_path)
    except OSError:
        return 0


def error_logged(worker: WorkerProcess, since: int) -> str | None:
    """The first line of its stderr log past `since` that says an error, cut to 200 characters;
    None when it logged none."""
    try:
        with open(worker.stderr_path, "rb") as log:
            log.seek(since)
            text = log.read(_READ_AT_MOST).decode("utf-8", "replace")
    except OSError:
        return None
    line = next((ln.strip() for ln in text.splitlines() if _ERROR.search(ln)), None)
    return line[:200] if line else None


def error_logged_since(worker: WorkerProcess, since: int) -> str | None:
    """`error_logged`, its log read only when it grew (a pool asks at every answer)."""
    return error_logged(worker, since) if stderr_size(worker) > since else None
