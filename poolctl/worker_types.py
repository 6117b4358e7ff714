"""What a worker is started from and what comes of it: its spec (command, framing, protocol,
where its stderr goes, its environment), how it ended, and each request's outcome (an answer,
or why none came). Plain records, free of the process machinery (`poolctl.worker`).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from poolctl.protocol import Request, Response

# How long a worker may take from its spawn to its first answer, unless a scenario or an option
# says otherwise: a scenario's `worker.init_timeout` default, and doctor's (here, not in the
# scenario schema: `doctor --help` names it without importing pydantic's models).
DEFAULT_INIT_TIMEOUT = 5.0


class StderrMode(StrEnum):
    """Where a worker's stderr goes."""

    CAPTURE = "capture"  # to workers/<id>.stderr.log
    MERGE = "merge"  # into stdout, as an Erlang port opened with :stderr_to_stdout
    DISCARD = "discard"


@dataclass(frozen=True)
class WorkerSpec:
    """How to start a worker: the command and everything around it."""

    argv: tuple[str, ...]
    framing: str = "packet-4"
    protocol: str = "dspex"  # what messages mean: dspex, jsonrpc, mcp or lsp
    stderr: StderrMode = StderrMode.CAPTURE
    env: Mapping[str, str] = field(default_factory=dict)  # added to (or overriding) os.environ
    unset_env: tuple[str, ...] = ()  # removed from the inherited environment
    cwd: str | None = None
    # LSP's initializationOptions, sent in its initialize (None: none): a JSON value
    init_options: Any = None

    def environment(self) -> dict[str, str]:
        """The worker's full environment."""
        env = {k: v for k, v in os.environ.items() if k not in self.unset_env}
        env.update(self.env)
        return env


# Each worker's environment carries a token of its own, so that its descendants can be found
# at stop time even after they were re-parented (a daemonizing child leaves the ppid chain).
TOKEN_ENV = "POOLCTL_WORKER_TOKEN"


@dataclass(frozen=True)
class ExitStatus:
    """How a process ended: an exit code or a signal."""

    code: int | None = None
    signal: int | None = None

    @classmethod
    def from_returncode(cls, rc: int) -> ExitStatus:
        return cls(signal=-rc) if rc < 0 else cls(code=rc)

    def describe(self) -> str:
        if self.signal is not None:
            try:
                name = signal.Signals(self.signal).name
            except ValueError:
                name = f"signal {self.signal}"
            return f"killed by {name} ({self.signal})"
        return f"exited with code {self.code}"


@dataclass(frozen=True)
class Answer:
    """A response that arrived for `request`."""

    request: Request
    response: Response
    round_trip: float  # seconds from before the request's first byte was written to the read
    # that completed the response's frame


NoAnswerReason = Literal["timeout", "exited", "bad-frame", "write-failed"]
# the detail of a no-answer whose stdout closed while its process runs on
STILL_RUNNING = "closed stdout but is still running"


@dataclass(frozen=True)
class NoAnswer:
    """No response to `request`, with the reason and what was seen while waiting."""

    request: Request
    reason: NoAnswerReason
    detail: str
    waited: float
    let_go: str = ""  # why it was waited for no longer before its timeout, if it was
    written: int = 0  # of a request whose write failed midway, the bytes the pipe took first
    stdin_unread: int | None = None  # and of those, the bytes still in the pipe as it failed
