"""Maven Surefire's console (`mvn test`): each failed test's block, read into `Failure`s that
classify as any runner's failure does; its Results' total, `[ERROR] Tests run: 11, Failures: 3,
Errors: 5, Skipped: 2`, counts them (`poolctl.logs.verdict_lines`). Surefire 3 prints a block
under its test class's count as the class ends:

    [ERROR] com.example.pool.PoolJupiterTest$Requests.theWorkerAnswersAPing -- Time elapsed: …
    com.example.pool.WorkerTimeoutException: worker pid 10710 sent no response within 300 ms
        at com.example.pool.Worker.request(Worker.java:62)
        at com.example.pool.PoolJupiterTest$Requests.theWorkerAnswersAPing(PoolJupiterTest.java:69)

`<<< FAILURE!` for an assertion, `<<< ERROR!` for any other exception: its class and message,
the message's further lines, its frames (each after a tab), to a blank line. Named by its
method (a parameterized test's `(String)[1]` kept), grouped by its class, placed at its first
frame in its class's file, of its exception's class. (Surefire 2's header,
`theWorkerAnswersAPing(com.example.pool.PoolTest)  Time elapsed: …`, is not read: none was
captured.)

Under `rerunFailingTestsCount` each failed try prints its block: a test's blocks are one
failure, its tries past the first its reruns, and a test its Results list under `Flakes:`
(it passed when run again) no failure, its tries said flaky (`poolctl.logs.reruns`). So blocks
are held until the run's total (or the input's end) settles them.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.junit5_console import place_in_class
from poolctl.logs.records import Lines
from poolctl.logs.reruns import add_rerun
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "Maven Surefire"
SOURCE: Source = "surefire"
HEADER_RE = re.compile(
    r"^\[ERROR\] (?P<cls>[\w.$]+?)\.(?P<method>[\w$]+(?:\(.*\))?(?:\[\d+\])?) -- "
    r"Time elapsed: [\d.,]+ s <<< (?:FAILURE|ERROR)!$"
)
TRIGGERS = (
    r"^\[ERROR\] [\w.$]+(?:\(.*\))?(?:\[\d+\])? -- Time elapsed: [\d.,]+ s <<< ",
    r"^\[WARNING\] Flakes: *$",  # its Results' list of the tests that passed when run again
)
FLAKES = "[WARNING] Flakes:"
TOTAL = "[ERROR] Tests run: "  # its Results' total, its verdict: the blocks held are settled
_FLAKY_RE = re.compile(r"^\[WARNING\] (?P<test>[\w.$]+\S*)$")
_RUN_RE = re.compile(r"^\[(?:ERROR|INFO|WARNING)\]   Run \d+: ")
_THROWN_RE = re.compile(r"^(?P<kind>[\w.$]+)(?:: (?P<message>.*))?$")
_FRAME = ("\tat ", "\t... ", "at ")

# each parser's blocks read, not yet settled (`settle`), and the tests listed flaky
_HELD: weakref.WeakKeyDictionary[TextParser, list[tuple[Failure, Lines]]] = (
    weakref.WeakKeyDictionary()
)
_FLAKY: weakref.WeakKeyDictionary[TextParser, set[str]] = weakref.WeakKeyDictionary()


def block_at(parser: TextParser, number: int, line: str) -> SurefireBlock | Flakes | None:
    """The block of the failed test `line` heads, or the list of flaky tests it heads."""
    text = line.rstrip()
    if text == FLAKES:
        return Flakes(_FLAKY.setdefault(parser, set()))
    if not HEADER_RE.match(text):
        return None
    held = _HELD.setdefault(parser, [])
    return SurefireBlock(number, line, parser.name, SOURCE, lambda *read: held.append(read))


def settle(parser: TextParser, keep: Callable[[Failure, Lines], object]) -> None:
    """The run's total, or the input's end: each test's blocks held are one failure (its tries
    past the first its reruns), or none for a test listed flaky."""
    held = _HELD.pop(parser, [])
    flaky = _FLAKY.pop(parser, set())
    tries: dict[str, list[tuple[Failure, Lines]]] = {}
    for failure, lines in held:
        tries.setdefault(f"{failure.group}.{failure.name}", []).append((failure, lines))
    for test, blocks in tries.items():
        failure, lines = blocks[0]
        key, said = f"{failure.group}::{failure.name}", failure.message.partition("\n")[0]
        if test in flaky:
            add_rerun(parser.out, key, len(blocks), said)
            continue
        if len(blocks) > 1:
            add_rerun(parser.out, key, len(blocks) - 1, said)
        keep(failure, lines)


class SurefireBlock(RunnerBlock):
    """One failed try's block (a consumer of a text parser's scan), to a blank line."""

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        body = [t for _, t in self.lines[1:]]
        thrown = _THROWN_RE.match(body[0]) if body else None
        if header is None or thrown is None:
            return []
        cls = header["cls"]
        frames = [t.strip() for t in body[1:] if t.startswith(_FRAME)]
        said = [thrown["message"] or "", *(t for t in body[1:] if not t.startswith(_FRAME))]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["method"],
            group=cls,
            location=place_in_class(cls, [f.removeprefix("at ") for f in frames]),
            kind=thrown["kind"],
            message="\n".join(said).strip(),
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


class Flakes:
    """Its Results' `[WARNING] Flakes:` list (a consumer of a text parser's scan): each test
    named, then its tries (`[ERROR]   Run 1: …`, `[INFO]   Run 2: PASS`)."""

    def __init__(self, flaky: set[str]) -> None:
        self.flaky = flaky

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if _RUN_RE.match(text):
            return True
        named = _FLAKY_RE.match(text)
        if named is None:
            return False
        self.flaky.add(named["test"])
        return True

    def close(self) -> Lines:
        return []
