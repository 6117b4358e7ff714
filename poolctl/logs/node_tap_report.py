"""node-tap's own reporter (`base`, its default when colours are on, as with `--color` or
FORCE_COLOR in CI; `terse`), read into `Failure`s as its TAP output is (`poolctl.logs.tap_block`).
Under a test file's line (` FAIL  tap.test.mjs 4 failed of 5 1.358s`) each failed assertion is a
`✖ test > message` entry; its report at the run's end (`🌈 TEST COMPLETE 🌈`, base) prints each
again, whole, and only that one is read:

    ✖ a second checkout waits for the first > checkout timed out after 200ms: pool
      pool_a has 0 idle workers, 1 waiting
      pool.mjs
      35       if (Date.now() >= deadline) {
      36         throw new Error(`checkout timed out after ${timeout}ms: pool
      ━━━━━━━━━━━━━━━━━┛
      37       }
      tapCaught: returnedPromiseRejection
      Pool.checkout (pool.mjs:36:15)
      Test.<anonymous> (tap.test.mjs:9:3)

An entry is its header (the test's name, its parents' before it, and the message, wrapped at 80
columns), the source around where it failed (the file's name, numbered lines, a caret line under
the failing one), what node-tap says of it (`type: TypeError`, `tapCaught: …`, a diff,
`compare: ===`, `cause: Error: …` and the cause's own source and stack) and the stack. The
entries are kept once node-tap's count of the run comes (`# { total: 8, pass: 1, fail: 7 }`,
which counts them: its verdict, `poolctl.logs.other_verdicts`); the ones printed before its
`TEST COMPLETE` (a test file's line, redrawn while the run goes on) are dropped there.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from poolctl.logs import node_tap_unloaded
from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "node-tap"
SOURCE: Source = "tap"
HEADER_RE = re.compile(r"^✖ ?(?P<said>\S.*)$")
# a test file's line, above its entries; and the heading of the run's report
FILE_RE = re.compile(r"^ (?:FAIL|PASS|RUNS)  (?P<file>\S+) ")
COMPLETE = "🌈 TEST COMPLETE 🌈"
# node-tap's count of the run, the last line of its report (and of its TAP output)
VERDICT_RE = re.compile(
    r"^# \{ total: \d+, pass: \d+, fail: (?P<failed>[1-9]\d*)(?:, [a-z]+: \d+)* \}$"
)
VERDICT_TRIGGER = r"^# \{ total: \d+, pass: \d+, fail: [1-9]"
PROGRESS = "Asserts:  "  # its progress's first line, redrawn as a run goes on
TRIGGERS = (r"^✖", r"^ FAIL  \S+ \d+ failed of \d+", r"^ *🌈 TEST COMPLETE 🌈", r"^Asserts:  \d")
# a test file's line and its first entry, in a whole text (RE2 syntax, multi-line): its dot and
# min reporters print no count of the run
IN_TEXT = r"^ FAIL  \S+ \d+ failed of \d+[^\n]*\n✖ ?\S"
_ENDS = ("Asserts:", "Suites:", "# ")
_SOURCE_FILE_RE = re.compile(r"^  (?P<file>[^\s:()]+\.[cm]?[jt]sx?)\s*$")
_NUMBERED_RE = re.compile(r"^  (?P<line>\d+)(?: |$)")
_CARET_RE = re.compile(r"^  ━*┛\s*$")
_FRAME_RE = re.compile(r"^  (?:\S.*? \()?(?P<file>[^\s()]+):(?P<line>\d+):\d+\)?$")
_FIELD_RE = re.compile(
    r"^  (?P<field>type|tapCaught|compare|cause|found|wanted|pattern): (?P<v>.*)$"
)
_DIFF_START = "  --- expected"
_PLACED_RE = re.compile(r" (?P<file>[^\s:()]+\.[cm]?[jt]sx?):(?P<line>\d+):\d+$")


@dataclass
class Report:
    """What a parser saw of node-tap's reporter: the last test file's line, and the entries read
    since the last count or `TEST COMPLETE` (kept at the count)."""

    test_file: str = ""
    entries: list[tuple[Failure, Lines]] = field(default_factory=list)
    # why each test file that did not load failed, from its stderr (`node_tap_unloaded`)
    errors: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    held: list[tuple[Failure, Lines]] = field(default_factory=list)  # at a count (`counted`)


def counted(report: Report) -> list[tuple[Failure, Lines]]:
    """node-tap's count of a run: the entries read since the last one are held, a file that did
    not load once, until node-tap's next line says whose they are (`settled`); those held
    before are returned, to be kept."""
    kept = settled(report, complete=False)
    report.held = node_tap_unloaded.new(report.entries, set())
    report.entries.clear()
    return kept


def settled(report: Report, *, complete: bool) -> list[tuple[Failure, Lines]]:
    """A line of node-tap's after its count: the entries held there are returned, to be kept,
    unless the line is its report's heading (`complete`). node-tap prints its count before its
    report too, some runs (`again`): the entries held there were its progress's, printed again
    in the report, and are dropped; any other line (a test file's, an entry's, its progress's)
    is a run's after it (a retry), or the input's end."""
    held, report.held = report.held, []
    return [] if complete else held


def line_read(report: Report, line: str) -> bool:
    """Note a test file's line or the report's heading; True when `line` was one."""
    if (found := FILE_RE.match(line)) is not None:
        report.test_file = found["file"]
        return True
    if line.strip() == COMPLETE:
        report.entries.clear()  # the entries printed while the run went on: printed again below
        return True
    return False


class NodeTapEntry(RunnerBlock):
    """One `✖` entry (a consumer of a text parser's scan); its failure goes to `done` when it
    ends, with the test file whose line it is under as its group (`test_file`)."""

    test_file = ""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.startswith("✖"):
            return False
        if FILE_RE.match(text) or text.strip() == COMPLETE or text.startswith(_ENDS):
            return False
        if text and not text.startswith(" "):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        body = [t for _, t in self.lines[1:]]
        said = [header["said"].strip()]
        rest = body
        for i, text in enumerate(body):
            if not text.strip() or _told(body, i):
                rest = body[i:]
                break
            said.append(text.strip())  # (the header wrapped at 80 columns)
        else:
            rest = []
        whole = " ".join(said)
        placed = _PLACED_RE.search(whole)  # a short entry's place, after its message
        whole = whole[: placed.start()] if placed else whole
        name, sep, message = whole.rpartition(" > ")
        if not sep:
            name = message = whole
        fields = {f["field"]: f["v"].strip() for t in rest if (f := _FIELD_RE.match(t))}
        frames = [t.strip() for t in rest if _FRAME_RE.match(t)]
        place = _place(rest) or (f"{placed['file']}:{placed['line']}" if placed else "")
        notes = [t.strip() for t in rest if t.startswith(("  cause: ", "  -", "  +", "  @@"))]
        kind = fields.get("type") or ("Error" if "tapCaught" in fields else "AssertionError")
        if not fields and not any(_CARET_RE.match(t) for t in rest):
            kind = ""  # a short entry (the run's progress): it says no more than where and what
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=self.test_file or place.rpartition(":")[0],
            location=place,
            kind=kind,
            message="\n".join([message, *notes]),
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def _told(body: list[str], i: int) -> bool:
    """Whether `body[i]` is past the header's wrapped lines: the source's file name (a numbered
    line after it), a field, the diff, or a frame of the stack."""
    text = body[i]
    if _SOURCE_FILE_RE.match(text) and i + 1 < len(body) and _NUMBERED_RE.match(body[i + 1]):
        return True
    return bool(_FIELD_RE.match(text) or text.startswith(_DIFF_START) or _FRAME_RE.match(text))


def _place(rest: list[str]) -> str:
    """Where the entry failed: the source's line above the caret (the file's name above the
    numbered lines), else its stack's first frame."""
    source = ""
    number = ""
    for text in rest:
        if text.startswith("  cause: "):
            break  # (the cause's own source and stack)
        if (named := _SOURCE_FILE_RE.match(text)) and not source:
            source = named["file"]
        elif source and (numbered := _NUMBERED_RE.match(text)):
            number = numbered["line"]
        elif source and number and _CARET_RE.match(text):
            return f"{source}:{number}"
    frame = next((f for t in rest if (f := _FRAME_RE.match(t))), None)
    return f"{frame['file']}:{frame['line']}" if frame else ""


def uncounted(report: Report, out: ParsedLog, file: str) -> list[tuple[Failure, Lines]]:
    """The input ended with entries no count kept (node-tap's dot and min reporters print none;
    a run killed before its report): each, once (a redrawn entry is printed again), and a run
    that counts them, with no count of node-tap's; they are returned to be kept."""
    seen: set[tuple[str, str, str]] = set()
    entries = []
    for failure, lines in report.entries:
        key = (failure.name, failure.message, failure.location)
        if key not in seen:
            seen.add(key)
            entries.append((failure, lines))
    report.entries.clear()
    if entries:
        first, last = entries[0][0], entries[-1][0]
        text = (
            f"(no count: node-tap's reporter printed {len(entries)} failed assertion(s) under its "
            "test files' lines and no `# { total: … }` line: its dot or min reporter, or a run "
            "stopped before its end)"
        )
        out.summaries.append(
            RunSummary(
                file, last.line_end, text, None, len(entries),
                start=first.line_start, read=0, source=RUNNER,
            )
        )  # fmt: skip
    return entries


def again(out: ParsedLog, file: str, number: int, text: str) -> bool:
    """node-tap prints its count of a run twice when a test file failed to load (its terse
    reporter: once after its progress, before its report, and once after it): the same count as
    the last run's of `file`, none of whose entries came before it (a second run as long, a
    retry, read its own), is that run's, which now ends on line `number` (True)."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != RUNNER or last.text != text:
        return False
    before = out.summaries[-2].line if len(out.summaries) > 1 else 0
    if any(
        f.input_file == file and "runner" in f.details and before < f.line_start < last.line
        for f in out.failures
    ):
        return False  # (its entries, or its TAP's, read before it: it was a run of its own)
    start = number if last.start == last.line else last.start  # (`finish` sets it)
    out.summaries[-1] = dataclasses.replace(last, line=number, start=start)
    return True
