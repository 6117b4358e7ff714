"""pytest-check's soft checks in a pytest failure block: a test whose checks failed raises no
exception of its own, so its block holds no `E` line, only pytest-check's report of each check:

    check_pool.py::test_every_op:0: check {'id': 1, 'ok': 'ping'} == {'id': 1, 'ok': 'pong'}

    FAILURE: check {'id': 1, 'ok': 'ping'} == {'id': 1, 'ok': 'pong'}
    check_pool.py:13 in test_every_op() -> check.equal(pool.request(first, ...), ...)

    FAILURE: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting
    check_pool.py:15 in test_every_op() -> with check:            (under --check-max-tb=N,
    check_pool.py:16 in test_every_op -> pool.checkout(timeout=0.2)     each check's frames
    pool.py:47 in checkout -> raise TimeoutError(                        down to where it
    TimeoutError: checkout timed out after 0.2s: pool pool_a has ...     raised)
    ------------------------------------------------------------
    Failed Checks: 2

The failure's message is each failed check's (its exception's line when its frames are shown,
which keeps the exception's kind), its place the first check's frame in the test.
"""

from __future__ import annotations

import re

from poolctl.logs.pytest_summary import EXCEPTION_RE

FAILURE = "FAILURE: "
# a check's frame: `check_pool.py:13 in test_every_op() -> check.equal(...)`
WHERE_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+) in (?P<func>[\w.<>]+)(?:\(\))? -> ")
COUNT_RE = re.compile(r"^Failed Checks: (?P<count>\d+)$")
MAX_CHECKS = 50  # checks kept in the message


class SoftChecks:
    """The checks pytest-check reports in one failure block, fed its unindented lines."""

    def __init__(self) -> None:
        self.said: list[str] = []  # each check's: its FAILURE line, or its exception's
        self.frames: list[str] = []  # `file:N: in func`, as pytest's own frames are spelt
        self.counted = ""  # `Failed Checks: N`'s N
        self.framed = False  # the last check's frames are being read: its exception line ends them

    def feed(self, line: str) -> bool:
        """Take `line` if it is pytest-check's."""
        if line.startswith(FAILURE):
            if len(self.said) < MAX_CHECKS:
                self.said.append(line[len(FAILURE) :].strip())
            self.framed = False
            return True
        if " -> " in line and (where := WHERE_RE.match(line)):
            self.frames.append(f"{where['file']}:{where['line']}: in {where['func']}")
            self.framed = True
            return True
        if self.framed and self.said and line[:1].strip() and EXCEPTION_RE.match(line.rstrip()):
            self.said[-1] = line.strip()  # (`KeyError: 'x'`: FAILURE said `'x'` alone)
            self.framed = False
            return True
        if line.startswith("Failed Checks: ") and (count := COUNT_RE.match(line.rstrip())):
            self.counted = count["count"]
            return True
        return False

    def failed(self) -> bool:
        """Whether the block is pytest-check's report of failed checks."""
        return bool(self.counted and self.said)

    def message(self) -> str:
        return "\n".join(self.said)

    def location(self) -> str:
        """The first check's place: `check_pool.py:13`."""
        return self.frames[0].split(": in ", 1)[0] if self.frames else ""
