"""Whether a silent worker's diagnosis asks the other protocols' openings before the framings.

The framings' and buffering experiments start up to seven fresh copies of the worker at once,
and the openings wait until those are past their start. For a cheap worker (the reference
worker starts in 20 ms of CPU) that order is right: a framing is the likelier fault, and an
opening costs a copy. For an MCP or language server spoken a protocol with no handshake
(dspex, JSON-RPC) it is not: only an opening can name its protocol, and each copy is a Node or
MCP SDK start (0.2-0.6 s of CPU here, more under load), so the openings waited seconds behind
copies whose results the answer then let go (mcp-server-time spoken dspex: its opening asked
4.8 s after the framings' copies began, on two cores). So the openings go first when the
worker's own start took `COSTLY_START` of CPU or more and its command line or stderr names a
JSON-RPC server; the framings' copies then wait for them (`EarlyExperiments`).
"""

from __future__ import annotations

import re

from poolctl.proctree import descendants
from poolctl.worker import WorkerProcess

from .observe import stderr_now
from .procinfo import tree_cpu_seconds

# s of CPU: five times the reference worker's start (0.02 s); a Node MCP server's is 0.2-0.3 s,
# mcp-server-time's 0.6 s (measured on the 2-core machine, 2026-12-03)
COSTLY_START = 0.1
# what names a JSON-RPC server in a command line or a start-up banner
_SERVER_WORDS = re.compile(r"mcp|lsp|language[-_ ]?server|modelcontextprotocol|json-?rpc", re.I)


def openings_first(worker: WorkerProcess) -> str:
    """Why the openings are asked before the framings' copies ("" when they are not): the
    worker, spoken a protocol without a handshake, is a costly start that names itself a
    JSON-RPC server. Read when its silence begins the experiments."""
    if worker.protocol.handshake or worker.pid is None:
        return ""
    cpu = tree_cpu_seconds([worker.pid, *descendants(worker.pid)])
    if cpu is None or cpu < COSTLY_START:
        return ""
    named = _SERVER_WORDS.search(" ".join(worker.spec.argv)) or _SERVER_WORDS.search(
        stderr_now(worker)
    )
    if named is None:
        return ""
    return f"its start took {cpu:.2f} s of CPU, and {named[0]!r} names a JSON-RPC server"
