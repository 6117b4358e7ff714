"""Tests run again after failing: the flaky ones a run's failures no longer show.

A runner that reruns a failing test counts only its last try. A test that passed on a rerun
failed first: it is flaky, and a pool's checkout timeouts are what reruns hide most. Two
runners say so:

- pytest-rerunfailures (`--reruns N`): a failed try prints `RERUN` and no traceback. Under
  `pytest -v`, `t.py::test_a RERUN  [ 50%]`; with `-rR` (or `-rA`) in the short summary,
  `RERUN t.py::test_a`; under pytest-xdist, `[gw0] [ 50%] RERUN t.py::test_a`. A log with both
  `-v` and `-rR` names each rerun twice: the larger count of the two kinds of line is the test's.
  Without either, only the closing line counts them (`3 rerun`). It names a try once for each
  phase that failed: a try whose call and teardown both failed prints two RERUN lines in a row,
  as two tries that failed in their call do (`--reruns 1` then counts `2 rerun` for one rerun),
  and a try whose teardown alone failed prints its PASSED line, then RERUN. Where the log shows a
  teardown failing in a rerun test (a RERUN right after the test's PASSED, or its last try's
  `ERROR at teardown`), two RERUN lines in a row are counted as the one try they may be, and a
  note says how many they may be; elsewhere each is a try. Under pytest-xdist `-v` each try
  starts with a line naming the test: two RERUN lines in a row there are one try. Its JUnit XML
  writes each failed try once.
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
_PASSED = outcome_lines("PASSED")
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
        # the fewest tries each kind's lines can be (two RERUN lines in a row: one try whose
        # call and teardown failed), the lines in a row so far, and the tests a RERUN line
        # followed the PASSED line of (a try whose teardown alone failed)
        self.fewest: dict[str, Counter[str]] = {kind: Counter() for kind in _LINES}
        self.in_a_row: dict[tuple[str, str], int] = {}
        self.torn: set[str] = set()

    def feed(self, line: str, previous: str = "") -> bool:
        """Count `line` if it is a `RERUN` line (`previous`: the line before it); True when it
        was one."""
        stripped = line.strip()
        for kind, regex in _LINES.items():
            found = regex.match(stripped)
            if found:
                nodeid = found["nodeid"]
                self.seen[kind][nodeid] += 1
                self._fewest(kind, nodeid, previous.strip())
                return True
        return False

    def _fewest(self, kind: str, nodeid: str, previous: str) -> None:
        key = (kind, nodeid)
        passed = _PASSED[kind].match(previous)
        if passed is not None and passed["nodeid"] == nodeid:  # its teardown's: a try of its own
            self.torn.add(nodeid)
            self.in_a_row[key] = 2  # (the try is whole: a RERUN after it is the next try's)
            self.fewest[kind][nodeid] += 1
            return
        again = _LINES[kind].match(previous)
        row = self.in_a_row.get(key, 0) + 1 if again and again["nodeid"] == nodeid else 1
        self.in_a_row[key] = row
        if row % 2:  # the first of a pair: a try (the second may be its teardown's)
            self.fewest[kind][nodeid] += 1

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
            "run pytest with -rR (or -v) to see which passed only on a rerun (flaky); it counts "
            "each phase of a try that failed, so a try that failed in its call and its teardown "
            "counts twice"
        )

    def finish(self, out: ParsedLog, name: str) -> None:
        """Add input `name`'s reruns to `out` (the larger count of the kinds of line); where
        its log shows a rerun test's teardown failing, the fewest tries its lines can be."""
        kind_of: dict[str, str] = {}  # the kind of line that names a test most
        for kind, counted in self.seen.items():
            for nodeid, count in counted.items():
                if count > self.seen[kind_of.get(nodeid, kind)][nodeid]:
                    kind_of[nodeid] = kind
                kind_of.setdefault(nodeid, kind)
        torn = self.torn | {
            f.details.get("nodeid", "")
            for f in out.failures
            if f.input_file == name and f.details.get("phase") == "teardown"
        }
        paired = []
        for nodeid, kind in kind_of.items():
            count, fewest = self.seen[kind][nodeid], self.fewest[kind][nodeid]
            if kind == "xdist":  # each try starts with its own line: a pair in a row is one try
                count = fewest
            elif torn & kind_of.keys() and fewest < count:
                paired.append(f"{nodeid} ({count} RERUN lines: {fewest} to {count} tries)")
                count = fewest
            add_rerun(out, nodeid, count)
        if paired:
            out.skipped.append(
                f"{name}: pytest-rerunfailures names a try once for each phase that failed, and "
                "this log shows a teardown failing in a rerun test: two RERUN lines of a test in "
                "a row are counted as one try that failed in its call and its teardown, though "
                "they may be two tries the log cannot tell apart (its JUnit XML, --junitxml, "
                f"writes each try once): {', '.join(paired)}"
            )


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
