"""Jest's console failure blocks, read into `Failure`s so that they classify as any runner's
failure does (its verdict, `Tests:  2 failed, 1 passed, 3 total`, counts them:
`poolctl.logs.other_verdicts`).

    FAIL ./pool.test.js
      ● Pool › jobs › start without program_id

        program_id is required

          39 | function startJob(config) {
        > 40 |   if (!('program_id' in config)) throw new Error('program_id is required');
             |                                        ^

          at startJob (pool.js:40:40)
          at Object.startJob (pool.test.js:20:7)

A test file's section is its `FAIL path` line (` FAIL  path` in colour, its escapes removed;
`(5.2 s)` after it when slow), maybe its tests' tree (`✕ name (3 ms)`), then a `● Suite › test`
block for each failed test: the error's lines (`TypeError: …`; a plain Error's message alone; an
`expect` failure's matcher line and diff), the code frame around the line that failed, the `at …`
stack lines. A file that could not run is one block, `● Test suite failed to run`: a failure
too, which Jest's `Tests:` line does not count (`verdicts_read` caps the run's read at its count).
With many test files Jest prints every block again under `Summary of all failing tests`: those
are not read twice (`other_blocks`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "Jest"
SOURCE: Source = "jest"
# (its github-actions reporter's section, on GitHub Actions: `::group::Errors thrown in FILE`)
GROUP = "::group::Errors thrown in "
HEADER_RE = re.compile(
    r"^(?: ?FAIL {1,2}(?:\./)?|::group::Errors thrown in )"
    r"(?P<file>\S+?\.[cm]?[jt]sx?)(?: \([\d.]+ m?s\))?$"
)
TRIGGERS = (
    r"^ ?FAIL {1,2}\S+\.[cm]?[jt]sx?\b",
    r"^Summary of all failing tests",
    r"^::group::Errors thrown in \S",
)
SUMMARY = "Summary of all failing tests"
# a block's bullet line and the error's first line, in a whole text (RE2 syntax, multi-line): a
# run cut short before its counts (killed, a CI job's time limit) is still read for its blocks
FAILED_IN_TEXT = r"^  ● [^\n]+\n[ \t]*\n    \S"
_BULLET = "  ● "
_NEXT_FILE = (" PASS  ", " FAIL  ", " RUNS  ")
_CODE_RE = re.compile(r"^ *>? *\d* \|")
_FRAME_RE = re.compile(r"^ +at \S")
_ERROR_RE = re.compile(r"^(?P<kind>[\w.$]*(?:Error|Exception)\w*): ?(?P<rest>.*)$")
# a matcher's failed expectation (`expect(received).toBe(expected) // Object.is equality`): no
# error class printed; the test's assertion, named as Jasmine's, AVA's, uvu's and ward's are
_EXPECT = ("expect(", "expect.")
EXPECTATION = "AssertionError"
_PLACE_RE = re.compile(r"\(?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$")
# where a file that failed to run says it failed, not its stack's (the compiler's own frames):
# TypeScript's diagnostic under ts-jest (`pool.test.ts:4:9 - error TS2322: …`, its code the kind)
# and Babel's syntax error (`SyntaxError: /abs/pool.test.js: Unexpected token (2:25)`)
_TS_RE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):\d+ - error (?P<code>TS\d+): ")
_BABEL_RE = re.compile(r"^(?P<file>\S+?): .* \((?P<line>\d+):\d+\)$")
NOT_RUN = "Test suite failed to run"


class JestFile:
    """One test file's section (a consumer of a text parser's scan): each `●` block's failure
    goes to `done` as it ends. Under its github-actions reporter's group (`GROUP`) a block read
    since the run's last counts is not read again: the default reporter's, printed above."""

    out: ParsedLog | None = None  # what its parser read so far

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        source: Source,
        done: Callable[[Failure, Lines], object],
    ) -> None:
        header = HEADER_RE.match(line.rstrip())
        self.file = header["file"] if header else ""
        self.grouped = line.startswith(GROUP)
        self.input_file = input_file
        self.source = source
        self.done = done
        self.block: Lines = []

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if (text and not text.startswith(" ")) or text.startswith(_NEXT_FILE):
            return False  # the next file's line (` PASS ` in colour), or the run's counts
        if text.startswith(_BULLET):
            self._end_block()
            self.block = [(number, text)]
        elif self.block and len(self.block) < MAX_BLOCK_LINES:
            self.block.append((number, text))
        return True  # (the tests' tree, before the first block)

    def close(self) -> Lines:
        self._end_block()
        return []

    def _end_block(self) -> None:
        block, self.block = self.block, []
        while len(block) > 1 and not block[-1][1].strip():
            block.pop()
        if not block:
            return
        failure = self._failure(block)
        if not (self.grouped and self._read_before(failure)):
            self.done(failure, block)

    def _read_before(self, failure: Failure) -> bool:
        """Whether a failure of the same test was read since the run's last counts."""
        if self.out is None:
            return False
        file = self.input_file
        since = max((s.line for s in self.out.summaries if s.file == file), default=0)
        return any(
            (f.input_file, f.name, f.group) == (file, failure.name, failure.group)
            and f.line_start > since
            for f in self.out.failures
        )

    def _failure(self, block: Lines) -> Failure:
        name = block[0][1][len(_BULLET) :].strip()
        body = [t[4:] if t.startswith("    ") else t.strip() for _, t in block[1:]]
        said: list[str] = []
        code: list[str] = []
        frames: list[str] = []
        for text in body:
            if _FRAME_RE.match(text):
                frames.append(text.strip()[3:])
            elif _CODE_RE.match(text):
                code.append(text)
            elif not code and not frames:
                said.append(text)
        message = "\n".join(said).strip("\n")
        kind = ""
        error = _ERROR_RE.match(message.split("\n", 1)[0])
        if error is not None:
            kind = error["kind"]
            message = message[len(error["kind"]) :].lstrip(":").lstrip(" ")
        elif message.startswith(_EXPECT):  # a matcher's failed expectation, as Jasmine's
            kind = EXPECTATION
        details = {"runner": RUNNER, "text": clip("\n".join(body).strip("\n"), MAX_FIELD)}
        if code:
            details["code"] = clip("\n".join(code), MAX_FIELD)
        places = [p for f in frames if (p := _PLACE_RE.search(f))]
        mine = [p for p in places if p["file"] == self.file] or places[:1]
        location = f"{mine[0]['file']}:{mine[0]['line']}" if mine else ""
        if name == NOT_RUN and (said_at := self._compiled_at(message.split("\n", 1)[0], kind)):
            location, kind = said_at
        return block_failure(
            self.source,
            self.input_file,
            block,
            name=name,
            group=self.file,
            location=location,
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )

    def _compiled_at(self, first: str, kind: str) -> tuple[str, str] | None:
        """The place and kind a file that failed to compile names in its error's first line
        `first` (`_TS_RE`, `_BABEL_RE`), its path as the file's header names it; None for none."""
        typed = _TS_RE.match(first)
        said = typed or (_BABEL_RE.match(first) if kind == "SyntaxError" else None)
        if said is None:
            return None
        file = said["file"]
        if file.endswith(f"/{self.file}"):
            file = self.file
        return f"{file}:{said['line']}", typed["code"] if typed else kind
