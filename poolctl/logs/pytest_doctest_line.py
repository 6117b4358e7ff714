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
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.pytest_block import DOCTEST_SAID, DOCTEST_SOURCE_RE, FRAME_RE
from poolctl.logs.pytest_summary import EXCEPTION_RE
from poolctl.logs.records import Lines

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser

EXAMPLE_TRIGGER = r"^\d{3,} +>>> "  # RE2 syntax
EXAMPLE_RE = re.compile(EXAMPLE_TRIGGER)
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
        if len(self.printed) >= MAX_LINES:
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
