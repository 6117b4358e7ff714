"""Zig's test runner (`zig test pool.zig`, its output not a terminal's), read into `Failure`s so
that they classify as any runner's failure does; its count, `2 passed; 0 skipped; 4 failed.`,
counts them.

    1/6 pool.test.a second caller checks out within 200ms...checkout timed out after 200ms: …
    FAIL (CheckoutTimeout)
    /src/pool.zig:11:5: 0x1253b6c in checkout (pool.zig)
        return error.CheckoutTimeout;
        ^
    /src/pool.zig:20:9: 0x1253b0b in test.a second caller checks out within 200ms (pool.zig)
        _ = try checkout(3);
            ^
    2/6 pool.test.the worker answers a ping...OK

A block is a test's line (its number, its module and name, then `...`) and the lines up to the
next test's or the count: what the test printed (after the `...`, and on the lines after it),
its `FAIL (ErrorName)` and its error return trace (each frame's place, `in` its function, the
source line and a caret). A failed test is named by its name, grouped by its module, placed at
its own frame (`in test.NAME`), its message what it printed; its kind the error it returned,
one of std.testing's (`TestExpectedEqual`, `TestUnexpectedResult`) an AssertionError, the
error's name kept. A test that passed and leaked memory (`[SafeAllocator] (err): leaked`) is
no failure of the count: the run's `1 tests leaked memory.` says so.

`zig build test` runs the same runner under the build system, which prints each failed test as
`error: 'pool.test.name' failed:` and its output indented seven spaces, no error's name (its
trace's first frame's source says it), and counts the run in its `Build Summary: 1/3 steps
succeeded (1 failed); 2/6 tests passed (4 failed)`.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "zig test"
SOURCE: Source = "zig"
HEADER_RE = re.compile(
    r"^(?P<number>\d+)/(?P<of>\d+) (?P<module>\S+?)\.test\.(?P<name>.+?)\.\.\.(?P<rest>.*)$"
)
# `zig build test`'s block of a failed test
BUILD_HEADER_RE = re.compile(r"^error: '(?P<module>\S+?)\.test\.(?P<name>.+)' failed:$")
# the compiler's error (a test that does not build: `zig build test` runs none)
COMPILE_RE = re.compile(r"^(?P<file>\S+?\.zig):(?P<line>\d+):\d+: error: (?P<said>.+)$")
TRIGGERS = (
    r"^\d+/\d+ \S+?\.test\..+?\.\.\.",
    r"^error: '\S+?\.test\..+' failed:\s*$",
    r"^\S+?\.zig:\d+:\d+: error: ",
)
_COUNT = r"\d+ passed; \d+ skipped; "
VERDICT_RE = re.compile(rf"^{_COUNT}(?P<failed>\d+) failed\.$")
VERDICT_TRIGGER = rf"^{_COUNT}[1-9]\d* failed\."
# ... and its build runner's count (`--summary` failures, its default, prints it on a failure)
_BUILD = r"Build Summary: \d+/\d+ steps succeeded(?: \(\d+ failed\))?; \d+/\d+ tests passed"
BUILD_VERDICT_RE = re.compile(rf"^{_BUILD} \((?P<failed>\d+) failed\)")
BUILD_VERDICT_TRIGGER = rf"^{_BUILD} \([1-9]\d* failed\)"
# ... of a build whose tests did not build: its steps' count alone (one failure: the build)
_STEPS = r"Build Summary: \d+/\d+ steps succeeded \("
NOT_BUILT_RE = re.compile(rf"^{_STEPS}(?P<failed>\d+) failed\)$")
NOT_BUILT_TRIGGER = rf"^{_STEPS}[1-9]\d* failed\)\s*$"
_ERRORS_RE = re.compile(r"^error: \d+ compilation errors?$")
_BUILD_INDENT = " " * 7
_RETURNED_RE = re.compile(r"\breturn error\.(?P<error>\w+);")
_ENDED = ("OK", "SKIP")
_LEAKED_RE = re.compile(r"^\[\w+\] \(err\): ")  # (an allocator's report after `OK`)
_SIGNAL_RE = re.compile(
    r"^error: the following test command terminated with signal (?P<signal>\w+):$"
)
_HEADER_IN_TEXT_RE = re.compile(r"^\d+/\d+ \S+?\.test\..+?\.\.\.(?P<rest>.*)$", re.M)
CLEAN_RE = re.compile(r"^(?:All \d+ tests passed|\d+ passed; \d+ skipped)\.$")
_FAILED_RE = re.compile(r"^FAIL \((?P<error>\w+)\)$")
_FRAME_RE = re.compile(
    r"^(?P<file>\S+?\.zig):(?P<line>\d+):\d+: 0x[0-9a-f]+ in (?P<function>.+) \((?P<unit>[^()]+)\)$"
)
EXPECTATION = "AssertionError"  # std.testing's errors: an expectation that failed
_TESTING = ("TestExpected", "TestUnexpected")


class ZigTestBlock(RunnerBlock):
    """One test's block (a consumer of a text parser's scan), to the next test's line or the
    run's count; its failure, if it failed, goes to `done` when it ends. A block the input ends
    in with no outcome (`OK`, `FAIL (…)`) is the test the run stopped in: a time limit killed
    the job, or a signal the test binary (`terminated with signal KILL`)."""

    def begin(self, line: str) -> None:
        self.followed = False  # a line after it that is none of its own (the next test's)

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or HEADER_RE.match(text) or VERDICT_RE.match(text):
            self.followed = True
            return False
        if CLEAN_RE.match(text):
            self.followed = True
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        texts = [header["rest"], *(t for _, t in self.lines[1:])]
        failed = next((i for i, t in enumerate(texts) if _FAILED_RE.match(t)), None)
        if failed is None and (found := re.search(r"FAIL \((\w+)\)$", header["rest"])):
            texts[0] = header["rest"][: found.start()]  # (`...FAIL (E)`: it printed nothing)
            texts.insert(1, found.group())
            failed = 1
        if failed is None and not self.followed and not _ended(texts):
            self.done(_stopped(self, header, texts), self.lines)
            return []
        if failed is None:
            return []  # it passed (or was skipped)
        error = _FAILED_RE.match(texts[failed])
        assert error is not None
        failure = _failure(self, header, texts[:failed], texts[failed + 1 :], error["error"])
        self.done(failure, self.lines)
        return []


class ZigBuildFailure(RunnerBlock):
    """`zig build test`'s block of a failed test (a consumer of a text parser's scan): its
    `error: 'pool.test.name' failed:` line, then what it printed and its error return trace,
    indented seven spaces; the build runner prints no error's name, so its trace's first
    frame's `return error.Name;` says it."""

    def feed(self, number: int, line: str) -> bool:
        if len(self.lines) >= MAX_BLOCK_LINES or not line.startswith(_BUILD_INDENT):
            return False
        self.lines.append((number, line.rstrip()[len(_BUILD_INDENT) :]))
        return True

    def close(self) -> Lines:
        header = BUILD_HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        texts = [t for _, t in self.lines[1:]]
        first = next((i for i, t in enumerate(texts) if _FRAME_RE.match(t)), len(texts))
        returned = _RETURNED_RE.search(texts[first + 1]) if first + 1 < len(texts) else None
        error = returned["error"] if returned else ""  # (a `try` of another's: not said)
        failure = _failure(self, header, texts[:first], texts[first:], error)
        self.done(failure, self.lines)
        return []


class ZigCompileErrors(RunnerBlock):
    """The compiler's errors of a test that does not build (a consumer of a text parser's
    scan): each `pool.zig:20:22: error: …` line, the source and caret under it, its notes, to
    `error: 1 compilation errors`; one failure, the test build's, placed at its first error."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or _ERRORS_RE.match(self.lines[-1][1]):
            return False
        if not text or text.startswith(("failed command: ", "Build Summary: ")):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        errors = [m for _, t in self.lines if (m := COMPILE_RE.match(t))]
        if not errors:
            return []
        first = errors[0]
        said = [
            f"{e['file']}:{e['line']}: {e['said']}" if i else e["said"]
            for i, e in enumerate(errors)
        ]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name="test (build)",
            group=first["file"].rpartition("/")[2].removesuffix(".zig"),
            location=f"{first['file']}:{first['line']}",
            kind="build error",
            message="\n".join(said),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []


def _ended(texts: list[str]) -> bool:
    """Whether a test's texts (what follows its `...`, and its lines) say it ended: `OK`,
    `SKIP`."""
    last = next((t for t in reversed(texts) if t.strip() and not _LEAKED_RE.match(t)), "")
    return texts[0].endswith(_ENDED) or any(t in _ENDED for t in texts[1:]) or last in _ENDED


def _stopped(block: RunnerBlock, header: re.Match[str], texts: list[str]) -> Failure:
    """The test a run stopped in: what it printed, and how the run ended where it says."""
    at = next((i for i, t in enumerate(texts) if _SIGNAL_RE.match(t)), len(texts))
    killed = _SIGNAL_RE.match(texts[at]) if at < len(texts) else None
    said = [t for t in texts[:at] if t.strip()]  # (zig's word and the command after it: not)
    ended = (
        f"the test binary was terminated with signal {killed['signal']} in this test"
        if killed
        else "the run ended in this test: nothing after it (a time limit's kill?)"
    )
    return block_failure(
        block.source,
        block.input_file,
        block.lines,
        name=header["name"],
        group=header["module"],
        location="",
        kind="stopped",
        message="\n".join([*said, ended]),
        details={"runner": RUNNER, "text": clip("\n".join(t for _, t in block.lines), MAX_FIELD)},
        frames=[],
    )


def stopped_in_text(text: str) -> bool:
    """Whether `text`, a whole log of no count, ends in a Zig test with no outcome: its last
    test's line, no `OK`, `FAIL (…)` nor count after it."""
    last = None
    for found in _HEADER_IN_TEXT_RE.finditer(text):
        last = found
    if last is None:
        return False
    after = text[last.end() :].splitlines()
    return not any(_FAILED_RE.match(t.strip()) or t.strip() in _ENDED for t in after[1:]) and (
        not last["rest"].rstrip().endswith(_ENDED)
    )


def _failure(
    block: RunnerBlock, header: re.Match[str], printed: list[str], trace: list[str], error: str
) -> Failure:
    """A failed test's failure: what it printed, its trace's frames, the error it returned."""
    frames = [m for t in trace if (m := _FRAME_RE.match(t))]
    own = next((m for m in frames if m["function"] == f"test.{header['name']}"), None)
    kind = EXPECTATION if error.startswith(_TESTING) else error
    said = "\n".join(t for t in printed if t.strip()).strip()
    return block_failure(
        block.source,
        block.input_file,
        block.lines,
        name=header["name"],
        group=header["module"],
        location=f"{own['file']}:{own['line']}" if own else "",
        kind=kind,
        message=said or error,
        details={
            "runner": RUNNER,
            "error": error,
            "text": clip("\n".join(t for _, t in block.lines), MAX_FIELD),
        },
        frames=[f"{m['function']} ({m['file']}:{m['line']})" for m in frames],
    )
