"""Tcl's tcltest failures (a `.test` file run by tclsh, or its `all.tcl`'s `runAllTests`), read
into `Failure`s so that they classify as any runner's failure does; its count, `all.tcl:
Total 6 Passed 1 Skipped 0 Failed 5` (tab-separated), counts them. tcltest exits 0 whatever
failed: its count is the one word of it.

    ==== checkout-1.3 counts its busy workers FAILED
    ==== Contents of test case:

        dict get [checkout [checkout [new_pool 3 ok]]] busy

    ---- Result was:
    2
    ---- Result should have been (exact matching):
    3
    ==== checkout-1.3 FAILED

A block is its header (the test's name and description) to its closing line; named by its
description, grouped by its name's area (`checkout` of `checkout-1.3`), placed nowhere (tcltest
prints no line). A result that differs is of kind AssertionError, its message what it says of
the results; an error the test raised (`---- Test generated error; …`) is of no kind (tcltest
names none), its message the first line of its `---- errorInfo:`.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "tcltest"
SOURCE: Source = "tcltest"
STARTS = "==== "
HEADER_RE = re.compile(r"^==== (?P<name>\S+) (?P<description>\S.*) FAILED$")
TRIGGERS = (r"^==== \S+ \S.* FAILED\s*$",)
_COUNT = r"\S+:\tTotal\t\d+\tPassed\t\d+\tSkipped\t\d+\tFailed\t"
VERDICT_RE = re.compile(rf"^{_COUNT}(?P<failed>\d+)$")
VERDICT_TRIGGER = rf"^{_COUNT}[1-9]"
CLEAN_RE = re.compile(rf"^{_COUNT}0$")
_ERROR_INFO = "---- errorInfo: "
_AREA_RE = re.compile(r"^(?P<area>.+?)-[\d.]+$")
EXPECTATION = "AssertionError"


class TcltestBlock(RunnerBlock):
    """One failed test's block (a consumer of a text parser's scan), to its closing line; its
    failure goes to `done` when it ends."""

    def begin(self, line: str) -> None:
        header = HEADER_RE.match(line.rstrip())
        self.closing = f"==== {header['name']} FAILED" if header else ""

    def feed(self, number: int, line: str) -> bool:
        if self.lines[-1][1] == self.closing or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        self.lines.append((number, line.rstrip()))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        texts = [t for _, t in self.lines[1:] if t != self.closing]
        error = next((t for t in texts if t.startswith(_ERROR_INFO)), None)
        said = [t for t in texts if t.startswith("---- ") or not t.startswith(("    ", "==== "))]
        if error is not None:
            kind, message = "", error.removeprefix(_ERROR_INFO)
        else:
            kind = EXPECTATION
            message = "\n".join(t.removeprefix("---- ") for t in said if t).strip()
        area = _AREA_RE.match(header["name"])
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["description"],
            group=area["area"] if area else header["name"],
            location="",
            kind=kind,
            message=message,
            details={
                "runner": RUNNER,
                "test": header["name"],
                "text": clip("\n".join(texts), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []
