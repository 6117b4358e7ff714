"""A pytest `--tb=line` message: the rest of it after its first `E` line, read for the parser of
the run around it (`poolctl/logs/pytest_log.py`), and the failure it makes, named from the short
summary. pytest-instafail and pytest-sugar print the location line alone among the progress
lines, as each test fails (`/repo/check_edges.py:39: Failed: worker 1 did not answer …`, or a
strict xpass's `[XPASS(strict)] …`), and no FAILURES section: `inline_failure`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from poolctl.logs.passes import nodeid_parts
from poolctl.logs.pytest_block import FRAME_RE, dedent
from poolctl.logs.pytest_summary import (
    Summaries,
    Summary,
    kind_of_summary,
    short_type,
    with_summary,
)
from poolctl.logs.scan import clip, joined
from poolctl.model import Failure


class _Pending(Protocol):
    e_pending: list[tuple[int, str]]
    e_chained_at: int


# a doctest's example that raised, as `pytest_doctest_line` says it: `>>> f({}): KeyError: 'x'`
_RAISED_IN_EXAMPLE_RE = re.compile(r"^>>> .*?: (?P<type>(?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::|$)")
MAX_CAPTURED_LINES = 400  # kept of one captured section of a --tb=line failure
# between an exception's chained parts (--tb=line prints each part's `E` lines)
_CHAINED = ("The above exception was the direct cause", "During handling of the above exception")


class LineModeMessage:
    """The rest of a --tb=line message after its first `E` line, up to its location line: more
    `E` lines, and the indented lines of a message printed on several (pydantic's fields,
    pytest's explanation of an assert), which are read as its message as under `-v`."""

    def __init__(self, parser: _Pending) -> None:
        self.parser = parser

    def feed(self, number: int, line: str) -> bool:
        if line.startswith(("E ", " ", "\t")) or line == "E":
            self.parser.e_pending.append((number, line))
            return True
        if line.startswith(_CHAINED):  # the exception after it replaces the one before
            self.parser.e_chained_at = len(self.parser.e_pending)
            return True
        return not line.strip()

    def close(self) -> list[tuple[int, str]]:
        return []


class LineCaptured:
    """A `---- Captured … ----` section of a --tb=line failure, before its location line: its
    lines, kept as a block's captured output is (up to MAX_CAPTURED_LINES)."""

    def __init__(self, kept: list[str]) -> None:
        self.kept = kept

    def feed(self, number: int, line: str) -> bool:
        frame = FRAME_RE.match(line)
        if (frame and frame.group("rest")) or line.startswith(("===", "---", "___")):
            return False  # its location line, or a line only pytest prints
        if len(self.kept) < MAX_CAPTURED_LINES:
            self.kept.append(clip(line, 2_000))
        return True

    def close(self) -> list[tuple[int, str]]:
        return []


def line_mode_failure(
    name: str,
    summaries: Summaries,
    start: int,
    end: int,
    e_lines: list[str],
    location_line: str,
) -> Failure:
    """The failure of a --tb=line message (its `E` lines, lines `start`..`end` of `name`) and
    its location line, named from the short summary's FAILED line that gives its message."""
    frame = FRAME_RE.match(location_line)
    rest = frame.group("rest") if frame else location_line
    location = f"{frame.group('file')}:{frame.group('line')}" if frame else ""
    message = joined(dedent(e_lines)) or rest or ""
    kind = kind_of_summary(rest or "")
    raised = _RAISED_IN_EXAMPLE_RE.match(message) if kind == "UnexpectedException" else None
    failure = Failure(
        source="pytest",
        name=location,
        location=location,
        kind=short_type(raised["type"]) if raised else kind,  # a doctest's: what it raised
        message=message,
        details={"outcome": "failed"},
        stacktrace=(location_line,),
        input_file=name,
        line_start=start,
        line_end=end,
    )
    # --tb=line names no test: take the FAILED summary line that gives its message, else
    # the next one in order (a strict xpass prints no location line to match).
    entry = summaries.take_failed(rest or "")
    return failure if entry is None else _named(failure, entry)


def _named(failure: Failure, entry: Summary) -> Failure:
    """`failure`, named from its short summary line `entry`."""
    named = with_summary(failure, *entry)
    parts = nodeid_parts(entry[2])
    return replace(
        named, name=".".join(parts[1:]) or entry[2], location=failure.location or parts[0]
    )


def inline_failure(name: str, summaries: Summaries, number: int, line: str) -> Failure | None:
    """The failure of a `--tb=line` location line printed among the progress lines, named from
    the FAILED short summary line whose message it begins with; None when none does (a test's
    output under `-s`, a message cut to nothing, an error's: its summary line makes the failure
    alone, as it did, classified by its `ERROR` line)."""
    frame = FRAME_RE.match(line)
    rest = (frame.group("rest") or "") if frame else line
    entry = summaries.take_said(rest)
    if entry is None:
        return None
    return _named(line_mode_failure(name, Summaries([]), number, number, [], line), entry)
