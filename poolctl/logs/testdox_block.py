"""PHPUnit's `--testdox` console output (PHPUnit 9), read into `Failure`s so that they classify
as any runner's failure does (its verdict, `Tests: 11, Assertions: 5, Errors: 4, Failures: 3,
…`, counts them: `poolctl.logs.other_verdicts`). It prints no `There were 4 errors:` section:
each test is a sentence under its class's heading (`Pool` for `PoolTest`), a failed one's
message and frames boxed under it:

    Pool
     ✘ The worker answers a ping
       │
       │ WorkerTimeoutException: worker pid 32309 sent no response within 300 ms
       │
       │ /src/WorkerPool.php:32
       │ /tests/PoolTest.php:22
       │

An error and a failure share the mark (`✘`; colours tell them apart, yellow and red, and draw
the box with corners: `┐`, `├`, `┊`, `╵`, `┴`): a message with a `Failed asserting that …` line
is an assertion's (AssertionError), one beginning with a class an exception's, and a PHP warning
PHPUnit turned into an error names none.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "PHPUnit --testdox"
SOURCE: Source = "phpunit"
MARKS = "✔✘↩∅☢"  # passed, failed or errored, skipped, incomplete, risky
STARTS = tuple(f" {mark} " for mark in MARKS)  # a result line's first characters
RESULT_RE = re.compile(rf"^ (?P<mark>[{MARKS}]) (?P<test>\S.*)$")
TRIGGERS = (rf"^ [{MARKS}] \S",)
_BOX_RE = re.compile(r"^   [│┐├┊╵┴](?: (?P<text>.*))?$")
_FRAME_RE = re.compile(r"^(?P<file>\S+\.php):(?P<line>\d+)$")
_RAISED_RE = re.compile(r"^(?P<kind>(?:[A-Za-z_]\w*\\)*[A-Z]\w*): ")
_ASSERTED = "Failed asserting that "
EXPECTATION = "AssertionError"
# each parser's last class heading: the group of the tests under it
_HEADINGS: weakref.WeakKeyDictionary[TextParser, str] = weakref.WeakKeyDictionary()


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> TestdoxBlock | None:
    """The block of a failed test, if `line` is one's (`✘`); a result line right under a
    class's heading (a line alone after a blank one) notes the heading."""
    result = RESULT_RE.match(line.rstrip())
    if result is None:
        return None
    before = {
        n: text for n, text in ((c.line, c.text.rstrip()) for c in parser.nearby_before(number))
    }
    heading = before.get(number - 1, "")
    if heading and not heading[:1].isspace() and number - 2 not in before:
        _HEADINGS[parser] = heading
    if result["mark"] != "✘":
        return None
    block = TestdoxBlock(number, line, parser.name, SOURCE, done)
    block.group = _HEADINGS.get(parser, "")
    return block


class TestdoxBlock(RunnerBlock):
    """A failed test's sentence and the box under it, up to the box's last line."""

    group = ""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if not _BOX_RE.match(text):
            return False
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        result = RESULT_RE.match(self.lines[0][1])
        assert result is not None
        if len(self.lines) == 1:  # no box: another tool's `✘` line (docker compose's)
            return []
        body = [(m["text"] or "") for _, t in self.lines[1:] if (m := _BOX_RE.match(t))]
        frames: list[re.Match[str]] = []  # the last lines, after the message and a blank one
        while body and (not body[-1].strip() or _FRAME_RE.match(body[-1].strip())):
            if frame := _FRAME_RE.match(body.pop().strip()):
                frames.insert(0, frame)
        said = "\n".join(body).strip()
        kind = ""
        if any(t.startswith(_ASSERTED) for t in said.splitlines()):
            kind = EXPECTATION
        elif raised := _RAISED_RE.match(said):
            kind = raised["kind"].rsplit("\\", 1)[-1]
        own = [m for m in frames if m["file"].endswith("Test.php")]
        place = (own or frames)[0 if own else -1] if frames else None
        test = result["test"]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=f"{self.group} › {test}" if self.group else test,
            group=self.group,
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=said,
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[m.group(0) for m in frames],
        )
        self.done(failure, self.lines)
        return []
