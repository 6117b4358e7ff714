"""pytest-pretty's closing lines (and pytest-sugar's, alike): they print no `== 3 failed, 5 passed
in 1.2s ==` line but

    Results (1.20s):
             3 failed
             5 passed

(one count a line, after pytest-pretty's table of failures; pytest-sugar lists the failed tests
under their count). Read as the closing line they stand for, so that the run's count is
pytest's own rather than a run said to have ended before its result.
"""

from __future__ import annotations

import re
from typing import Protocol

TRIGGER = r"^Results \([\d.]+s\):"
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
