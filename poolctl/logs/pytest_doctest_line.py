"""A doctest's failure under `pytest --doctest-modules --tb=line`.

pytest prints no `E` line for it, but doctest's report, then the location line:

    016 The checkout timeout in milliseconds, as NimblePool takes it.
    018     >>> checkout_timeout(5)
    Expected:
        5000
    Got:
        500

    /repo/pool_helpers.py:18: DocTestFailure

(or `UNEXPECTED EXCEPTION: KeyError('x')`, its traceback, then `…: UnexpectedException`). The
location line alone says only `DocTestFailure`: the message is read from the report, as a
doctest's block gives it (`>>> checkout_timeout(5): Expected: 5000 Got: 500`), from the
numbered line of its example on (`EXAMPLE_TRIGGER`) to the location line.

After the location line pytest prints the report's first 50 characters, which may hold the
example's line and more lines (a docstring whose first lines are short): read as the next report's
start, the last one's runs into the short summary, where it ends. Under
`--doctest-continue-on-failure` each failed example of a docstring is a report of its own, each
with its location line: one failure of one test, its one short summary line (`merged`).

Those 50 characters (`str(longrepr)[:50]` in pytest 9's `_getcrashline`) come once per test,
after its last report (and after its captured output, `---- Captured log call ----`): they are
the start of its first report, so they say where a test's reports end, as nothing else does when
several doctests of one module fail (`CrashLine`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.pytest_block import CAPTURED_RE, DOCTEST_SAID, DOCTEST_SOURCE_RE, FRAME_RE
from poolctl.logs.pytest_summary import EXCEPTION_RE, SECTION_RE, Summary
from poolctl.logs.records import Lines

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser

EXAMPLE_TRIGGER = r"^\d{3,} +>>> "  # RE2 syntax
EXAMPLE_RE = re.compile(EXAMPLE_TRIGGER)
_LOCATION_RE = re.compile(r"^(?P<file>.+):\d+: (?:DocTestFailure|UnexpectedException)$")
# a `--tb=line` entry: first line, location line, `E` texts, location, the lines
Entry = tuple[int, int, list[str], str, Lines]
MAX_LINES = 400  # a report longer than this is no doctest's: the lines are handed back
CRASH_LINE = 50  # characters of a test's report pytest prints after it under `--tb=line`
LEAD = 9  # numbered lines a report shows before its example's (pytest's window is 10 lines)
MAX_CAPTURED = 2_000  # lines of a doctest's captured output looked through for its crash line


class DoctestLineReport:
    """From a doctest's numbered example line to its `--tb=line` location line."""

    def __init__(self, parser: PytestParser, number: int, line: str) -> None:
        self.parser = parser
        parser.doctests.begin(parser, number)
        self.start = number
        self.printed: Lines = [(number, line)]
        self.example = line.split(">>>", 1)[1].strip()
        self.said: list[str] = []  # `Expected:`, `5000`, `Got:`, `500`
        self.raised = ""  # an unexpected exception's last traceback line: `KeyError: 'x'`

    def feed(self, number: int, line: str) -> bool:
        frame = FRAME_RE.match(line)
        if frame and frame.group("rest"):  # its location: the parser reads it with the report
            said = self.raised or " ".join(self.said)
            message = f">>> {self.example}: {said}" if said else ""
            self.parser.doctest_report = (self.start, message, self.printed)
            return False
        if len(self.printed) >= MAX_LINES or SECTION_RE.match(line):
            # (a section line is pytest's own: the short summary after the last report, whose
            # first 50 characters, printed after its location line, began this one)
            return False
        self.printed.append((number, line))
        if DOCTEST_SOURCE_RE.match(line):
            if ">>>" in line:  # a later example of the same docstring
                self.example, self.said = line.split(">>>", 1)[1].strip(), []
        elif self.said[:1] and self.said[0].startswith("UNEXPECTED EXCEPTION: "):
            if line[:1].strip() and EXCEPTION_RE.match(line.strip()):
                self.raised = line.strip()
        elif line.strip() and len(self.said) < DOCTEST_SAID:
            self.said.append(line.strip())
        return True

    def close(self) -> list[tuple[int, str]]:
        return []


class DoctestTests:
    """Which of a run's doctest reports are of one test: each test's printed text from its first
    report's first line, until its crash line (`CrashLine`) ends it."""

    def __init__(self) -> None:
        self.text: list[str] = []  # the open test's lines as printed
        self.lead: list[str] = []  # ... its first report's numbered lines before its example's
        self.after = 0  # the last line of the last crash line: no report's lines before it
        self.ends: set[int] = set()  # the entries (of the parser's `line_mode`) ending a test

    def begin(self, parser: PytestParser, number: int) -> None:
        """A report begins at line `number` (its example's): when it is its test's first, the
        numbered lines just before it, its first lines, are where its crash line starts."""
        if self.text:
            return
        lead: list[str] = []
        below, at = number, None
        for near in reversed(parser.nearby_before(number)):
            n, line = near.line, near.text
            source = DOCTEST_SOURCE_RE.match(line)
            if n != below - 1 or n <= self.after or source is None or len(lead) >= LEAD:
                break
            numbered = int(line[: source.end()])
            if at is not None and numbered != at - 1:
                break
            lead.append(line)
            below, at = n, numbered
        self.lead = lead[::-1]

    def located(self, entry: int, report: Lines, location: str) -> CrashLine | None:
        """A report of the open test ended at its location line, the parser's `entry`: what
        reads the 50 characters that may follow (None while its text is shorter)."""
        if not self.text:
            self.text, self.lead = [*self.lead, *(line for _, line in report)], []
        else:
            self.text += [line for _, line in report]
        self.text.append(location)
        crash = "\n".join(self.text)[:CRASH_LINE]
        if len(crash) < CRASH_LINE:
            return None
        return CrashLine(self, entry, crash.split("\n"))

    def ended(self, entry: int, number: int) -> None:
        self.ends.add(entry)
        self.text, self.after = [], number


class CrashLine:
    """After a doctest report's location line: the 50 characters pytest prints after its test's
    last report (the start of its first report: `expected`, as lines), which end the test; or
    the next report of the same test, whose lines are handed back. A test's captured output
    (`---- Captured log call ----`) comes before them."""

    def __init__(self, tests: DoctestTests, entry: int, expected: list[str]) -> None:
        self.tests = tests
        self.entry = entry
        self.expected = expected
        self.matched = 0
        self.held: Lines = []
        self.captured = False
        self.done = False

    def feed(self, number: int, line: str) -> bool:
        if self.done:
            return False
        line = line.rstrip("\r")
        if line == self.expected[self.matched]:
            self.matched += 1
        elif not self.captured and not self.held and CAPTURED_RE.match(line):
            self.captured = True
        elif not self.captured or SECTION_RE.match(line) or len(self.held) >= MAX_CAPTURED:
            return False  # another report of the test, or no crash line came: handed back
        else:  # the test's captured output
            self.matched = int(line == self.expected[0])
        self.held.append((number, line))
        if self.matched == len(self.expected):
            self.tests.ended(self.entry, number)
            self.held, self.done = [], True
        return True

    def close(self) -> list[tuple[int, str]]:
        held, self.held = self.held, []
        return held


def merged(
    entries: list[Entry], summaries: list[Summary], ends: set[int] | None = None
) -> list[Entry]:
    """`entries` with a docstring's consecutive reports (`--doctest-continue-on-failure`: one
    per failed example, each with its location line) as one, their messages one after another:
    those of one file until the entry a crash line followed (`ends`, `CrashLine`), or, where no
    crash line was read, those of one file the short summary names one doctest of
    (`pool.py::pool.size`)."""
    ends = ends or set()
    files: dict[str, int] = {}
    for _, outcome, nodeid, _ in summaries:
        if outcome == "FAILED" and "::" in nodeid:
            file = nodeid.split("::", 1)[0]
            files[file] = files.get(file, 0) + 1
    one: list[Entry] = []
    for index, entry in enumerate(entries):
        ended = index - 1 in ends
        if one and not ended and _one_doctest(one[-1][3], entry[3], files, bool(ends)):
            start, _, said, location, printed = one[-1]
            one[-1] = (start, entry[1], said + entry[2], location, printed + entry[4])
        else:
            one.append(entry)
    return one


def _one_doctest(before: str, location: str, files: dict[str, int], crash_lines: bool) -> bool:
    """Whether the reports with the location lines `before` and `location`, no crash line
    between them, are of one doctest: both of one file, and the run's tests ended at their crash
    lines or the short summary names one doctest of that file."""
    first, then = _LOCATION_RE.match(before), _LOCATION_RE.match(location)
    if first is None or then is None or first["file"] != then["file"]:
        return False
    if crash_lines:
        return True
    path = first["file"]
    named = [n for file, n in files.items() if path == file or path.endswith(f"/{file}")]
    return named == [1]
