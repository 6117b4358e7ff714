"""Playwright Test's failures, read from its console reporters (list, line, dot) into `Failure`s
that classify as any runner's failure does (its `  7 failed` counts them:
`poolctl.logs.verdict_lines`). Each failed test's block is headed by its number and title, the
test's place (where it is declared) in it:

      4) [chromium] › tests/pool.spec.js:28:3 › worker pool › a job starts ──────────────────

        Error: expect(received).toEqual(expected) // deep equality
        …                                           (the diff)
          30 |     const worker = await pool.checkout(200);
        > 32 |     expect(answer).toEqual({ id: 1, ok: 'start_job' });
        at /tmp/pw/tests/pool.spec.js:32:20

        Error Context: test-results/pool-worker-pool-a-job-starts/error-context.md

        Retry #1 ───────────────────────────────────────────────────────────────────────────

        Error: expect(received).toEqual(expected) // deep equality
        …

The list and dot reporters print the blocks once the run ends, the line reporter each as its
test ends, under its `[4/10] …` line; each ends at a line indented less than its body. A block
holds each failed try (`Retry #1`): the first try's errors are its message (up to the code, a
frame, a call log), the first frame in the test's file its place (else its title's). The
summary after the blocks lists the failed tests, then the flaky ones, which passed when retried:
those are no failures (`poolctl.logs.reruns`), and a block is kept only once the summary says
which it is (or the input ends).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.reruns import add_rerun
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "Playwright"
SOURCE: Source = "playwright"
# a test's title: its project (`[chromium] › `), its file, line and column, its describe blocks
# and name joined by ` › `, then a rule to the width (none past it)
_TITLE = (
    r"(?:\[(?P<project>[^\]]+)\] › )?(?P<file>[^\s›]+):(?P<line>\d+):\d+ › (?P<title>.+?)(?: ─+)?"
)
HEADER_RE = re.compile(rf"^  [1-9]\d*\) {_TITLE}$")
_LISTED_RE = re.compile(rf"^    {_TITLE}$")  # a test the summary lists under its count
# the summary's counts, each kind's tests listed under it (`failed`, `interrupted`, `flaky`)
_COUNT_RE = re.compile(
    r"^  (?P<count>[1-9]\d*) (?P<kind>failed|interrupted|flaky|skipped|did not run|passed"
    r"|errors? (?:was|were) not a part of any test)\b"
)
_SUMMARY_RE = re.compile(r"^  [1-9]\d* (?:failed|interrupted|flaky)$")  # where its lists begin
TRIGGERS = (r"^  [1-9]\d*\) (?:\[[^\]]+\] › )?\S+:\d+:\d+ › ", r"^  [1-9]\d* flaky\s*$")
_RETRY_RE = re.compile(r"^    Retry #\d+ ─*$")
# where an error's text ends: the code around its line, its place, a call log, its frames
_AFTER_MESSAGE_RE = re.compile(
    r"^ +(?:>? *\d+ \||\| |at \S|Call log:$|Error Context: |attachment #\d+: )"
)
_FRAME_RE = re.compile(r"^ +at (?:.*\()?(?P<path>[^\s()]+?):(?P<line>\d+)(?::\d+)?\)?$")
_KIND_RE = re.compile(r"^(?P<kind>[A-Za-z_$][\w$.]*): ")
# a matcher's failed expectation (`expect(received).toBe(expected)`, `expect(locator)…`), after
# `Error: ` and a message of the test's own (`expect(value, 'message')`)
_EXPECT_RE = re.compile(r"^(?:Error: )?expect(?:\.soft)?\(", re.M)
EXPECTATION = "AssertionError"

# each parser's blocks read and not yet kept: the summary after them says which are flaky
_HELD: weakref.WeakKeyDictionary[TextParser, list[tuple[Failure, Lines]]] = (
    weakref.WeakKeyDictionary()
)


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
) -> PlaywrightBlock | Summary | None:
    """The block of the failed test `line` heads (`  4) tests/pool.spec.js:28:3 › …`), or the
    summary it begins where no test failed (`  1 flaky`), if either."""
    if " › " not in line:
        return summary_at(parser, number, line, keep)
    if not HEADER_RE.match(line.rstrip()):
        return None
    held = _HELD.setdefault(parser, [])
    return PlaywrightBlock(number, line, parser.name, SOURCE, lambda *read: held.append(read))


def summary_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
) -> Summary | None:
    """The summary that `  7 failed` (or `  1 flaky`, none failed) begins, after blocks read,
    or `  1 interrupted` (a test running when the run was stopped prints no block)."""
    if not _SUMMARY_RE.match(line.rstrip()):
        return None
    if not _HELD.get(parser) and not line.rstrip().endswith(" interrupted"):
        return None
    return Summary(parser, number, line, keep)


def settle(parser: TextParser, keep: Callable[[Failure, Lines], object]) -> None:
    """The input ended: the blocks held are kept (a run cut before its summary)."""
    _release(parser, set(), keep)


class PlaywrightBlock(RunnerBlock):
    """One failed test's block (a consumer of a text parser's scan): its lines to the first one
    indented less than its body."""

    def ends_before(self, text: str) -> bool:
        return bool(text) and not text.startswith("    ")

    def close(self) -> Lines:
        block = self.lines
        while block and not block[-1][1]:
            block.pop()
        header = HEADER_RE.match(block[0][1])
        if header is None:
            return []
        tries = [i for i, (_, t) in enumerate(block) if _RETRY_RE.match(t)]
        first = [t for _, t in block[1 : tries[0] if tries else None]]
        message = _message(first)
        kind = said["kind"] if (said := _KIND_RE.match(message)) else ""
        if kind == "Error" and _EXPECT_RE.search(message):
            kind = EXPECTATION
        frames = [t.strip() for t in first if _FRAME_RE.match(t)]
        file = header["file"]
        where = next(
            (
                f"{file}:{m['line']}"
                for t in first
                if (m := _FRAME_RE.match(t))
                and (m["path"] == file or m["path"].endswith(f"/{file}"))
            ),
            f"{file}:{header['line']}",
        )
        details = {"runner": RUNNER, "text": clip("\n".join(t for _, t in block), MAX_FIELD)}
        if header["project"]:
            details["project"] = header["project"]
        details["tries"] = str(len(tries) + 1)
        failure = block_failure(
            self.source,
            self.input_file,
            block,
            name=header["title"],
            group=file,
            location=where,
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, block)
        return []


class Summary:
    """The summary after the blocks (a consumer of a text parser's scan): its counts, and the
    tests listed under each; the blocks held are settled when it ends. A run stopped before its
    end (a Ctrl-C, a CI job cancelled, `-x` or `--max-failures` reached) lists the tests running
    then as `interrupted` and counts those it never began (`  8 did not run`): neither passed nor
    failed, they are said in a note (an interrupted test's block is no failure)."""

    def __init__(
        self, parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
    ) -> None:
        self.parser = parser
        self.keep = keep
        self.number = number
        self.kind = _COUNT_RE.match(line.rstrip())["kind"]  # type: ignore[index]
        self.flaky: set[tuple[str, str]] = set()
        self.interrupted: list[str] = []  # each test listed so, as `file:line › title`
        self.stopped: set[tuple[str, str]] = set()
        self.not_run = 0

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if count := _COUNT_RE.match(text):
            self.kind = count["kind"]
            if self.kind == "did not run":
                self.not_run = int(count["count"])
            return True
        listed = _LISTED_RE.match(text)
        if listed is None:
            return False
        if self.kind == "flaky":
            self.flaky.add((listed["file"], listed["title"]))
        elif self.kind == "interrupted":
            self.stopped.add((listed["file"], listed["title"]))
            self.interrupted.append(f"{listed['file']}:{listed['line']} › {listed['title']}")
        return True

    def close(self) -> Lines:
        _release(self.parser, self.flaky, self.keep, self.stopped)
        notes = self.parser.out.skipped
        # (its globalTimeout's cut, said in its own note, left the tests it did not run)
        timed_out = f"{self.parser.name}:", "was cut short, 'Timed out waiting "
        if not self.interrupted and any(
            n.startswith(timed_out[0]) and timed_out[1] in n for n in notes
        ):
            return []
        if self.interrupted or self.not_run:
            at = f"{self.parser.name}:{self.number}: "  # the run's own note there says less
            notes[:] = [n for n in notes if not (n.startswith(at) and " interrupted': " in n)]
            notes.append(stopped_note(self, self.parser.name))
        return []


def stopped_note(summary: Summary, file: str) -> str:
    """The note for a run Playwright stopped before its end: the tests it interrupted, named,
    and how many it did not run."""
    said = []
    if summary.interrupted:
        said.append(f"{len(summary.interrupted)} interrupted ({'; '.join(summary.interrupted)})")
    if summary.not_run:
        said.append(f"{summary.not_run} did not run")
    return (
        f"{file}:{summary.number}: Playwright stopped the run before its end (a Ctrl-C, a CI job "
        f"cancelled, or -x/--max-failures reached): {', '.join(said)}; neither passed nor "
        "failed, they are not triaged"
    )


def flaky_alone(text: str, file: str, out: ParsedLog) -> None:
    """A log of passed Playwright runs alone (no failed run, so no parser reads its blocks):
    the tests its summaries list under `  1 flaky`, which failed and passed when retried, are
    reruns, each read from its block (the failed try's message), so that the report says them
    flaky, not clean."""
    flaky: set[tuple[str, str]] = set()
    read: list[Failure] = []
    block: PlaywrightBlock | None = None
    kind = ""
    for number, line in enumerate(text.splitlines(), 1):
        if block is not None and block.feed(number, line):
            continue
        if block is not None:
            block.close()
            block = None
        stripped = line.rstrip()
        if HEADER_RE.match(stripped):
            block = PlaywrightBlock(number, line, file, SOURCE, lambda f, _: read.append(f))
        elif count := _COUNT_RE.match(stripped):
            kind = count["kind"]
        elif kind == "flaky" and (listed := _LISTED_RE.match(stripped)):
            flaky.add((listed["file"], listed["title"]))
        else:
            kind = ""
    if block is not None:
        block.close()
    for failure in read:
        if (failure.group, failure.name) in flaky:
            tries = int(failure.details.get("tries", "1"))
            said = failure.message.partition("\n")[0]
            add_rerun(out, f"{failure.group}::{failure.name}", tries, said)


def _release(
    parser: TextParser,
    flaky: set[tuple[str, str]],
    keep: Callable[[Failure, Lines], object],
    interrupted: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> None:
    """Keep the blocks held but those of a flaky test (counted as reruns) and of a test the run
    interrupted (said in a note); a test retried and failed every try counts its reruns too."""
    held = _HELD.pop(parser, [])
    for failure, lines in held:
        if (failure.group, failure.name) in interrupted:
            continue
        tries = int(failure.details.get("tries", "1"))
        said = failure.message.partition("\n")[0]
        if (failure.group, failure.name) in flaky:
            add_rerun(parser.out, f"{failure.group}::{failure.name}", tries, said)
            continue
        if tries > 1:
            add_rerun(parser.out, f"{failure.group}::{failure.name}", tries - 1, said)
        keep(failure, lines)


def _message(body: list[str]) -> str:
    """The first try's errors as printed, from its first line to the code or frames of its
    last error (a test's timeout, then the error it interrupted), four spaces taken off."""
    said: list[str] = []
    for text in body:
        if _AFTER_MESSAGE_RE.match(text):
            break
        said.append(text.removeprefix("    "))
    return "\n".join(said).strip()
