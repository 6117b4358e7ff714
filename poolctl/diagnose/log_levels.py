"""The error-level records of a worker's log: what a worker that exits on purpose, not on an
exception, says before it goes."""

from __future__ import annotations

import re

# A log record at error level: Python logging's default `ERROR:name:message`, or a level word
# after a timestamp or in brackets (`2026-01-01 12:00:00 ERROR …`, `[FATAL] …`, `level=error`),
# or the level's letter opening a bracketed tag with the time and the logger (mcp-proxy 0.13.0's
# `[E 2026-12-03 04:25:51,158.158 mcp_proxy.__main__] Either a command_or_url … must be
# provided for stdio mode.`). Upper case only (or `level=`): "error" inside a message is no level.
_LOGGED_ERROR = re.compile(
    r"^(?:(?:CRITICAL|ERROR|FATAL):[\w.]*:.*"
    r"|\[[CEF] \d[^\]\n]{0,80}\][ \t]*\S.*"
    r"|(?:\S+[ \t]+){0,3}?\[?(?:CRITICAL|ERROR|FATAL)\]?[ \t:|-]+\S.*"
    r"|.*\blevel=(?:error|fatal|critical)\b.*)$",
    re.M,
)


def logged_error(stderr: str) -> str | None:
    """The last error-level log record on stderr: what a worker that exits on purpose, not on
    an exception, says before it goes (`ERROR:mcp_server_git.server:/x does not exist`)."""
    found = [m.group(0).strip() for m in _LOGGED_ERROR.finditer(stderr)]
    return found[-1][:300] if found else None
