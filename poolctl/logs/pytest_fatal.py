"""A test that killed the interpreter: `Fatal Python error: Segmentation fault` (or `Aborted`,
or a `Bus error`), then faulthandler's stacks, and pytest is gone.

pytest enables faulthandler, so a crash in native code (a C extension, ctypes, a driver)
prints `Fatal Python error: …` (after the test's node id under `-v`), each thread's stack
(`Current thread 0x… (most recent call first):`, then `  File "…", line N in f`), and the
process dies: no result, no closing line. The current thread's stack names the test: the frame
`pytest_pyfunc_call` called. It is a failure of the run, as pytest-timeout's dump is.

pytest's own `faulthandler_timeout` prints `Timeout (0:00:02)!` and the same stacks, every
thread as `Thread 0x…` (the watchdog that prints is no Python thread, so none is current): the
test is in the thread whose stack holds `pytest_pyfunc_call`. With
`faulthandler_exit_on_timeout` the process exits there; without it the run goes on, and its
closing line then counts the test itself (the parser drops this failure).
"""

from __future__ import annotations

import re

from poolctl.logs.pytest_timeout import FRAME_RE, Frame, Keeper, ended_failure
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_TRACEBACK_LINES, clip

TRIGGER = r"Fatal Python error: "
ERROR_RE = re.compile(r"Fatal Python error: (?P<error>.+)$")
# faulthandler.dump_traceback_later's header: `Timeout (H:MM:SS)!`, `.ffffff` when not whole
TIMEOUT_TRIGGER = r"Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!"
TIMEOUT_RE = re.compile(r"Timeout \((?P<after>\d+:\d\d:\d\d(?:\.\d+)?)\)!\s*$")
_THREAD_RE = re.compile(
    r"^(?P<which>Current thread|Thread) 0x[0-9a-f]+ .*\(most recent call first\):"
)
_END_RE = re.compile(r"^(?:=+ |Extension modules: )")  # a new session, or the dump's last line


class FatalError:
    """From the `Fatal Python error` (or faulthandler's `Timeout (…)!`) line to the end of
    the dump (or of the input)."""

    def __init__(self, parser: Keeper, number: int, line: str) -> None:
        self.parser = parser
        timeout = TIMEOUT_RE.search(line)
        found = ERROR_RE.search(line)
        self.after = timeout["after"] if timeout else ""
        self.error = found["error"].strip() if found else "unknown"
        self.start = self.end = number
        self.header: Lines = [(number, line)]
        self.trailer: Lines = []  # `Extension modules: …`
        # each thread's stack as printed: is it the current one, its frames (innermost
        # first), its lines
        self.threads: list[tuple[bool, list[Frame], Lines]] = []

    def feed(self, number: int, line: str) -> bool:
        if _END_RE.match(line):
            if not line.startswith("Extension modules: "):
                return False
            self.trailer.append((number, clip(line)))
            return self._take(number)
        thread = _THREAD_RE.match(line)
        if thread:
            self.threads.append((thread["which"] == "Current thread", [], []))
        frame = FRAME_RE.match(line)
        if frame is None and line.strip() and not thread:
            return False  # not faulthandler's: the dump is over
        if self.threads:
            _, frames, printed = self.threads[-1]
            if frame is not None:
                frames.append((frame["file"], frame["line"], frame["func"].strip()))
            printed.append((number, clip(line)))
        return self._take(number)

    def _take(self, number: int) -> bool:
        self.end = number
        return True

    def _tests_thread(self) -> tuple[list[Frame], Lines]:
        """The stack that names the test: the current thread's after a crash; after a
        timeout, the thread pytest called the test in."""
        for current, frames, printed in self.threads:
            if current or (self.after and any(f[2] == "pytest_pyfunc_call" for f in frames)):
                return frames, printed
        return [], []

    def close(self) -> list[tuple[int, str]]:
        frames, printed = self._tests_thread()
        if self.after:
            kind, ended_by = "Timeout", "faulthandler_timeout"
            message = (
                f"Timeout ({self.after})!: pytest's faulthandler_timeout dumped every "
                "thread's stack while this test ran, and the run ends there: no result was "
                "printed for it, or for any test after it"
            )
        else:
            kind, ended_by = "FatalError", self.error
            message = (
                f"Fatal Python error: {self.error}: the interpreter died while this test ran "
                "(a crash in native code): no result was printed for it, or for any test "
                "after it"
            )
        failure = ended_failure(
            self.parser,
            frames[::-1],  # outermost first
            kind=kind,
            message=message,
            ended_by=ended_by,
            lines=(self.start, self.end),
        )
        if failure is not None:  # else no stack names a test
            quoted = [*self.header, *printed, *self.trailer][:MAX_TRACEBACK_LINES]
            self.parser.ended_in_test(failure, quoted)
        return []
