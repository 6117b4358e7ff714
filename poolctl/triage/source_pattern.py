"""The pattern a failed ExUnit match was written with, read from the test's source.

A test head that did not match its context (`test "x", %{pool: pool} do`) fails at the test's
own location; a match in a setup callback or in the test body fails at the line its stack
names (`test/x_test.exs:26: M.__ex_unit_setup_1_0/1`). The line the stack names in the test's
file is where the keys expected are written, so it is the one read. A setup callback given by
name (`setup :start_pool`, `setup [:start_pool]`) is named in the stack by its own name, called
from the module's `__ex_unit__/2` (which runs the setups; its line is the module's, no pattern).
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
_RUNS_SETUPS = ".__ex_unit__/2"  # ExUnit's function of each test module that runs its setups


@dataclass(frozen=True)
class FailedAt:
    """Where a failed match is written: `file:line`, and what the stack says runs there."""

    location: str
    where: str = ""
    head: bool = True  # the test's own location: its head
    named_setup: bool = False  # a setup callback given by name, called by `__ex_unit__/2`

    @property
    def in_setup(self) -> bool:
        return self.named_setup or "__ex_unit_setup" in self.where

    @property
    def setup_name(self) -> str:
        """`start_pool/1` for a setup callback given by name, else ""."""
        return self.where.rsplit(".", 1)[-1] if self.named_setup else ""

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
        frames = [_FRAME.match(frame) for frame in failure.stacktrace]
        for i, m in enumerate(frames):
            caller = frames[i + 1] if i + 1 < len(frames) else None
            if m is None or m["file"] != test_file.group(1) or _runs_setups(m):
                continue
            location = f"{m['file']}:{m['line']}"
            where = m["where"].strip()
            named = "__ex_unit_setup" not in where and caller is not None and _runs_setups(caller)
            return FailedAt(location, where, location == test_file.group(0), named)
    return FailedAt(failure.location.strip())


def _runs_setups(frame: re.Match[str]) -> bool:
    return frame["where"].strip().endswith(_RUNS_SETUPS)


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
