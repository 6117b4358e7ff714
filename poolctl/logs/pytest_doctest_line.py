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
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.pytest_block import DOCTEST_SAID, DOCTEST_SOURCE_RE, FRAME_RE
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


class DoctestLineReport:
    """From a doctest's numbered example line to its `--tb=line` location line."""

    def __init__(self, parser: PytestParser, number: int, line: str) -> None:
        self.parser = parser
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


def merged(entries: list[Entry], summaries: list[Summary]) -> list[Entry]:
    """`entries` with a docstring's consecutive reports (`--doctest-continue-on-failure`: one
    per failed example, each with its location line) as one: those of one file the short
    summary names one doctest of (`pool.py::pool.size`), their messages one after another."""
    files: dict[str, int] = {}
    for _, outcome, nodeid, _ in summaries:
        if outcome == "FAILED" and "::" in nodeid:
            file = nodeid.split("::", 1)[0]
            files[file] = files.get(file, 0) + 1
    one: list[Entry] = []
    for entry in entries:
        if one and _one_doctest(one[-1][3], entry[3], files):
            start, _, said, location, printed = one[-1]
            one[-1] = (start, entry[1], said + entry[2], location, printed + entry[4])
        else:
            one.append(entry)
    return one


def _one_doctest(before: str, location: str, files: dict[str, int]) -> bool:
    """Whether the reports with the location lines `before` and `location` are of one doctest:
    both of one file, of which the short summary names one doctest."""
    first, then = _LOCATION_RE.match(before), _LOCATION_RE.match(location)
    if first is None or then is None or first["file"] != then["file"]:
        return False
    path = first["file"]
    named = [n for file, n in files.items() if path == file or path.endswith(f"/{file}")]
    return named == [1]
