"""Crash reports outside any ExUnit failure block: an Elixir process that terminated
(`[error] GenServer … terminating`, `** (Kind) …`) or an Erlang report (`=CRASH REPORT====`).

Each is kept as a worker traceback, evidence for the failures near it; one that is `mix test`'s
own (its test helper raised, before any test ran) is a failure of the run instead
(`poolctl.logs.exunit_stopped`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.exunit_stopped import helper_failure
from poolctl.logs.records import Lines, WorkerTraceback
from poolctl.logs.scan import MAX_TRACEBACK_LINES, clip
from poolctl.model import Failure

LOGGER_RE = re.compile(r"^\d\d:\d\d:\d\d(?:\.\d+)? \[[a-z]+\]")
# lines at the line's start that still belong to an Elixir crash report
_CONTINUED = ("** (", "Last message", "State:", "Client ", "Function:", "Args:", "Parent:")
# an ExUnit failure's header (` 12) test …`): indented, yet never a report's
_NUMBERED_RE = re.compile(r"^ {0,4}\d{1,7}\) ")


class CrashReport:
    """The report's lines, as a consumer of the ExUnit scan; at its end, given to
    `add_traceback`, or to `run_error` when it is `mix test`'s own crash."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        app: str,
        add_traceback: Callable[[WorkerTraceback], None],
        run_error: Callable[[Failure, Lines], None],
    ) -> None:
        self.start = number
        self.end = number
        self.lines = [clip(line.strip(), 2_000)]
        self.input_file = input_file
        self.app = app  # the umbrella app whose output this is
        self.add_traceback = add_traceback
        self.run_error = run_error
        self.exception = ""
        self.erlang = line.startswith("=")
        self._exception_from(line.strip())

    def _exception_from(self, stripped: str) -> None:
        if not self.exception and "** (" in stripped:
            self.exception = clip(stripped[stripped.index("** (") :], 2_000)

    def feed(self, number: int, line: str) -> bool:
        stripped = line.strip()
        if not stripped:
            return False
        if not self.erlang and line[0] not in " \t" and not stripped.startswith(_CONTINUED):
            return False
        if _NUMBERED_RE.match(line):
            return False
        if self.erlang and LOGGER_RE.match(line):
            return False
        self.end = number
        if len(self.lines) < MAX_TRACEBACK_LINES:
            self.lines.append(clip(line.rstrip(), 2_000))
        self._exception_from(stripped)
        return True

    def close(self) -> list[tuple[int, str]]:
        stopped = helper_failure(self.lines, self.start, self.end, self.app, self.input_file)
        if stopped is not None:
            numbered = list(enumerate(self.lines, start=self.start))
            self.run_error(stopped, numbered)
            return []
        self.add_traceback(
            WorkerTraceback(
                self.input_file, self.start, self.end, "\n".join(self.lines), self.exception
            )
        )
        return []
