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
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "zig test"
SOURCE: Source = "zig"
HEADER_RE = re.compile(
    r"^(?P<number>\d+)/(?P<of>\d+) (?P<module>\S+?)\.test\.(?P<name>.+?)\.\.\.(?P<rest>.*)$"
)
TRIGGERS = (r"^\d+/\d+ \S+?\.test\..+?\.\.\.",)
_COUNT = r"\d+ passed; \d+ skipped; "
VERDICT_RE = re.compile(rf"^{_COUNT}(?P<failed>\d+) failed\.$")
VERDICT_TRIGGER = rf"^{_COUNT}[1-9]\d* failed\."
CLEAN_RE = re.compile(r"^(?:All \d+ tests passed|\d+ passed; \d+ skipped)\.$")
_FAILED_RE = re.compile(r"^FAIL \((?P<error>\w+)\)$")
_FRAME_RE = re.compile(
    r"^(?P<file>\S+?\.zig):(?P<line>\d+):\d+: 0x[0-9a-f]+ in (?P<function>.+) \((?P<unit>[^()]+)\)$"
)
EXPECTATION = "AssertionError"  # std.testing's errors: an expectation that failed
_TESTING = ("TestExpected", "TestUnexpected")


class ZigTestBlock(RunnerBlock):
    """One test's block (a consumer of a text parser's scan), to the next test's line or the
    run's count; its failure, if it failed, goes to `done` when it ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or HEADER_RE.match(text) or VERDICT_RE.match(text):
            return False
        if CLEAN_RE.match(text):
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
        if failed is None:
            return []  # it passed (or was skipped)
        error = _FAILED_RE.match(texts[failed])
        assert error is not None
        printed = [t for t in texts[:failed] if t.strip()]
        frames = [m for t in texts[failed + 1 :] if (m := _FRAME_RE.match(t))]
        own = next((m for m in frames if m["function"] == f"test.{header['name']}"), None)
        name = error["error"]
        kind = EXPECTATION if name.startswith(_TESTING) else name
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["name"],
            group=header["module"],
            location=f"{own['file']}:{own['line']}" if own else "",
            kind=kind,
            message="\n".join(printed).strip() or name,
            details={
                "runner": RUNNER,
                "error": name,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[f"{m['function']} ({m['file']}:{m['line']})" for m in frames],
        )
        self.done(failure, self.lines)
        return []
