"""Vitest's lines of each test file, read when the run stopped before its counts (killed, a CI
job's time limit): with no terminal it prints a file's line as the file ends, its failed tests
under it, and its failure blocks and counts (`Tests  2 failed | 1 passed (3)`) once the run
ends.

     ❯ test/a_pool.test.js (3 tests | 2 failed) 327ms
       × request is answered 310ms
       × reply shape 11ms
       ✓ starts 4ms

Each `×` line is a failed test, read by its name alone (its error is printed in the blocks
only), its file its group; the file's line counts them. A file still running is not named (its
line comes as it ends). A run that printed its counts reads its blocks
(`poolctl.logs.vitest_block`), not these lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import keep_failure, line_failure
from poolctl.logs.vitest_block import RUNNER, SOURCE
from poolctl.model import Failure

FILE_RE = re.compile(r"^ ❯ (?P<file>\S+) \(\d+ tests?(?: \| (?P<counts>[^)]*))?\)(?: [\d.]+m?s)?$")
FAILED_RE = re.compile(r"^ +× (?P<name>.+?)(?: [\d.]+m?s)?$")
_FAILED_COUNT_RE = re.compile(r"\b(?P<failed>\d+) failed\b")
TRIGGERS = (r"^ ❯ \S+ \(\d+ tests? \|", r"^ +× \S")
# a file's line that counts failed tests, its first failed test under it, in a whole text (RE2
# syntax, multi-line): a run stopped before its counts
IN_TEXT = r"^ ❯ \S+ \(\d+ tests? \|[^)\n]*\b\d+ failed[^)\n]*\)[^\n]*\n +× \S"


@dataclass
class Files:
    """The files' lines a parser read, and their failed tests: (line, text, name, file)."""

    counted: list[tuple[int, int]] = field(default_factory=list)  # a file's line, its failed
    failed: list[tuple[int, str, str, str]] = field(default_factory=list)
    file: str = ""  # the file whose line was read last


def read_line(files: Files, number: int, line: str) -> bool:
    """Line `number`, if a file's line or a failed test's under it, recorded; whether it was."""
    text = line.rstrip()
    if found := FILE_RE.match(text):
        files.file = found["file"]
        counted = _FAILED_COUNT_RE.search(found["counts"] or "")
        files.counted.append((number, int(counted["failed"]) if counted else 0))
        return True
    if files.file and (failed := FAILED_RE.match(text)):
        files.failed.append((number, text, failed["name"], files.file))
        return True
    return False


def _by_name(file: str, number: int, text: str, name: str, test_file: str) -> Failure:
    """A failed test of a file's line, known by its name alone."""
    said = (
        "the run stopped before its counts and failure blocks (killed, a time limit): Vitest's "
        "line of its file marks this test failed, and its error was to be printed in the blocks"
    )
    details = {"runner": RUNNER, "text": text}
    return line_failure(
        SOURCE, file, (number, text), name=name, group=test_file, location=test_file,
        message=said, details=details,
    )  # fmt: skip


def stopped(files: Files, out: ParsedLog, file: str) -> None:
    """The input ended after the files' failed tests, and no run was counted after them: a run
    stopped before its counts. Each failed test is a failure by its name alone, and a run counts
    what the files' lines counted."""
    if not files.failed or any(
        s.file == file and s.line > files.failed[0][0] for s in out.summaries
    ):
        return
    first = min(files.counted[0][0], files.failed[0][0]) if files.counted else files.failed[0][0]
    failures = [_by_name(file, *failed) for failed in files.failed]
    counted = max(sum(n for line, n in files.counted if line >= first), len(failures))
    end = failures[-1].line_end
    text = (
        f"(no counts: Vitest's lines of its test files count {counted} failed test(s), and no "
        "`Tests` line or failure blocks after them: the run stopped before its end; a file still "
        "running is not named)"
    )
    out.summaries.append(
        RunSummary(file, end, text, None, counted, start=first, read=0, source=RUNNER)
    )
    files.failed.clear()
    for failure in failures:
        if keep_failure(out, failure):
            out.blocks[(file, failure.line_start)] = [(failure.line_start, failure.details["text"])]
