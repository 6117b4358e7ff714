"""The pattern a failed ExUnit match was written with, read from the test's source.

A test head that did not match its context (`test "x", %{pool: pool} do`) fails at the test's
own location; a match in a setup callback or in the test body fails at the line its stack
names (`test/x_test.exs:26: M.__ex_unit_setup_1_0/1`). The line the stack names in the test's
file is where the keys expected are written, so it is the one read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Failure

_LOCATION = re.compile(r"^(.+?):(\d+)")
_FRAME = re.compile(r"^\s*(?:\([^)]*\)\s+)?(?P<file>[^\s:()]+):(?P<line>\d+):\s*(?P<where>.*)$")
# a match's `=` (not `==`, `===`, `=~`, `=>`, `<=`, `>=`, `!=`, `\\` defaults)
_MATCH_EQ = re.compile(r"(?<![=!<>\\])=(?![=~>])")


@dataclass(frozen=True)
class FailedAt:
    """Where a failed match is written: `file:line`, and what the stack says runs there."""

    location: str
    where: str = ""
    head: bool = True  # the test's own location: its head

    @property
    def in_setup(self) -> bool:
        return "__ex_unit_setup" in self.where

    @property
    def note(self) -> str:
        if self.in_setup:
            return "the pattern of the setup callback the stack names"
        if self.head:
            return "the test's argument pattern"
        return "the pattern at the line the stack names"


def failed_at(failure: Failure) -> FailedAt:
    """The first stack frame in the test's own file, else the test's location."""
    test_file = _LOCATION.match(failure.location.strip())
    if test_file is not None:
        for frame in failure.stacktrace:
            m = _FRAME.match(frame)
            if m is not None and m["file"] == test_file.group(1):
                location = f"{m['file']}:{m['line']}"
                return FailedAt(location, m["where"].strip(), location == test_file.group(0))
    return FailedAt(failure.location.strip())


def source_lines(location: str, roots: Sequence[Path], count: int = 12) -> tuple[str, str] | None:
    """`count` lines of a test source from `file:line`, looked up under each root."""
    m = _LOCATION.match(location.strip())
    if not m:
        return None
    rel, line = m.group(1), int(m.group(2))
    candidates = [Path(rel)] if Path(rel).is_absolute() else [root / rel for root in roots]
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size < 5_000_000:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                chunk = lines[line - 1 : line - 1 + count]
                return "\n".join(chunk), f"{path}:{line}"
        except OSError:
            continue
    return None


def head(text: str) -> str:
    """A function head up to its `do` (or `->`), where the argument pattern is."""
    m = re.search(r"\)\s*do\b|\bdo\s*$|\bdo\n|->", text, re.MULTILINE)
    return text[: m.end()] if m else text


def written_pattern(text: str) -> str:
    """The pattern the source at a failed line matches: a match's left side (`%{a: a} = f()`),
    else a function head up to its `do`."""
    found = head(text)
    eq = _MATCH_EQ.search(text)
    return text[: eq.start()] if eq is not None and eq.start() < len(found) else found
