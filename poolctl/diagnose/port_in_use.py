"""A server that exits because the address it listens on is taken: a server that listens is no
server of its stdin and stdout, and each copy a pool starts claims the same port. The MCP Apps
example servers (@modelcontextprotocol/server-system-monitor 2.0.3) serve HTTP on $PORT (3001)
unless given `--stdio`; `poolctl doctor` starts two copies at once, and the second wrote
`Failed to start server: Error: listen EADDRINUSE: address already in use :::3001` and exited
with code 1, said only to have exited. Node's error is read, and Python's: the socket
module's `OSError: [Errno 98] Address already in use` and uvicorn 0.47's `ERROR:    [Errno 98]
error while attempting to bind on address ('127.0.0.1', 37893): address already in use` (both
seen here on a port held by another socket)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

_IN_USE = re.compile(
    r"^.*?(?:\blisten EADDRINUSE: address already in use (?P<node>\S+)"
    r"|\[Errno 98\] (?:error while attempting to bind on address (?P<py>\([^)]*\))"
    r"|Address already in use)).*$",
    re.M | re.I,
)


@dataclass(frozen=True)
class PortInUse:
    """The stderr line saying the address it listens on was taken, and that address."""

    line: str
    address: str  # `:::3001`, `('127.0.0.1', 8000)`, "" when not named

    def why(self, quoted: bool) -> str:
        """Its clause in the verdict; `quoted`: the line is quoted there already."""
        at = f" on {self.address}" if self.address else ""
        line = "" if quoted else f" (`{self.line}`)"
        return (
            f", failing to listen{at}: the address is in use{line}; it listens on a socket, not "
            "on its stdin and stdout"
        )

    def fix(self, argv: str, stdio_answered: bool) -> str:
        if stdio_answered:
            return (
                f"Start it with `--stdio` (`{argv} --stdio`), as the fresh process was: without "
                "it, this server listens on a socket, and each copy a pool starts claims the "
                "same address."
            )
        return (
            "Start it in stdio mode (`--stdio` for most servers; its `--help` names the option): "
            "a pool's worker speaks on the pipes it was started with, and each copy a pool "
            "starts would claim the same address."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence(self.line, origin, "the address it could not listen on")


def port_in_use(stderr: str) -> PortInUse | None:
    m = _IN_USE.search(stderr)
    if m is None:
        return None
    return PortInUse(m.group(0).strip()[:300], m["node"] or m["py"] or "")
