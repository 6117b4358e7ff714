"""PHPUnit's sections of errors and failures (its default console output), read into
`Failure`s so that they classify as any runner's failure does (its verdict, `Tests: 11,
Assertions: 5, Errors: 4, Failures: 3, …`, counts them: `poolctl.logs.other_verdicts`):

    There were 4 errors:

    1) PoolTest::testASecondCallerGetsAWorkerWhileTheFirstHoldsIt
    PoolTimeoutException: timed out waiting for an idle worker after 200 ms (…)

    /src/WorkerPool.php:71
    /tests/PoolTest.php:11

    --

    There was 1 failure:

    1) MiscTest::testInvoiceTotalsIncludeTax
    Failed asserting that 15 is identical to 18.

    /tests/MiscTest.php:8

Each entry is its number and the test (`Class::method`, and `with data set "name" (…)` for
a data provider's), its message (an error's begins with the exception's class; a PHP warning
PHPUnit turned into one names none; a failed assertion's is `Failed asserting that …`, of kind
AssertionError, as other runners' matcher failures are), then the frames, `path:line` each;
up to the next entry, or the section's end (`--`, the next section, `FAILURES!`).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import EntriesSection
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "PHPUnit"
SOURCE: Source = "phpunit"
HEADING_RE = re.compile(r"^There (?:was 1|were \d+) (?P<what>error|failure)s?:$")
TRIGGERS = (r"^There (?:was 1|were \d+) (?:error|failure)s?:\s*$",)
_ENTRY_RE = re.compile(
    r"^\d+\) (?P<name>(?P<group>[A-Za-z_\\][\w\\]*)::(?P<test>\w+)(?: with data set .*)?)$"
)
_FRAME_RE = re.compile(r"^(?P<file>\S+\.php):(?P<line>\d+)$")
_RAISED_RE = re.compile(r"^(?P<kind>(?:[A-Za-z_]\w*\\)*[A-Z]\w*): ")
EXPECTATION = "AssertionError"
_ENDS = ("--", "FAILURES!", "ERRORS!", "WARNINGS!")  # whole lines (a diff's `--- Expected`)


class PhpunitSection(EntriesSection):
    """A section of errors or of failures (a consumer of a text parser's scan): each entry goes
    to `done` as a failure when it ends."""

    def begin(self, line: str) -> None:
        heading = HEADING_RE.match(line.rstrip())
        self.errors = heading is not None and heading["what"] == "error"
        super().begin(line)

    def ends(self, text: str) -> bool:
        return text in _ENDS or text.startswith("OK, but ") or bool(HEADING_RE.match(text))

    def starts_entry(self, text: str) -> bool:
        return bool(_ENTRY_RE.match(text))

    def read_entry(self, entry: Lines) -> None:
        named = _ENTRY_RE.match(entry[0][1])
        assert named is not None
        body = [t for _, t in entry[1:]]
        frames: list[re.Match[str]] = []  # the last lines, after the message and a blank one
        while body and (not body[-1] or _FRAME_RE.match(body[-1])):
            if frame := _FRAME_RE.match(body.pop()):
                frames.insert(0, frame)
        said = "\n".join(body).strip()
        raised = _RAISED_RE.match(said) if self.errors else None
        kind = raised["kind"].rsplit("\\", 1)[-1] if raised else ""
        if not self.errors and said:
            kind = EXPECTATION
        test_file = named["group"].rsplit("\\", 1)[-1] + ".php"
        own = [m for m in frames if m["file"].rsplit("/", 1)[-1] == test_file]
        place = (own or frames)[0 if own else -1] if frames else None
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=named["name"],
            group=named["group"],
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=said,
            details={"runner": RUNNER, "text": clip("\n".join(t for _, t in entry), MAX_FIELD)},
            frames=[m.group(0) for m in frames],
        )
        self.done(failure, entry)
