"""`bun test`'s failures, read into `Failure`s so that they classify as any runner's failure does
(its verdict, ` 6 fail`, counts them: `poolctl.logs.verdict_lines`). After its header (`bun test
v1.4.5 (a7733435c)`) it names each test file on a line of its own, then prints, as each test
ends, what the test printed and, for a failed one, its error, then the test's result line:

    test/pool.test.js:
    31 |     const answer = await pool.request(worker, { id: 1, op: "start_job" }, 2000);
    32 |     expect(answer).toEqual({ id: 1, ok: "start_job" });
                            ^
    error: expect(received).toEqual(expected)
    …                                            (the diff)
          at <anonymous> (/tmp/bun/test/pool.test.js:32:20)
    (fail) worker pool > a job starts [686.20ms]
    (fail) worker pool > waits on a silent worker [1008.93ms]
      ^ this test timed out after 1000ms.

A failed test's block is the lines after the result line before it: the code around the line
that threw, then the error (`error: …` for an Error, else its name, `CheckoutTimeout: …`) to its
frames; a test past its timeout says so under its result line. Its place is its frame in the
test's file, else its first frame outside node's own. An error between tests (`# Unhandled error
between tests`, between two rules of dashes: a promise a test left rejected after it ended, a
test file that did not load) is a failure of the file, named so: bun counts it under ` 1 error`,
and a file that did not load (no test's result in its section) under ` 1 fail` too
(`LOAD_ERROR`, which `poolctl.logs.other_verdicts` counts once).
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

RUNNER = "bun test"
SOURCE: Source = "bun"
HEADER_RE = re.compile(r"^bun test v\d+\.\d+\.\d+\b")
# a test file's line: bun's names (`*.test.ts`, `*_test.js`, `*.spec.tsx`, `*_spec.mjs`)
FILE_RE = re.compile(r"^(?P<file>\S+?[._](?:test|spec)\.[cm]?[jt]sx?):$")
TRIGGERS = (r"^bun test v\d+\.\d+\.\d+", r"^\S+?[._](?:test|spec)\.[cm]?[jt]sx?:\s*$")
_RESULT_RE = re.compile(r"^\((?P<outcome>pass|fail|skip|todo)\) (?P<name>.+?)(?: \[[\d.]+m?s\])?$")
# its count of errors outside its tests, below its ` N fail` (` 0 fail` when none failed)
ERRORS_RE = re.compile(r"^(?P<errors>[1-9]\d*) errors?$")
ERRORS_TRIGGER = r"^ [1-9]\d* errors?\s*$"
# --bail's last line, in place of its counts
BAILED_RE = re.compile(r"^Bailed out after (?P<failed>[1-9]\d*) failures?$")
_TIMED_OUT_RE = re.compile(r"^  \^ (?P<said>this test timed out after \d+m?s\.)$")
# the counts after the files: the last file's section has ended
_COUNT_RE = re.compile(r"^ \d+ (?:pass|fail|skip|todo|errors?|expect\(\) calls?)$|^Ran \d+ tests? ")
_UNHANDLED = "# Unhandled error between tests"
UNHANDLED_NAME = "Unhandled error between tests"
LOAD_ERROR = "did not load"  # a failure's detail: bun counts its file among its ` N fail` too
_RULE = "-------------------------------"
_CODE_RE = re.compile(r"^ *\d+ \| |^ +\^$")  # the code around the line that threw, its caret
_ERROR_RE = re.compile(r"^(?:error: |(?P<kind>[A-Z][\w$.]*): )")
_FRAME_RE = re.compile(r"^ +at (?:.*?\()?(?P<path>[^\s()]+?):(?P<line>\d+)(?::\d+)?\)?$")
EXPECTATION = "AssertionError"

# each parser that read bun's header: a test file's line after it begins a section
_BUN: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> BunFile | None:
    """The section of a test file `line` names, after bun's header; the header is noted."""
    text = line.rstrip()
    if HEADER_RE.match(text):
        _BUN[parser] = True
    elif _BUN.get(parser) and FILE_RE.match(text):
        return BunFile(number, line, parser.name, SOURCE, done)
    return None


class BunFile(RunnerBlock):
    """A test file's lines (a consumer of a text parser's scan), to the next file's or the
    counts; each failed test's block in them goes to `done` when it ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if FILE_RE.match(text) or _COUNT_RE.match(text) or len(self.lines) >= 50 * MAX_BLOCK_LINES:
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        file = FILE_RE.match(self.lines[0][1])["file"]  # type: ignore[index]
        block: Lines = []
        aside = 0  # in an error between tests: its heading read (1), then its first rule (2)
        errors: list[Lines] = []  # each error between tests: its heading and lines, to its rule
        for i, (number, text) in enumerate(self.lines[1:], 1):
            if text == _UNHANDLED or (aside and text == _RULE):
                aside = 1 if text == _UNHANDLED else (aside + 1) % 3
                if text == _UNHANDLED:
                    errors.append([(number, text)])
                elif not aside:
                    errors[-1].append((number, text))
                continue
            result = None if aside else _RESULT_RE.match(text)
            if result is None:
                if aside:
                    errors[-1].append((number, text))
                else:
                    block.append((number, text))
                continue
            if result["outcome"] == "fail":
                after = self.lines[i + 1][1] if i + 1 < len(self.lines) else ""
                timed_out = _TIMED_OUT_RE.match(after)
                self._failure(file, result["name"], [*block, (number, text)], timed_out)
            block = []
        loaded = any(_RESULT_RE.match(t) for _, t in self.lines[1:])
        for error in errors:
            self._failure(file, UNHANDLED_NAME, [*error[1:], error[0]], None, loaded=loaded)
        return []

    def _failure(
        self,
        file: str,
        name: str,
        block: Lines,
        timed_out: re.Match[str] | None,
        *,
        loaded: bool = True,
    ) -> None:
        """`block`: the lines a test's result line (or an error's heading), its last, ends."""
        body = [t for _, t in block[:-1] if t != _RULE]
        kind, message = _said(body)
        if timed_out is not None:
            kind, message = "", timed_out["said"]
        frames = [t.strip() for t in body if _FRAME_RE.match(t)]
        places = [
            m for t in body if (m := _FRAME_RE.match(t)) and not m["path"].startswith("node:")
        ]
        own = [p for p in places if p["path"] == file or p["path"].endswith(f"/{file}")]
        place = (own or places)[0] if places else None
        where = f"{file}:{place['line']}" if own and place else ""
        details = {"runner": RUNNER, "text": clip("\n".join(t for _, t in block), MAX_FIELD)}
        if not loaded:
            details[LOAD_ERROR] = "its file's tests never ran: bun counts it a failed test too"
        block = sorted(block)  # (an error's heading, passed last, is its first line)
        failure = block_failure(
            self.source,
            self.input_file,
            block,
            name=name,
            group=file,
            location=where or (f"{place['path']}:{place['line']}" if place else file),
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, block)


def _said(body: list[str]) -> tuple[str, str]:
    """The kind and message of a block: its error's lines to its frames."""
    start = next(
        (i for i, t in enumerate(body) if not _CODE_RE.match(t) and _ERROR_RE.match(t)), None
    )
    if start is None:
        return "", ""
    said: list[str] = []
    for text in body[start:]:
        if _FRAME_RE.match(text):
            break
        said.append(text)
    message = "\n".join(said).strip().removeprefix("error: ")
    error = _ERROR_RE.match(body[start])
    if error is not None and error["kind"]:
        return error["kind"], message
    return (EXPECTATION if message.startswith("expect(") else "Error"), message
