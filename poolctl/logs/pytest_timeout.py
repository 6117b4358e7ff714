"""pytest-timeout's dump: the test that hung when the plugin ended the whole run.

With its thread method (the default where SIGALRM is missing, or `--timeout-method=thread`),
pytest-timeout prints `+++ Timeout +++`, every thread's stack (`~~~ Stack of MainThread (…)
~~~` then `  File "…", line N, in f` lines), the banner again, and ends pytest at once: no
FAILURES section, no summary, no closing line. The main thread's stack names the test that was
running: the frame called by pytest's `pytest_pyfunc_call`.
"""

from __future__ import annotations

import itertools
import re
from typing import Protocol

from poolctl.logs.passes import NODEID, nodeid_parts
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_TRACEBACK_LINES, clip
from poolctl.model import Failure

# The first banner follows the progress marks on their line (`t.py .+++++ Timeout +++++`).
BANNER_TRIGGER = r"\+{3} Timeout \+{3}"
BANNER_RE = re.compile(r"\+{3,} Timeout \+{3,}\s*$")
THREAD_RE = re.compile(r"^~+ Stack of (?P<thread>.+?) \(\d+\) ~+\s*$")
# a frame of a Python traceback (`line 5, in f`) or of faulthandler's dump (`line 5 in f`)
FRAME_RE = re.compile(r'^\s+File "(?P<file>[^"]+)", line (?P<line>\d+),? in (?P<func>.+)$')
_LIBRARY = ("/site-packages/", "/dist-packages/", "<frozen ", "/lib/python")


# under `-v`, the test's node id the dump follows on its line (`t.py::C::test_a +++ Timeout`)
_STARTED_RE = re.compile(rf"^{NODEID}\s*$")


class Keeper(Protocol):
    """The parser the dump reports to."""

    name: str
    rootdir: str  # the run's `rootdir:`, which node ids are relative to ("" if not seen)
    dump_after: str  # what the dump's first line holds before it (a node id under `-v`)

    def ended_in_test(self, failure: Failure, lines: Lines) -> None: ...


class TimeoutDump:
    """One dump, from its first banner to the second (or the end of the input)."""

    def __init__(self, parser: Keeper, number: int, line: str) -> None:
        self.parser = parser
        self.start = number
        self.end = number
        self.thread = ""
        self.frames: list[Frame] = []  # the main thread's, outermost first
        self.printed: Lines = [(number, line)]  # the banners and the main thread's stack
        self.ended = False

    def feed(self, number: int, line: str) -> bool:
        if self.ended:
            return False
        self.end = number
        if BANNER_RE.search(line):
            self.ended = True
            self.printed.append((number, line))
            return True
        thread = THREAD_RE.match(line)
        if thread:
            self.thread = thread.group("thread")
            return True
        if self.thread == "MainThread" and len(self.printed) < MAX_TRACEBACK_LINES:
            self.printed.append((number, clip(line)))
            frame = FRAME_RE.match(line)
            if frame:
                self.frames.append((frame["file"], frame["line"], frame["func"].strip()))
        return True

    def close(self) -> list[tuple[int, str]]:
        failure = ended_failure(
            self.parser,
            self.frames,
            kind="Timeout",
            message=(
                "Timeout: pytest-timeout ended the whole run while this test ran (its "
                "thread method): no result was printed for it, or for any test after it"
            ),
            ended_by="pytest-timeout",
            lines=(self.start, self.end),
        )
        if failure is not None:  # else no main thread's stack: nothing names a test
            self.parser.ended_in_test(failure, self.printed)
        return []


Frame = tuple[str, str, str]  # file, line, function


def ended_failure(
    parser: Keeper,
    frames: list[Frame],
    *,
    kind: str,
    message: str,
    ended_by: str,
    lines: tuple[int, int],
) -> Failure | None:
    """The failure of the test `frames` (outermost first) were in when the run ended, quoting
    the innermost 40 of them; None when no frame names a test."""
    test = test_frame(frames)
    if test is None:
        return None
    file, line, func = test
    file = relative(file, parser.rootdir)
    name, group = func, file
    details = {"outcome": "failed", "phase": "call", "ended by": ended_by}
    started = _STARTED_RE.match(parser.dump_after.rsplit("\r", 1)[-1])
    parts = nodeid_parts(started["nodeid"]) if started else []
    if started and parts[-1].partition("[")[0] == func:  # named as pytest names it: `C.test`
        name, group = ".".join(parts[1:]), "::".join(parts[:-1])
        details["nodeid"] = started["nodeid"]
    return Failure(
        source="pytest",
        name=name,
        group=group,
        location=f"{file}:{line}",
        kind=kind,
        message=message,
        details=details,
        stacktrace=tuple(f"{f}:{n}: in {fn}" for f, n, fn in frames[-40:]),
        input_file=parser.name,
        line_start=lines[0],
        line_end=lines[1],
    )


def test_frame(frames: list[Frame]) -> Frame | None:
    """Of `frames` (file, line, function; outermost first), the one pytest called the test in;
    else the innermost one outside libraries."""
    for caller, frame in itertools.pairwise(frames):
        if caller[2] == "pytest_pyfunc_call":
            return frame
    own = [f for f in frames if not any(part in f[0] for part in _LIBRARY)]
    return own[-1] if own else None


def relative(file: str, rootdir: str) -> str:
    """`file` as pytest names a test's file: relative to the run's `rootdir:`."""
    root = rootdir.rstrip("/") + "/"
    return file[len(root) :] if root != "/" and file.startswith(root) else file
