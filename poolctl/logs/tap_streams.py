"""Clean TAP runs in a log of no format poolctl reads: `bats`, a Test::More script run by `perl`,
`node --test`'s TAP reporter, each printing its plan (`1..3`, before its tests or, after
`done_testing`, below them) and one `ok N` line a test, numbered from 1.

Such a log alone was "format not recognised" (exit 2). It is a clean run only when its TAP
lines have the stream's shape: a plan, and as many test lines as it says, numbered 1, 2, 3… with
no failure among them (a `not ok` with a TODO or SKIP directive is none). A log of other text
that merely holds an `ok 1` line (no plan, or numbers out of order) is no TAP stream, and stays
refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from poolctl.logs.tap_verdicts import failed_test

_TEST_RE = re.compile(r"^(?P<not>not )?ok (?P<number>\d+)\b")
_PLAN_RE = re.compile(r"^1\.\.(?P<count>[1-9]\d*)(?:\s+#.*)?$")


@dataclass(frozen=True)
class CleanStream:
    """One TAP producer's run that passed: its plan's line and text, and its tests."""

    line: int
    plan: str
    tests: int


@dataclass
class _Open:
    tests: int = 0
    plan: tuple[int, str, int] | None = None  # its line, text and count
    complete: bool = False  # its plan came after its tests: no test of it follows


def clean_streams(lines: Sequence[str]) -> list[CleanStream] | None:
    """The clean TAP streams of `lines` (a log's lines, the first numbered 1), in order; None
    when a TAP line breaks a stream's shape (a failure, a bail-out, a test line out of order, a
    plan that does not count its tests): then no clean run is said to be there."""
    streams: list[CleanStream] = []
    current: _Open | None = None  # the stream whose tests are being read
    pending: tuple[int, str, int] | None = None  # a plan printed before its tests
    for number, line in enumerate(lines, 1):
        if line.startswith("Bail out!"):
            return None
        test = _TEST_RE.match(line)
        if test is not None:
            if test["not"] and failed_test(line, line.strip()):
                return None
            at = int(test["number"])
            if current is not None and at == current.tests + 1 and not current.complete:
                current.tests = at
                continue
            if at != 1 or not _close(current, streams):
                return None
            current, pending = _Open(1, pending), None
            continue
        plan = _PLAN_RE.match(line.rstrip())
        if plan is None:
            continue
        found = (number, plan.group(0), int(plan["count"]))
        if current is not None and current.plan is None:
            current.plan = found  # after its tests (`done_testing`, node --test)
            current.complete = True
        elif pending is None:
            pending = found  # before the tests it counts
        else:
            return None
    if pending is not None or not _close(current, streams):
        return None
    return streams


def _close(stream: _Open | None, streams: list[CleanStream]) -> bool:
    """A stream ends: kept if its plan counts its tests; False if it has the wrong shape."""
    if stream is None:
        return True
    if stream.plan is None or stream.plan[2] != stream.tests:
        return False
    streams.append(CleanStream(stream.plan[0], stream.plan[1], stream.tests))
    return True
