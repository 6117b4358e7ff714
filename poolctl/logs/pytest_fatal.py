"""A test that killed the interpreter: `Fatal Python error: Segmentation fault` (or `Aborted`,
or a `Bus error`), then faulthandler's stacks, and pytest is gone.

pytest enables faulthandler, so a crash in native code (a C extension, ctypes, a driver)
prints `Fatal Python error: …` (after the test's node id under `-v`), each thread's stack
(`Current thread 0x… (most recent call first):`, then `  File "…", line N in f`), and the
process dies: no result, no closing line. The current thread's stack names the test: the frame
`pytest_pyfunc_call` called. It is a failure of the run, as pytest-timeout's dump is.
"""

from __future__ import annotations

import re

from poolctl.logs.pytest_timeout import FRAME_RE, Frame, Keeper, ended_failure
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_TRACEBACK_LINES, clip

TRIGGER = r"Fatal Python error: "
ERROR_RE = re.compile(r"Fatal Python error: (?P<error>.+)$")
_THREAD_RE = re.compile(
    r"^(?P<which>Current thread|Thread) 0x[0-9a-f]+ .*\(most recent call first\):"
)
_END_RE = re.compile(r"^(?:=+ |Extension modules: )")  # a new session, or the dump's last line


class FatalError:
    """From the `Fatal Python error` line to the end of the dump (or of the input)."""

    def __init__(self, parser: Keeper, number: int, line: str) -> None:
        self.parser = parser
        found = ERROR_RE.search(line)
        self.error = found["error"].strip() if found else "unknown"
        self.start = self.end = number
        self.current = False
        self.frames: list[Frame] = []  # the current thread's, innermost first
        self.printed: Lines = [(number, line)]

    def feed(self, number: int, line: str) -> bool:
        if _END_RE.match(line):
            return line.startswith("Extension modules: ") and self._take(number, line)
        thread = _THREAD_RE.match(line)
        if thread:
            self.current = thread["which"] == "Current thread"
            return self._take(number, line, printed=self.current)
        frame = FRAME_RE.match(line)
        if frame is None and line.strip():
            return False  # not faulthandler's: the dump is over
        if frame is not None and self.current:
            self.frames.append((frame["file"], frame["line"], frame["func"].strip()))
        return self._take(number, line, printed=self.current)

    def _take(self, number: int, line: str, *, printed: bool = True) -> bool:
        self.end = number
        if printed and len(self.printed) < MAX_TRACEBACK_LINES:
            self.printed.append((number, clip(line)))
        return True

    def close(self) -> list[tuple[int, str]]:
        failure = ended_failure(
            self.parser,
            self.frames[::-1],  # outermost first
            kind="FatalError",
            message=(
                f"Fatal Python error: {self.error}: the interpreter died while this test ran "
                "(a crash in native code): no result was printed for it, or for any test after it"
            ),
            ended_by=self.error,
            lines=(self.start, self.end),
        )
        if failure is not None:  # else no stack names a test
            self.parser.ended_in_test(failure, self.printed)
        return []
