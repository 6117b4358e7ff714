"""Tests pytest-rerunfailures ran again: the flaky ones a run's failures no longer show.

With `--reruns N` a failing test is run again up to N times; a try that fails prints `RERUN`
(no traceback), and the run counts only the last try. A test that passed on a rerun failed
first: it is flaky, and a pool's checkout timeouts are what such reruns hide most. Its lines:

- `pytest -v`: `t.py::test_a RERUN  [ 50%]`, then `t.py::test_a PASSED` (or FAILED);
- `-rR` (or `-rA`) in the short summary: `RERUN t.py::test_a`;
- pytest-xdist: `[gw0] [ 50%] RERUN t.py::test_a`.

A log with both `-v` and `-rR` lines names each rerun twice: the larger count of the two kinds
of line is the test's.
"""

from __future__ import annotations

import re
from collections import Counter

from poolctl.logs.passes import NODEID, nodeid_parts

TRIGGER = r"RERUN"
_LINES = {
    "verbose": re.compile(rf"^{NODEID} RERUN(?:\s|$)"),
    "summary": re.compile(rf"^RERUN {NODEID}$"),
    "xdist": re.compile(rf"^\[gw\d+\] \[ *\d+%\] RERUN {NODEID}$"),
}
MAX_NAMED = 10  # tests named in a note; the rest are counted


class Reruns:
    """The `RERUN` lines of one input, counted by node id and kind of line."""

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

    def counts(self) -> dict[str, int]:
        """Reruns by node id (the larger count of the kinds of line that name it)."""
        merged: Counter[str] = Counter()
        for counted in self.seen.values():
            merged |= counted
        return dict(merged)


def rerun_notes(reruns: dict[str, int], failed: set[str]) -> list[str]:
    """The report's notes on `reruns` (node id: count): the tests that passed on a rerun
    (flaky), and those that failed every try; `failed` holds the node ids and the names of the
    run's failures (a block without a summary line has only its name)."""
    if not reruns:
        return []
    kept = [n for n in reruns if n in failed or ".".join(nodeid_parts(n)[1:]) in failed]
    flaky = [n for n in reruns if n not in kept]
    notes = []
    if flaky:
        notes.append(
            f"flaky: {len(flaky)} test(s) failed, then passed on a rerun (pytest-rerunfailures; "
            "the failed tries print no traceback, so they are not findings): "
            + _named(flaky, reruns)
        )
    if kept:
        notes.append(f"rerun and failed every try: {_named(kept, reruns)}")
    return notes


def _named(nodeids: list[str], reruns: dict[str, int]) -> str:
    def one(nodeid: str) -> str:
        return f"{nodeid} ({reruns[nodeid]} rerun{'s' if reruns[nodeid] > 1 else ''})"

    more = len(nodeids) - MAX_NAMED
    return ", ".join(map(one, nodeids[:MAX_NAMED])) + (f", and {more} more" if more > 0 else "")
