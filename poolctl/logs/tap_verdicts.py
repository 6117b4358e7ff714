"""TAP's `not ok` lines as a failed run's verdict, for TAP producers that print no count of
their failures at the end: `bats` (its output piped, as in CI, is TAP: `1..4`, `ok 1 …`,
`not ok 3 reply has the session id`, nothing after the last test) and a Test::More script run
by itself (`perl t/pool.t`). A clean pytest run, then a failed bats run, in one log read as 0
failures, exit 0; so did a script's `Bail out!`.

Each top-level `not ok` line is a failure, but one with a TODO or SKIP directive (`not ok 4 -
resize # TODO pool v2`: an expected failure; `\\#` is no directive). Consecutive ones in a
file are one run. Those a TAP producer's own count follows (`node --test`'s `# fail 2`, prove's
Test Summary Report, automake's `# FAIL: 2`) are that count's run: theirs are dropped, so no
failure is counted twice. An indented `not ok` is a subtest's (`node --test`): its parent's
line or its runner's count counts it.
"""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.model import Failure

TAP = "TAP"
# a test's `not ok`, or the producer stopping the run (Test::More's BAIL_OUT: `Bail out!  …`):
# the tests after it did not run, one failure or more, counted as one
LINE_RE = re.compile(r"^(?:not ok \d+\b|Bail out!)")
TRIGGER = r"^(?:not ok \d|Bail out!)"  # RE2 syntax, searched over bytes
# a TAP stream's first line, as node --test's TAP reporter prints it
VERSION_TRIGGER = r"^TAP version \d+\s*$"
VERSION_RE = re.compile(VERSION_TRIGGER)
PLAN_TRIGGER = r"^1\.\.\d+"  # ... its plan (`1..3`, before its tests or after them)
PLAN_RE = re.compile(r"^1\.\.\d+(?:\s+#.*)?$")
SUBTEST_TRIGGER = r"^[ \t]+not ok \d"  # a subtest's failure, whose text is read
_DIRECTIVE_RE = re.compile(r"(?<!\\)#\s*(?:todo|skip)\b", re.IGNORECASE)
# the runners whose own line counts the failures of the TAP lines before it
COUNTING = frozenset({"node --test", "prove", "automake", "node-tap"})


def failed_test(line: str, text: str) -> bool:
    """Whether `line` (`text` stripped) is a top-level test's `not ok` with no directive."""
    return not line[:1].isspace() and _DIRECTIVE_RE.search(text) is None


def joins_run(out: ParsedLog, file: str, number: int) -> bool:
    """A `not ok` line after another's run in `file` with no run between: one failure more of
    that run, which now ends at line `number`."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != TAP or last.failures is None:
        return False
    out.summaries[-1] = dataclasses.replace(last, line=number, failures=last.failures + 1)
    return True


def counted_by(out: ParsedLog, file: str, runner: str) -> None:
    """`runner`'s count of a failed run comes: the TAP runs just before it in `file` are its
    own TAP lines, which it counts. They are dropped."""
    if runner not in COUNTING:
        return
    while out.summaries and out.summaries[-1].file == file and out.summaries[-1].source == TAP:
        out.summaries.pop()


def stopped(
    out: ParsedLog, file: str, begun: int, crash: tuple[Failure, Lines] | None = None
) -> bool:
    """A TAP stream begun on line `begun` (`TAP version 13`: node --test's TAP reporter, which
    ends it with its plan and counts, `# fail 2`) whose `not ok` lines no plan nor count of a
    runner followed: the run stopped before its end, and a note says so (True). Killed, or a
    time limit: the test it was in when it stopped is not named (node prints a test's lines as
    it ends); or `crash`, an uncaught error that ended its process (`tap_crash`): that test's
    failure, one more the run counts (the caller keeps it)."""
    runs = [s for s in out.summaries if s.file == file and s.line > begun]
    if not runs or any(s.source != TAP for s in runs):
        return False
    why = (
        "(killed, a time limit); its failures before are read, the test it was in is not named "
        "(a test's lines are printed as it ends)"
    )
    if crash is not None:
        failure, lines = crash
        why = (
            f"(an uncaught {failure.kind} ended its process, line {lines[-1][0]}); its failures "
            f"before are read, and the test it was in, {failure.name!r}, is one more"
        )
        text = f"(no count: {failure.kind}: {failure.message})"
        out.summaries.append(
            RunSummary(file, lines[-1][0], text, None, 1, start=lines[0][0], read=0, source=TAP)
        )
    out.skipped.append(
        f"{file}:{begun}: a TAP stream (`TAP version`, node --test's reporter) with no plan nor "
        f"count after its last `not ok` (line {runs[-1].line}): the run stopped before its end "
        + why
    )
    return True
