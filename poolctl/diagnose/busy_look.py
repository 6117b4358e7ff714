"""Whether a silent worker looked at after its wait is still starting up or busy."""

from __future__ import annotations

from .cpu_wait import starved_at_work
from .live import Live
from .observe import Observations
from .readings import request_unread


def busy_at_look(obs: Observations, live: Live) -> bool:
    """Whether the worker, at the look, was starting up or busy (its request unread, no thread
    waiting on its stdin, or its work waiting for a CPU): a longer wait, not experiments, then
    shows more. Not when a fresh copy's answer ended its wait (`failed.let_go`): that answer
    explains its silence, whatever its CPU did. mcp-server-time spoken dspex, on a CPU shared
    with three busy loops, had waited for a CPU longer than it ran and its CPU rose after the
    look, so the MCP opening's answer that had ended its wait was dropped, and the verdict
    said it waited for the rest of a message."""
    if obs.failed.let_go:
        return False
    return bool(request_unread(obs)) or live.stdin_wait() is None or starved_at_work(live)
