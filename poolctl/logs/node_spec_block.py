"""`node --test`'s spec reporter (its default on a terminal, and in CI for newer releases): the
failures of its closing section, below its counts (`ℹ fail 2`), read into `Failure`s.

    ✖ failing tests:

    test at pool.test.mjs:9:1
    ✖ bridge answers (0.300667ms)
      Error: No response received from the Python bridge within 5000ms
          at TestContext.<anonymous> (file:///tmp/x/pool.test.mjs:10:9)
          ...

Each block is its `test at FILE:LINE:COL` line, the test's `✖ NAME (TIME)` line, and the error
indented two spaces: its first line (`AssertionError [ERR_ASSERTION]: Expected …`), an
assertion's diff, the `at …` stack lines, maybe the error's properties (`{ code: …, actual: …
}`). The same failures were printed inline above the counts: those are not read (each would be
counted twice).

node also counts a test whose subtests failed (not a describe suite), and leaves it out of the
section: inline, it is a `✖ NAME (TIME)` line with nothing indented under it, as a failed
suite's is (`Inline`; a test that failed of its own error after its subtests prints a blank
line, then its error): `verdicts_read.finish` takes such lines as read, at most as many as the
verdict counts beyond the section's failures, once the section holds every failure printed
inline (a log cut in the section does not). Such a test's only error is node's `N subtests
failed`: its subtests, read, are its failure, and nothing of it is left unread. node prints no
word telling it from a suite, whence the bound. The section also lists tests node counts as
cancelled (`ℹ cancelled 4`, on the line after `ℹ fail`: a timeout, a test its suite's hook
cancelled, printed with no time) and a describe suite whose hook failed, which node does not
count: read, and the run's read capped at its count.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "node --test"
SOURCE: Source = "node"  # its dot reporter's too
HEADER_RE = re.compile(r"^test at (?P<file>\S+?):(?P<line>\d+):(?P<column>\d+)$")
# (a todo test that failed is listed too, `✖ resize (0.45ms) # pool v2`: node does not count
# it, and it is not read; a test cancelled by its parent prints no time, `✖ uses the pool`)
NAME_RE = re.compile(r"^✖ (?P<name>.+?)(?: \((?P<time>[\d.]+m?s)\))?(?P<directive> # .*)?$")
TRIGGERS = (r"^test at \S+:\d+:\d+\s*$", r"^ *✖ .+ \([\d.]+m?s\)\s*$")
# a test's failure printed inline, its error indented below it (RE2 syntax, multi-line)
FAILED_IN_TEXT = r"^[ \t]*✖ [^\n]+ \([\d.]+m?s\)\n[ \t]+\S"
# an error's first line: its class, node's code or its name where they differ from it (node's
# inspect: `AssertionError [ERR_ASSERTION]:`, `TypeError [Error]:`, `Error [WorkerTimeoutError]:`)
_ERROR_RE = re.compile(
    r"^(?P<kind>[\w.$]*(?:Error|Exception)\w*)"
    r"(?: \[(?:(?P<code>[A-Z0-9_]+)|(?P<name>[\w.$]+))\])?(?:: ?(?P<rest>.*))?$"
)
_FRAME_RE = re.compile(r"^ *at \S")
_CODE_RE = re.compile(r"^ *code: '(?P<code>[^']+)',?$")
_QUOTED_RE = re.compile(r"^'(?P<said>[^']*)'$")  # `'test timed out after 50ms'`


class SpecFailure(RunnerBlock):
    """One failure of the closing section (a consumer of a text parser's scan); the failure goes
    to `done` when the block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if len(self.lines) == 1:  # the test's `✖ NAME (TIME)` line, or no block of node's
            named = NAME_RE.match(text)
            if named is None or named["directive"]:
                return False
        elif text and not text.startswith("  "):
            return False  # the next block's `test at` line, or the end of the output
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        if len(self.lines) < 2:
            return []  # a `test at` line with no test's line after it: not node's
        header = HEADER_RE.match(self.lines[0][1])
        named = NAME_RE.match(self.lines[1][1])
        if header is None or named is None or named["directive"]:
            return []
        while len(self.lines) > 2 and not self.lines[-1][1].strip():
            self.lines.pop()
        kind, message, frames, details = node_error([t[2:] for _, t in self.lines[2:]])
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=named["name"],
            group=header["file"],
            location=f"{header['file']}:{header['line']}",
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


class Inline:
    """An inline `✖ NAME (TIME)` line: a failed suite's or a test's failed by its subtests when
    nothing is indented under it, a test's failure (its error indented below it: read from the
    closing section, not here) when something is; a test with subtests prints a blank line
    before its own error. `found` is given its line and which."""

    def __init__(self, number: int, line: str, found: Callable[[tuple[int, bool]], object]) -> None:
        self.number = number
        self.indent = len(line) - len(line.lstrip(" "))
        self.found = found
        self.blank: Lines = []

    def feed(self, number: int, line: str) -> bool:
        if not line.strip() and len(self.blank) < 2:
            self.blank.append((number, line))
            return True
        indent = len(line) - len(line.lstrip(" "))
        self._said(not line.strip() or indent <= self.indent)
        return False  # the next line is read as any other (a parent's after it, its own)

    def close(self) -> Lines:
        self._said(True)  # (the input ended: nothing under it)
        blank, self.blank = self.blank, []
        return blank  # read as any other

    def _said(self, parent: bool) -> None:
        if self.number:
            self.found((self.number, parent))
            self.number = 0


def node_error(body: list[str]) -> tuple[str, str, list[str], dict[str, str]]:
    """Kind, message, stack frames and details (the runner, the text, node's error code) of an
    error's lines (unindented), as the spec and dot reporters print them."""
    kind, code, message, frames = read_error(body)
    details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
    if code:
        details["code"] = code
    return kind, message, frames, details


def read_error(body: list[str]) -> tuple[str, str, str, list[str]]:
    """Kind, code, message and stack frames of an error's lines (unindented): the message is
    its first line and what follows it up to the stack (an assertion's diff)."""
    kind = code = ""
    said: list[str] = []
    frames: list[str] = []
    for text in body:
        if _FRAME_RE.match(text):
            frames.append(text.strip()[3:])
        elif frames:
            found = _CODE_RE.match(text)
            code = code or (found["code"] if found else "")
        elif not said:
            error = _ERROR_RE.match(text)
            if error is not None and error["rest"] is not None:
                kind, code = _kind(error), error["code"] or ""
                said.append(error["rest"])
            elif text.strip():  # (a blank line first: a test's own error after its subtests')
                quoted = _QUOTED_RE.match(text)  # a reason node gives as a string
                said.append(quoted["said"] if quoted else text)
        elif text.strip():
            said.append(text.strip())
    return kind, code, "\n".join(said), frames


def _kind(error: re.Match[str]) -> str:
    """The kind an error's first line says: of its class and its name, where node prints both,
    the one more telling than Error (the TAP reporter's `name:` for the same errors says
    TypeError of `TypeError [Error]`, WorkerTimeoutError of `Error [WorkerTimeoutError]`)."""
    name = error["name"]
    return name if name and error["kind"] == "Error" else error["kind"]
