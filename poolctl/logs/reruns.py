"""Tests run again after failing: the flaky ones a run's failures no longer show.

A runner that reruns a failing test counts only its last try. A test that passed on a rerun
failed first: it is flaky, and a pool's checkout timeouts are what reruns hide most. Two
runners say so:

- pytest-rerunfailures (`--reruns N`): a failed try prints `RERUN` and no traceback. Under
  `pytest -v`, `t.py::test_a RERUN  [ 50%]`; with `-rR` (or `-rA`) in the short summary,
  `RERUN t.py::test_a`; under pytest-xdist, `[gw0] [ 50%] RERUN t.py::test_a`. A log with both
  `-v` and `-rR` names each rerun twice: the larger count of the two kinds of line is the test's.
  Without either, only the closing line counts them (`3 rerun`).
- Maven Surefire (`rerunFailingTestsCount`): its XML gives a test that passed on a rerun a
  `<flakyFailure>` or `<flakyError>` per failed try, and one that failed every try a
  `<rerunFailure>` or `<rerunError>` per rerun, each with its message and stack trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from poolctl.logs.passes import nodeid_parts, outcome_lines
from poolctl.logs.records import ParsedLog, Rerun
from poolctl.model import Failure

TRIGGER = r"RERUN"
_LINES = outcome_lines("RERUN")
SUREFIRE_TAGS = frozenset({"flakyFailure", "flakyError", "rerunFailure", "rerunError"})
MAX_NAMED = 10  # tests named in a note; the rest are counted
MAX_MESSAGE = 160  # characters of a failed try's message quoted in a note


def add_rerun(out: ParsedLog, key: str, count: int, message: str = "") -> None:
    """Count `count` reruns of test `key` (a node id) in `out`, keeping the first message."""
    before = out.reruns.get(key)
    if before is None:
        out.reruns[key] = Rerun(count, message)
    else:
        out.reruns[key] = Rerun(before.times + count, before.message or message)


class PytestReruns:
    """The `RERUN` lines of one pytest input, counted by node id and kind of line."""

    def __init__(self) -> None:
        self.seen: dict[str, Counter[str]] = {kind: Counter() for kind in _LINES}
        self.named_before = 0  # named by the runs before this one

    def feed(self, line: str) -> bool:
        """Count `line` if it is a `RERUN` line; True when it was one."""
        stripped = line.strip()
        for kind, regex in _LINES.items():
            found = regex.match(stripped)
            if found:
                self.seen[kind][found["nodeid"]] += 1
                return True
        return False

    def total(self) -> int:
        """The reruns named so far (the larger count of the kinds of line)."""
        return max(sum(counted.values()) for counted in self.seen.values())

    def unnamed(self, closing: dict[str, int], where: str) -> str | None:
        """A note when a run's closing line (`counts`) counts reruns its lines did not name;
        `where` is the closing line's `file:line`. Call once per run, at its closing line."""
        named, self.named_before = self.total() - self.named_before, self.total()
        missing = closing.get("rerun", 0) - named
        if missing <= 0:
            return None
        return (
            f"{where}: {missing} rerun(s) (pytest-rerunfailures) of tests the log does not name: "
            "run pytest with -rR (or -v) to see which passed only on a rerun (flaky)"
        )

    def finish(self, out: ParsedLog) -> None:
        """Add this input's reruns to `out` (the larger count of the kinds of line)."""
        merged: Counter[str] = Counter()
        for counted in self.seen.values():
            merged |= counted
        for nodeid, count in merged.items():
            add_rerun(out, nodeid, count)


def rerun_notes(reruns: dict[str, Rerun], failures: Sequence[Failure]) -> list[str]:
    """The report's notes on `reruns`: the tests that passed on a rerun (flaky), and those of
    `failures` that failed every try. A failure is its node id (JUnit's: `classname::name`);
    a pytest block no summary line named has only its name, which is matched alone."""
    exact = {f.details.get("nodeid") or f"{f.group}::{f.name}" for f in failures}
    bare = {f.name for f in failures if f.source == "pytest" and not f.details.get("nodeid")}
    kept = [n for n in reruns if n in exact or ".".join(nodeid_parts(n)[1:]) in bare]
    flaky = [n for n in reruns if n not in kept]
    notes = []
    if flaky:
        notes.append(
            f"flaky: {len(flaky)} test(s) failed, then passed on a rerun (the failed tries are "
            "not findings: the run counts the last try): " + _named(flaky, reruns)
        )
    if kept:
        notes.append(f"rerun and failed every try: {_named(kept, reruns)}")
    return notes


def _named(nodeids: list[str], reruns: dict[str, Rerun]) -> str:
    def one(nodeid: str) -> str:
        count, message = reruns[nodeid]
        said = f": {message[:MAX_MESSAGE]}" if message else ""
        return f"{nodeid} ({count} rerun{'s' if count > 1 else ''}{said})"

    more = len(nodeids) - MAX_NAMED
    return ", ".join(map(one, nodeids[:MAX_NAMED])) + (f", and {more} more" if more > 0 else "")
