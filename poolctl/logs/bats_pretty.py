"""bats' pretty formatter (`bats -p`, its default on a terminal), read test by test into
`Failure`s that classify as any runner's failure does:

    pool.bats
     ✓ checks out a worker
     ✗ reply has the session id
       (in test file pool.bats, line 20)
         `[[ "$output" == *'"ok":true'* ]]' failed
       worker 1 did not answer 'ping' within 0.5s
     - skipped resize (skipped: not yet)

    4 tests, 1 failure, 1 skipped

Each test file's name heads its tests (the group); a `✗ name` line begins a failure, placed at
its `(in test file F, line N)` line (the last of its stack, under a helper's `(from function `f'
in file helper.bash, line 5,`), its message the lines indented below it (the command that
failed, the output bats prints under it: the test's, `--trace`'s `$ ` lines, bats-assert's
`-- … --` box); `✗ setup_file failed` and `✗ teardown_file failed` are failures of their file
(`(from function `setup_file' in test file F, line N)`). The closing line counts them
(`poolctl.logs.other_verdicts`); it is ExUnit's shape, and read as bats' only where bats'
failures were read since the last run closed.

bats writes each test's line twice on one line, its name as it runs, then a cursor move back
and its result (`ESC[1G`): with the escapes gone the line reads `   name 3/4 ✗ name`, or
`… 3/4 in 4 sec ✗ name [521]` under `--timing`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.run_end_lines import SIGNALS
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "bats"
SOURCE: Source = "bats"
# a test's result line: ` ✗ name`, or after its running line and count, `   name 3/4 ✗ name`
_COUNT = r"\d+/\d+(?: in \d+ sec)?"
RESULT_RE = re.compile(rf"^(?: |   .*?{_COUNT} )(?P<mark>[✓✗-]) (?P<name>.+?)$")
FAILED = "✗ "
_TIMING_RE = re.compile(r" \[(?:\d+(?: \(timeout: \S+\))?|timeout: \S+)\]$")
# a test file's line above its tests: a path, alone, unindented
FILE_RE = re.compile(r"^\S+\.bats$")
# where it failed: its stack, from the function that failed (a helper's, `setup_file`) to the
# test file, one frame a line: `(from function `f' in file helper.bash, line 4,` … `in test
# file pool.bats, line 10)`
_WHERE_RE = re.compile(r"in test file (?P<file>.+), line (?P<line>\d+)\)$")
_TRACEBACK = "Traceback (most recent call last):"
_RAISED_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): ")
TRIGGERS = (rf"(?:^|{_COUNT}) ✗ ", r"^\S+\.bats\s*$")
# bats' pretty output in a text: a failed test's line and where it failed
IN_TEXT_RE = re.compile(
    rf"(?:^|{_COUNT}) ✗ .*\n {{3}}\((?:from function `[^'\n]+' )?"
    r"in (?:test )?file \S+, line \d+[,)]$",
    re.M,
)
# its closing line; a test its timeout (BATS_TEST_TIMEOUT) stopped is counted apart, not a failure
VERDICT_RE = re.compile(
    r"^\d+ tests?, (?P<failed>\d+) failures?(?:, \d+ skipped)?(?:, (?P<errors>\d+) timed out)?"
    r"(?:, \d+ not run)?(?: in \d+ seconds)?$"
)
VERDICT_TRIGGER = (
    r"^\d+ tests?, (?:[1-9]\d* failures?|\d+ failures?(?:, \d+ skipped)?, [1-9]\d* timed out)"
)
# a run none of whose tests failed: a test's line that it passed, and the closing line, which is
# ExUnit's shape (bats' only beside its `✓` lines)
PASSED_IN_TEXT_RE = re.compile(rf"(?:^|{_COUNT}) ✓ \S", re.M)
CLEAN_RE = re.compile(
    r"^\d+ tests?, 0 failures(?:, \d+ skipped)?(?:, \d+ not run)?(?: in \d+ seconds)?$"
)
# A test's line as it runs, before its result is printed over it: `   name 2/3` (`--timing`:
# `   name 2/3 in 4 sec`). bats cuts the name to the terminal's width there (80 columns in a
# pipe): its first characters then `...`; only its result line holds it whole.
_RUNNING_RE = re.compile(r"^   (?P<text>.*?\d)/(?P<total>\d+)(?: in \d+ sec)?$")
_CUT = "..."
# the shell's word for a process a signal ended, after the run's last line (`Terminated`)
_SIGNAL_RE = re.compile(rf"^(?:.*: line \d+: +\d+ )?{SIGNALS}\b")


# each parser's last test file's line: the group of the tests after it
_FILES: weakref.WeakKeyDictionary[TextParser, str] = weakref.WeakKeyDictionary()


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> BatsBlock | None:
    """The block of the failed test `line` says failed, if it says so; a test file's line
    is noted (its tests' group) and begins none."""
    if FAILED in line and failed_test(line) is not None:
        block = BatsBlock(number, line, parser.name, SOURCE, done)
        block.group = _FILES.get(parser, "")
        return block
    if FILE_RE.match(line.rstrip()):
        _FILES[parser] = line.rstrip().removeprefix("./")
    return None


def failed_test(line: str) -> str | None:
    """The name of the test a result line of bats' says failed (its timing left out)."""
    if FAILED not in line:
        return None
    result = RESULT_RE.match(line.rstrip())
    if result is None or result["mark"] != "✗":
        return None
    return _TIMING_RE.sub("", result["name"])


class BatsBlock(RunnerBlock):
    """One failed test's lines (a consumer of a text parser's scan), under the test file's
    line `group`; the failure goes to `done` when an unindented line or the next test's ends
    it."""

    group = ""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip("\n")
        if not text.startswith("   ") or RESULT_RE.match(text.rstrip()):
            return False
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text.rstrip()))
        return True

    def close(self) -> Lines:
        name = failed_test(self.lines[0][1])
        if name is None:
            return []
        body = [t[3:] for _, t in self.lines[1:]]
        stack = 0  # its stack's lines, first
        if body and body[0].startswith("("):
            stack = next((i + 1 for i, t in enumerate(body) if t.endswith(")")), 0)
        where = _WHERE_RE.search(body[stack - 1]) if stack else None
        said = body[stack:]
        while said and not said[-1].strip():
            said.pop()
        said = [t[2:] if i == 0 and t.startswith("  ") else t for i, t in enumerate(said)]
        kind = ""
        if _TRACEBACK in said:  # a Python program's traceback in the output: its exception
            kind = next((m["kind"] for t in reversed(said) if (m := _RAISED_RE.match(t))), "")
        file = where["file"].removeprefix("./") if where else ""
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=self.group or file,
            location=f"{file}:{where['line']}" if where else "",
            kind=kind,
            message="\n".join(said),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []


def clean_run(text: str) -> bool:
    """Whether `text`, sniffed with one ExUnit mark (a closing line of its shape), is a bats
    run none of whose tests failed: its `✓` lines and its closing line with no failure."""
    if "✓" not in text:  # (a log of no format is searched whole: `in` first)
        return False
    return bool(PASSED_IN_TEXT_RE.search(text)) and any(
        CLEAN_RE.match(line.rstrip()) for line in text.splitlines() if line[:1].isdigit()
    )


def running(lines: list[tuple[int, str]]) -> tuple[int, str, str] | None:
    """The test bats was running when the input ended (killed, a time limit): the last of
    `lines` (the input's last ones, a shell's word of the signal after them left out) is a
    test's running line, no result printed over it; (its number, its text, its name) or None.
    A name cut to the line's width ends in `…`, not `...`: it is not the test's whole name."""
    while lines and _SIGNAL_RE.match(lines[-1][1].strip()):
        lines = lines[:-1]
    if not lines:
        return None
    number, text = lines[-1]
    found = _RUNNING_RE.match(text.rstrip())
    if found is None or FAILED in text or " ✓ " in text:
        return None
    digits = len(found["total"])  # the count's index is as wide as its total at most
    head = found["text"]
    index = head[-digits:].lstrip() if len(head) > digits else head
    name = head[: len(head) - digits].rstrip() if len(head) > digits else ""
    if not index.isdigit() or int(index) > int(found["total"]) or not name:
        return None
    if name.endswith(_CUT):
        name = name.removesuffix(_CUT) + "…"
    return number, text.rstrip(), name


def stopped_in_text(text: str) -> bool:
    """Whether `text`, a whole log, is a bats pretty run killed in a test: a test file's line,
    then the test's running line last (`running`)."""
    if ".bats" not in text:  # (a log of no format is searched whole: `in` first)
        return False
    tail = text.rstrip().rsplit("\n", 3)
    found = running([(n, t) for n, t in enumerate(tail) if t.strip()])
    if found is None:
        return False
    before = text[: len(text.rstrip()) - sum(len(t) + 1 for t in tail[found[0] :])]
    return re.search(r"(?m)^\S+\.bats$", before) is not None


def stopped(parser: TextParser, done: Callable[[Failure, Lines], object]) -> None:
    """The input ended in the test bats was running (`running`), under a test file's line: that
    test is a failure of the run, quoted from its line; its name said cut when bats cut it."""
    group = _FILES.get(parser)
    found = running(parser.last_lines()) if group is not None else None
    if found is None:
        return
    number, text, name = found
    said = (
        "the run ended while this test ran: bats printed no result for it, and no closing "
        "line (the last line of the input is its start)"
    )
    if name.endswith("…"):
        said += (
            "; its name is cut: bats cut it to the terminal's width on that line, and only "
            "its result line, never printed, holds it whole"
        )
    failure = block_failure(
        SOURCE,
        parser.name,
        [(number, text)],
        name=name,
        group=group or "",
        location=group or "",
        kind="stopped",
        message=said,
        details={"runner": RUNNER, "text": clip(text, MAX_FIELD), "note": said},
        frames=[],
    )
    done(failure, [(number, text)])
