"""What a worker logged on stderr while it served one request: an error logged as it answered
with success is said beside the answer (@modelcontextprotocol/server-aws-kb-retrieval 0.6.2 with
no AWS region answers retrieve_from_aws_kb with 'Retrieval failed or returned no results.', no
`isError`, and logs `RAG Error: Error: Region is missing` on stderr: the answer alone reads as
a success)."""

from __future__ import annotations

import json
import os
import re

from poolctl.worker import WorkerProcess

_ERROR = re.compile(r"(?i)\b(?:error|exception|fatal|failed|traceback)\b")
_READ_AT_MOST = 65536  # of what it logged during one request
# Python's warnings show the source line that warned under their own (`file.py:489:
# MCPDeprecationWarning: …`, then `  await ctx.error(str(e))`): code, no error logged
# (duckduckgo-mcp-server 0.7.0 on the MCP SDK 2 warns so at each call of its logging)
_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")
# MCP's log levels at error and above
MCP_ERRORS = ("error", "critical", "alert", "emergency")


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
    lines = text.splitlines()
    shown = {i + 1 for i, ln in enumerate(lines) if _WARNING.match(ln)}  # the lines they show
    line = next(
        (ln.strip() for i, ln in enumerate(lines) if i not in shown and _ERROR.search(ln)), None
    )
    return line[:200] if line else None


def error_reported_since(worker: WorkerProcess, before: int) -> tuple[str, str] | None:
    """The first MCP log message at an error level it sent after its `before`th notification:
    its level and text (cut to 200 characters); None when it sent none. duckduckgo-mcp-server
    0.7.0 offline answers a search with 'No results were found …', a success, having sent
    `The 'curl' search backend requires curl_cffi, which is not installed. …` at level error."""
    count = worker.notification_count - before
    for _, message in list(worker.recent_notifications)[-count:] if count > 0 else []:
        params = message.params if isinstance(message.params, dict) else {}
        if message.method == "notifications/message" and params.get("level") in MCP_ERRORS:
            data = params.get("data")
            text = data if isinstance(data, str) else json.dumps(data)
            return str(params["level"]), text[:200]
    return None


def error_logged_since(worker: WorkerProcess, since: int) -> str | None:
    """`error_logged`, its log read only when it grew (a pool asks at every answer)."""
    return error_logged(worker, since) if stderr_size(worker) > since else None
