"""A worker that exits at start, its stderr saying a connection, a name lookup or a download
failed: kubernetes-mcp-server 0.0.69 (PyPI) downloads its Go binary as it first starts, and
offline logs `Downloading kubernetes-mcp-server-linux-amd64 from https://github.com/…` and
`Error executing kubernetes-mcp-server: Failed to download binary: <urlopen error [Errno -2] Name
or service not known>`, and exits with code 1. It was told to run it by hand and read its stderr.
The line is quoted, with the URL its stderr names, if any."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from poolctl.model import Evidence

from .asks import failure_to_reach

_URL = re.compile(r"\bhttps?://[^\s'\"<>()]+")


@dataclass(frozen=True)
class Unreached:
    line: str
    url: str  # the URL its stderr names ("" when none)

    def why(self) -> str:
        where = f" ({urlsplit(self.url).hostname}, from {self.url})" if self.url else ""
        return (
            f", after `{self.line}`: as it starts it could not reach a service it needs"
            f"{where}, and exits for want of it"
        )

    def fix(self) -> str:
        what = f" ({self.url})" if self.url else ""
        return (
            f"Make reachable what it connects to or downloads as it starts{what}: give the "
            "worker a way to that host (a network, a proxy setting), or install what it "
            "downloads beforehand on a machine that can reach it; until it gets through it "
            "exits at every start."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence(
            self.line, origin, "the stderr line saying a connection, a lookup or a download failed"
        )


def unreached_exit(stderr: str) -> Unreached | None:
    """The stderr line of a worker that exited failing to reach a service, with the URL its
    stderr names; None when no line says so."""
    line = failure_to_reach(stderr)
    if line is None:
        return None
    urls = _URL.findall(stderr[: stderr.find(line) + len(line)])  # named before it, or in it
    return Unreached(line, urls[-1].rstrip(".,;:") if urls else "")
