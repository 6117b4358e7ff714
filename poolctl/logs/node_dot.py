"""`node --test --test-reporter=dot`: a mark per test and suite (`.` passed, `X` failed; 20 a line
when stdout is no terminal), then, when one failed, its `Failed tests:` section:

    .XX.................
    X.........XXX.XX

    Failed tests:

    ✖ bridge answers (0.284136ms)
      Error: No response received from the Python bridge within 5000ms
          at TestContext.<anonymous> (file:///tmp/x/pool.test.mjs:6:9)
          ...
    ✖ resize (0.114897ms) # pool v2
      Error: resize is not implemented
    ✖ checkout (0.868458ms)
      '1 subtest failed'

Each entry is a failed test's (or suite's) `✖ NAME (TIME)`, unindented whatever its depth, and
its error indented two spaces, read as the spec reporter's are (`node_spec_block`). node prints
no count, nor `test at FILE:LINE`: the section is the run, each entry one of its failures but a
todo test's (its directive after the time: node does not count it). A describe suite and a test
failed by its subtests alone both say only `'1 subtest failed'` (node's other reporters count
the test, not the suite; here nothing tells them apart): each is read as its subtests are, as a
TAP parent is (`ParsedLog.failed_by_subtests`), no failure of its own. The `X` marks just above
the section, where the log shows them all, count the entries a log cut in the section lost.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.node_spec_block import node_error
from poolctl.logs.other_verdicts import NODE, note_unread
from poolctl.logs.records import Lines, RunSummary
from poolctl.logs.scan import MAX_BLOCK_LINES, NEARBY, block_failure
from poolctl.logs.verdict_lines import VERDICTS
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

HEADER = "Failed tests:"
# A run killed before its section: its marks, then bash's job-status line naming `node --test`
# glued to them (`.X.X./ci/step.sh: line 1:  8482 Killed   node --test --test-reporter=dot …`).
# Only bash's line shows the run was node's: marks with dash's bare `Killed`, or with nothing
# after them (a SIGTERM), are no runner's that can be told, and are not guessed. (RE2 and re
# syntax alike: the scan's trigger and the sniffing's text search use it as it is.)
KILLED = (
    r"^[.X]*(?:/\S+|[a-z]*sh): line \d+: +\d+ (?:Killed|Terminated|Segmentation fault|Aborted)"
    r"(?: +\(core dumped\))? .*\bnode\b.*--test\b.*--test-reporter[= ]dot\b"
)
KILLED_RE = re.compile(KILLED)
TRIGGER = r"^Failed tests:\s*$"
# the section as it begins, for sniffing a log of it alone (RE2 syntax, multi-line)
IN_TEXT = r"^Failed tests:[ \t]*\n[ \t]*\n✖ .+ \([\d.]+m?s\)"
# (a test cancelled by its parent prints no time: `✖ uses the pool`)
_ENTRY_RE = re.compile(r"^✖ (?P<name>.+?)(?: \((?P<time>[\d.]+m?s)\))?(?P<directive> # .*)?$")
_PARENT_RE = re.compile(r"^'\d+ subtests? failed'$")
_MARKS_RE = re.compile(r"^[.X]+$")
_FRAME_FILE_RE = re.compile(r"\((?:file://)?(?P<file>/[^():]+):(?P<line>\d+):\d+\)$")
_VERDICT = next(v for v in VERDICTS if v.runner == NODE)


class DotSection:
    """The `Failed tests:` section, from its heading on (a consumer of a text parser's scan):
    its failures go to the parser as each entry ends, its run to `out.summaries` at its end."""

    def __init__(self, parser: TextParser, number: int, line: str, source: Source) -> None:
        self.parser = parser
        self.source = source
        self.start = number
        self.text = line.strip()
        self.marks = _x_marks(parser, number)
        self.entry: Lines = []
        self.counted = self.todo = 0
        self.last = number

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if text.startswith("✖ ") and _ENTRY_RE.match(text):
            self._end_entry()
            self.entry = [(number, text)]
        elif (
            self.entry and len(self.entry) < MAX_BLOCK_LINES and (not text or text.startswith("  "))
        ):
            self.entry.append((number, text))
        elif text or self.entry:
            return False  # no entry of node's, or the section's end
        return True

    def close(self) -> Lines:
        self._end_entry()
        if not self.counted and not self.todo:
            return []  # a heading of another runner's (an old Surefire's `Failed tests:`)
        counted = max(self.counted, self.marks - self.todo)
        text = f"{self.text} ({counted} failed, node --test's dot reporter)"
        out, file = self.parser.out, self.parser.name
        out.summaries.append(
            RunSummary(
                file, self.start, text, None, counted, start=self.start, read=0,
                source=NODE, output_end=self.last,
            )
        )  # fmt: skip
        if counted:
            note_unread(out, file, self.start, text, _VERDICT)
        return []

    def _end_entry(self) -> None:
        entry, self.entry = self.entry, []
        while len(entry) > 1 and not entry[-1][1]:
            entry.pop()
        if not entry:
            return
        self.last = entry[-1][0]
        named = _ENTRY_RE.match(entry[0][1])
        if named is None:
            return
        if named["directive"]:  # a todo test: node does not count it
            self.todo += 1
            return
        self.counted += 1
        body = [text[2:] for _, text in entry[1:]]
        if len(body) == 1 and _PARENT_RE.match(body[0].strip()):
            parents = self.parser.out.failed_by_subtests.setdefault(self.parser.name, [])
            parents.append(entry[0][0])  # read as its subtests are
            return
        self.parser.keep(self._failure(named["name"], body, entry), entry)

    def _failure(self, name: str, body: list[str], entry: Lines) -> Failure:
        kind, message, frames, details = node_error(body)
        place = next((m for f in frames if (m := _FRAME_FILE_RE.search(f))), None)
        return block_failure(
            self.source,
            self.parser.name,
            entry,
            name=name,
            group=place["file"] if place else "",
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )


def _x_marks(parser: TextParser, number: int) -> int:
    """The `X` marks on the lines of marks just above the heading on line `number`, when the
    line before them is in sight too, or the log's start (else 0: the entries count)."""
    before = parser.nearby_before(number)
    marks = 0
    for near in reversed(before):
        if not _MARKS_RE.match(near.text.strip()):
            return marks
        marks += near.text.count("X")
    return marks if len(before) < NEARBY else 0


def killed(parser: TextParser, number: int, line: str) -> bool:
    """A dot reporter's run a signal ended before its section, if `line` is its marks glued to
    bash's job-status line naming it: its `X` marks (on this line and the lines of marks just
    above it) count its failures, and the test it was in when killed printed no mark (as a
    killed `pytest -q` run is read, `poolctl.logs.pytest_unfinished`). False when it is not."""
    text = line.rstrip()
    if not KILLED_RE.match(text):
        return False
    marks_end = len(text) - len(text.lstrip(".X"))
    glued = text[:marks_end] if marks_end else ""
    marks = glued.count("X") + _x_marks(parser, number)
    counted = marks + 1
    said = text[marks_end:] if glued else text
    summary = (
        f"(no closing line: node --test's dot reporter run ends with the input, before its "
        f"Failed tests: section; its marks count {marks} failure(s), and stop in a test that "
        f"printed no result; its last line says how it ended: '{said}')"
    )
    out, file = parser.out, parser.name
    out.summaries.append(
        RunSummary(
            file, number, summary, None, counted, start=number, read=0, source=NODE,
            output_end=number,
        )
    )  # fmt: skip
    note_unread(out, file, number, summary, _VERDICT)
    return True
