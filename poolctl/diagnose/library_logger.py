"""A JSON log record on a worker's stdout written by a library the server loads, not by the
server's own code, which a variable of its environment quiets. @elastic/mcp-server-elasticsearch
0.3.1 imports EDOT Node.js (@elastic/opentelemetry-node 1.18.0) first thing; its logger writes to
stdout, and logs a preamble at its default level, info, as it starts:
`{"name":"elastic-otel-node","level":30,"preamble":true,…,"msg":"start EDOT Node.js"}`, before the
server's first answer. The server's user cannot point that logger at stderr; `OTEL_LOG_LEVEL=none`
quiets it, and `OTEL_SDK_DISABLED=true` leaves the distribution off (each tried with that release:
the server's answer to initialize is then its first line)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from poolctl.model import Evidence

FIX_START = "Quiet the library that logs on its stdout"


@dataclass(frozen=True)
class LibraryLogger:
    name: str  # the `name` its records carry
    library: str
    package: str
    quiet: str  # the assignment that quiets it
    instead: str  # another way, in words
    tried: str  # the release it was tried with

    def why(self) -> str:
        return (
            f"; the record names its logger `{self.name}`: {self.library} ({self.package}), a "
            "library the server loads, whose logger writes to stdout"
        )

    def fix(self) -> str:
        return (
            f"{FIX_START} from the worker's environment: `{self.quiet}` (`--env {self.quiet}`; "
            f"in a pool, the worker's `env`) silences {self.library}'s logger, which writes to "
            f"stdout from inside a dependency, not the server's own code (tried with {self.tried}; "
            f"untested in this run); {self.instead}."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence(f'"name":"{self.name}"', origin, "the logger its record names")


_KNOWN = (
    LibraryLogger(
        "elastic-otel-node",
        "EDOT Node.js",
        "@elastic/opentelemetry-node, Elastic's OpenTelemetry distribution",
        "OTEL_LOG_LEVEL=none",
        "`OTEL_SDK_DISABLED=true` leaves the distribution off altogether",
        "its 1.18.0",
    ),
)


def library_logger(stdout: bytes) -> LibraryLogger | None:
    """The known library whose JSON record is the first line of `stdout`, or None."""
    line = stdout.lstrip().split(b"\n", 1)[0]
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    return next((k for k in _KNOWN if record.get("name") == k.name), None)
