"""pytest-pretty's closing lines (and pytest-sugar's, alike): they print no `== 3 failed, 5 passed
in 1.2s ==` line but

    Results (1.20s):
             3 failed
             5 passed

(one count a line, after pytest-pretty's table of failures; pytest-sugar lists the failed tests
under their count). Read as the closing line they stand for, so that the run's count is
pytest's own rather than a run said to have ended before its result.

pytest-pretty prints no short summary either: its table of failures cuts names to fit. Under
`--tb=line`, whose failures name no test, the line it prints among the progress lines as each
test fails (`check_edges.py:37 test_worker_answers_ping - Failed: worker 1 did no…`, the
test's file, its function's line counted from 0, its name) names them instead. Under `-q` that
line is glued to the progress line before it, and the next test's letters to it:
`E      [ 12%]check_edges.py:24 test_setup_key - KeyError: 'pool_pid'…. [ 25%]`.
"""

from __future__ import annotations

import re
from typing import Protocol

from poolctl.logs.pytest_summary import Summary
from poolctl.model import Failure

TRIGGER = r"^Results \([\d.]+s\):"
FAILED_TRIGGER = r"^[^\s:]+\.py:\d+ [^\s\-]"  # its line as a test fails (RE2 syntax)
# ... under `-q`, glued after a progress line's percentage (RE2 syntax)
QUIET_FAILED_TRIGGER = r"%\][^\s:\]]+\.py:\d+ [^\s\-]"
# `-q`'s letters, its percentage, pytest-pretty's line with the next test's letters glued to it,
# then their percentage (none after the run's last test)
_QUIET_RE = re.compile(
    r"^(?P<before>[.sxXFE,u]*) *\[ *(?P<at>\d+)%\](?P<said>\S.*?)(?: +\[ *(?P<next>\d+)%\])?\s*$"
)
_MARKS_RE = re.compile(r"[.sxXFE,u]*")
# `--tb=line`'s line for a strict xpass, in the FAILURES section (then again, cut at 50)
XPASS_TRIGGER = r"^\[XPASS\(strict\)\] "
_FAILED_RE = re.compile(
    r"^(?P<file>[^\s:]+\.py):\d+ (?P<name>[^\s\-].*?)(?: - (?P<message>.*)\u2026)?"
    r"(?: +\[ *\d+%\])?\s*$"
)
_GLUED_RE = re.compile(r"(?<=\u2026)[.sxXFE]* +\[ *\d+%\](?=\S)")
RESULTS_RE = re.compile(r"^Results \((?P<time>[\d.]+s)\):\s*$")
_COUNT_RE = re.compile(r"^ +(?P<count>\d+) (?P<word>[a-z]+)\s*$")
# what pytest-pretty prints after the last failure's block: its table's title, the table, its
# closing lines (they end that block)
PRETTY_ENDS = (" ", "\u250f", "Results (")


def pretty_end(line: str) -> bool:
    """Whether `line` begins what pytest-pretty prints after the failures' blocks."""
    if line.startswith(" "):
        return line.strip() == "Summary of Failures"
    return line.startswith("\u250f\u2501") or RESULTS_RE.match(line) is not None


class Closer(Protocol):
    def closing(self, number: int, line: str, body: str) -> bool: ...


class PrettyResults:
    """From the `Results (1.20s):` line through its count lines."""

    def __init__(self, parser: Closer, number: int, line: str, time: str) -> None:
        self.parser = parser
        self.start = number
        self.line = line.rstrip()
        self.time = time
        self.counts: list[str] = []

    def feed(self, number: int, line: str) -> bool:
        count = _COUNT_RE.match(line)
        if count is None:  # pytest-sugar lists the tests after a count: `   - t.py:6 test_a`
            return line.lstrip().startswith("- ") and bool(self.counts)
        self.counts.append(f"{count['count']} {count['word']}")
        return True

    def close(self) -> list[tuple[int, str]]:
        if self.counts:  # pytest's own closing line, as pytest-pretty replaced it
            body = f"{', '.join(self.counts)} in {self.time}"
            self.parser.closing(self.start, f"{self.line} {', '.join(self.counts)}", body)
        return []


def failed_lines(number: int, line: str) -> list[Summary]:
    """pytest-pretty's lines as tests failed, as short summary lines would name them: one, or
    under pytest-xdist two glued by the next test's progress mark (`… - RuntimeError: pool
    shu…F   [ 50%]check_edges.py:37 test_worker_answers_ping - …`)."""
    made = []
    for part in _GLUED_RE.split(line):
        said = _FAILED_RE.match(part)
        if said is None:
            return []
        name, bracket, params = said["name"].partition("[")
        nodeid = f"{said['file']}::{name.replace('.', '::')}{bracket}{params}"
        message = f"{said['message']}..." if said["message"] else ""  # cut as pytest cuts
        made.append((number, "FAILED", nodeid, message))
    return made


def quiet_glued(line: str) -> tuple[str, str, str] | None:
    """A `-q` progress line with pytest-pretty's line glued to it, as (the letters before it,
    its line, the next test's letters glued after it); None for any other line. A line with a
    message ends it with `…`; one without (a strict xpass) is followed by the next test's
    letters when the percentage after it grew: one letter, and a `.` before it (a teardown's
    `E` after a pass) that no test name holds, or all after a parameterized name's `]`."""
    quiet = _QUIET_RE.match(line)
    if quiet is None:
        return None
    said = quiet["said"]
    if " - " in said and "\u2026" in said:
        cut = said.rindex("\u2026") + 1
    elif quiet["next"] is None or int(quiet["next"]) <= int(quiet["at"]):
        cut = len(said)  # no test after it: the run's last
    elif said.endswith("]") or "]" in said.rpartition(" ")[2]:
        cut = said.rindex("]") + 1
    else:
        cut = len(said) - 1
        while cut > 0 and said[cut - 1] in ".,":
            cut -= 1
    marks = said[cut:]
    if not _MARKS_RE.fullmatch(marks):
        return None
    return quiet["before"], said[:cut], marks


class PrettyNames:
    """pytest-pretty's lines as tests failed, and `--tb=line`'s strict xpasses, of one run:
    what names its `--tb=line` failures when no short summary does, and its failures under
    `--tb=no`, which prints nothing else of them."""

    def __init__(self) -> None:
        self.said: list[Summary] = []
        self.xpasses: list[int] = []  # `[XPASS(strict)] …`'s lines
        self.glued = (0, "")  # under `-q`, the letters glued after its last line, and where

    def failed(self, number: int, line: str, erred: bool) -> bool:
        """Its line as a test failed; `erred` when the progress mark before it says `E` (an
        error, at setup or teardown: the line itself does not say)."""
        said = failed_lines(number, line)
        if said and erred:
            said[0] = (number, "ERROR", *said[0][2:])
        self.said += said
        return bool(said)

    def quiet_failed(self, number: int, line: str) -> bool:
        """Its line as a test failed, glued to a `pytest -q` progress line: an error when the
        test's last letter (before it, or glued after the line before) is an `E`."""
        glued = quiet_glued(line)
        if glued is None:
            return False
        before, said, after = glued
        if not before and self.glued[0] == number - 1:
            before = self.glued[1]
        self.glued = (number, after)
        return self.failed(number, said, before.endswith("E"))

    def xpassed(self, number: int, line: str) -> bool:
        """A strict xpass's line in the FAILURES section (printed twice, then cut at 50)."""
        if not line.startswith("[XPASS(strict)] "):
            return False
        if not self.xpasses or self.xpasses[-1] != number - 1:  # not its cut repeat
            self.xpasses.append(number)
        return True

    def entries(self, blocks: list[Failure], messages: list[int]) -> list[Summary]:
        """The lines that name no block (the ERRORS section's, whose headers name their tests),
        in the order of the FAILURES section's `--tb=line` `messages` (their first lines) and
        strict xpasses: both are in the order the tests failed. So ordered, the messages take
        theirs in turn, and the strict xpasses, which print no location to match, are left
        (pytest-pretty cuts its messages, or prints none: no message tells them apart)."""
        named = {block.name for block in blocks}
        left = [e for e in self.said if e[2].split("::", 1)[-1].replace("::", ".") not in named]
        printed = sorted([(n, True) for n in messages] + [(n, False) for n in self.xpasses])
        if len(printed) != len(left):
            return []  # they do not pair off: the failures keep the names of their locations
        pairs = list(zip(left, printed, strict=True))
        return [e for e, (_, m) in pairs if m] + [e for e, (_, m) in pairs if not m]
