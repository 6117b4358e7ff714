"""Vitest's console failure blocks, read into `Failure`s so that they classify as any runner's
failure does (its verdict, `Tests  3 failed | …`, counts them: `poolctl.logs.other_verdicts`).

     FAIL  test/pool.test.js > pool > checkout times out
    Error: timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 3 waiting)
     ❯ test/pool.test.js:5:11
          3| describe('pool', () => {
          5|     throw new Error('timed out waiting for a worker after 200ms (pool …
           |           ^

    ⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯[3/5]⎯

A block is its header (the file, and the describe path and test joined with ` > `; a suite that
failed to load names its file in brackets), the error's lines (`AssertionError: expected 2 to be
3`, then `- Expected` / `+ Received` and the diff), the `❯ file:line:col` frames and the code
around the line that failed, up to the `⎯⎯[3/5]⎯` line. A retried test's header is printed once a
try, one above the other: one block. An unhandled error (`⎯⎯ Unhandled Rejection ⎯⎯`, counted by
`Errors  1 error`) is a block too, up to the `⎯⎯⎯` line that closes it.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Vitest"
SOURCE: Source = "vitest"
# (Jest's colored header, its colors gone, is ` FAIL  file` alone: no test, no brackets)
HEADER_RE = re.compile(
    r"^ FAIL  (?:\|[^|]+\| )?(?P<file>\S+)(?: > (?P<name>.+)| \[ (?P<suite>.+) \])$"
)
UNHANDLED_RE = re.compile(r"^⎯+ (?P<what>Unhandled (?:Rejection|Error)|Uncaught Exception) ⎯+$")
TRIGGERS = (r"^ FAIL  \S", r"^⎯+ (?:Unhandled (?:Rejection|Error)|Uncaught Exception) ⎯")
_SEPARATOR_RE = re.compile(r"^⎯+\[\d+/\d+\]⎯*$")  # the end of a FAIL block
_RULE_RE = re.compile(r"^⎯+$")  # the end of an unhandled error's block
_HEADING_RE = re.compile(r"^⎯+ \S.* ⎯+$")  # the next section (`Failed Tests 3`)
_ERROR_RE = re.compile(r"^(?P<kind>[\w.$]*(?:Error|Exception|Rejection)\w*)(?::\s?(?P<rest>.*))?$")
_FRAME = " ❯ "
_CODE_RE = re.compile(r"^ +\d*\| ")
_ORIGIN_RE = re.compile(r'^This error originated in "(?P<file>[^"]+)" test file\.')


class VitestBlock(RunnerBlock):
    """One Vitest failure block (a consumer of a text parser's scan); the failure goes to
    `done` when the block ends."""

    def begin(self, line: str) -> None:
        self.unhandled = UNHANDLED_RE.match(line.rstrip())
        self.ended = False  # its closing line was taken

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if self.ended or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if text == self.lines[-1][1] and len(self.lines) == sum(t == text for _, t in self.lines):
            self.lines.append((number, text))  # a retried test's header, once a try
            return True
        if text.startswith(" FAIL  ") or _HEADING_RE.match(text):
            return False
        if text.lstrip().startswith(("Test Files ", "Tests ")):
            return False
        closing = _RULE_RE if self.unhandled else _SEPARATOR_RE
        self.ended = closing.match(text) is not None
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = self.lines[0][1]
        body = [t for _, t in self.lines[1:] if t != header]  # (a retried test's headers)
        while body and (not body[-1].strip() or body[-1].startswith("⎯")):
            body.pop()
        found = HEADER_RE.match(header)
        if self.unhandled is not None:
            name, group = self.unhandled["what"], _origin(body)
        elif found is not None:
            name = found["name"] or found["suite"]
            group = found["file"]
        else:
            name, group = header.strip(), ""
        kind, message, diff, frames, code = _read(body)
        details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
        if diff:
            details["diff"] = clip("\n".join(diff), MAX_FIELD)
        if code:
            details["code"] = clip("\n".join(code), MAX_FIELD)
        # the first frame in the test's file (a frame may name its function first:
        # `Timeout._onTimeout test/unhandled.test.js:5:37`)
        places = (f.rsplit(" ", 1)[-1] for f in frames)
        location = next((p for p in places if group and p.startswith(f"{group}:")), "")
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=group,
            location=":".join(location.split(":")[:2]),
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def _read(body: list[str]) -> tuple[str, str, list[str], list[str], list[str]]:
    """Kind, message, diff, frames and code lines of a block's body."""
    kind = ""
    said: list[str] = []
    diff: list[str] = []
    frames: list[str] = []
    code: list[str] = []
    part = "message"  # the message's lines, up to a blank line or a frame; then the diff
    for text in body:
        if text.startswith(_FRAME):
            frames.append(text[len(_FRAME) :].strip())
            part = "after"
        elif _CODE_RE.match(text):
            code.append(text)
        elif text.startswith("Caused by: "):
            said.append(text)  # a cause says why as much as the error does
            part = "message"
        elif part == "message" and text.strip():
            error = _ERROR_RE.match(text) if not said else None
            if error is not None and error["rest"] is not None:
                kind = error["kind"]
                said.append(error["rest"])
            else:
                said.append(text)
        elif part == "message" and said:
            part = "diff"
        elif part == "diff" and text.strip():
            diff.append(text)
    return kind, "\n".join(said), diff, frames, code


def _origin(body: list[str]) -> str:
    """The test file an unhandled error came from, as Vitest names it."""
    for text in body:
        found = _ORIGIN_RE.match(text)
        if found is not None:
            return found["file"]
    return ""
