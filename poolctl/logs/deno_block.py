"""`deno test`'s failures, read into `Failure`s so that they classify as any runner's failure
does (its verdict, `FAILED | 1 passed | 8 failed (2s)`, counts them:
`poolctl.logs.other_verdicts`):

     ERRORS

    a second caller checks out within 200ms => ./pool_test.ts:20:6
    error: Error: checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting
            reject(new CheckoutTimeout(
                   ^
        at Timeout._onTimeout (file:///src/pool.ts:53:16)

     FAILURES

Its `ERRORS` section holds a block for each failed test (`name => FILE:LINE:COL`, where the
test is defined) and for an error no test caught (`./pool_test.ts (uncaught error)`): the
error's line and the lines after it not indented are its message (an assertion's diff), then
the code and the frames. A test it cancelled after such an error (`name ... cancelled (0ms)`)
it counts failed too, and prints no block of: it is read by that line.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import EntriesSection
from poolctl.logs.scan import MAX_FIELD, block_failure, clip, line_failure
from poolctl.model import Failure, Source

RUNNER = "Deno"
SOURCE: Source = "deno"
HEADER = " ERRORS "
VERDICT_RE = re.compile(r"^FAILED \| \d+ passed \| (?P<failed>\d+) failed\b")
VERDICT_TRIGGER = r"^FAILED \| \d+ passed \| [1-9]\d* failed"
# its type check failed: no test ran (the errors above it, `TS2322 [ERROR]: …`)
TYPE_CHECK_RE = re.compile(r"^error: Type checking failed\.$")
CANCELLED_RE = re.compile(r"^(?P<name>\S.*) \.\.\. cancelled \(\d+m?s\)$")
TRIGGERS = (r"^ ERRORS\s*$", r"^\S.* \.\.\. cancelled \(\d+m?s\)\s*$")
_TEST_RE = re.compile(r"^(?P<name>\S.*) => (?P<file>\S+?):(?P<line>\d+):\d+$")
_UNCAUGHT_RE = re.compile(r"^(?P<file>\S+) \(uncaught error\)$")
_KIND_RE = re.compile(r"^(?P<kind>\w*(?:Error|Exception)): ")
_FRAME_RE = re.compile(r"^ +at .*$")


class DenoErrors(EntriesSection):
    """The `ERRORS` section (a consumer of a text parser's scan): each block goes to `done` as a
    failure when it ends."""

    def ends(self, text: str) -> bool:
        return text.strip() == "FAILURES" or text.startswith("FAILED | ")

    def starts_entry(self, text: str) -> bool:
        return bool(_TEST_RE.match(text) or _UNCAUGHT_RE.match(text))

    def read_entry(self, entry: Lines) -> None:
        first = entry[0][1]
        test = _TEST_RE.match(first)
        named = test or _UNCAUGHT_RE.match(first)
        file = named["file"].removeprefix("./") if named else ""
        kind, message, frames = error_of([t for _, t in entry[1:]])
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=test["name"] if test else first,
            group=file,
            location=f"{file}:{test['line']}" if test else file,
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(t for _, t in entry), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, entry)


def error_of(texts: list[str]) -> tuple[str, str, list[str]]:
    """Kind, message and frames of an error as Deno prints it (`error: Error: …`, its lines not
    indented the message, then the code that threw and the frames): its class, its message."""
    said: list[str] = []
    for t in texts:
        if t[:1].isspace():
            break  # the code that threw, then the frames
        said.append(t.removeprefix("error: ").removeprefix("(in promise) "))
    message = "\n".join(said).strip()
    kind = raised["kind"] if (raised := _KIND_RE.match(message)) else ""
    return kind, message, [t.strip() for t in texts if _FRAME_RE.match(t)]


def cancelled(input_file: str, number: int, text: str) -> Failure | None:
    """A test Deno cancelled (`name ... cancelled (0ms)`), known by its line alone."""
    named = CANCELLED_RE.match(text)
    if named is None:
        return None
    said = "cancelled: Deno's test runner stopped its file's tests (after an error no test caught)"
    return line_failure(
        SOURCE, input_file, (number, text), name=named["name"], group="", location="",
        message=said, details={"runner": RUNNER, "text": text},
    )  # fmt: skip
