"""AVA's failures, read into `Failure`s so that they classify as any runner's failure does (its
verdict, `4 tests failed`, counts them: `poolctl.logs.other_verdicts`). AVA lists each test as
it ends (`  ✘ [fail]: a worker answers ping Rejected promise returned by test`), then, between
two lines of a single `─`, each failed test's block, three blank lines between them:

      ─

      arithmetic

      ava.test.mjs:31                       (an assertion: where, the code around it)

       31:   t.is(1 + 1, 3);

      Difference (- actual, + expected):

      - 2
      + 3

      › file://ava.test.mjs:31:5



      a second checkout waits for the first

      Rejected promise returned by test. Reason:

      Error {
        message: 'checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting',
      }

      Error: checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting
          at Pool.checkout (file:///tmp/js/pool.mjs:36:15)

      ─

A block's first line is the test's title; its message the error's line (`Error: …`), else the
message of the error AVA printed as an object (a function that threw), else the assertion's
code and its difference; its place the line under the title, else its first frame in a test
file (one the section's other blocks are placed in, or named as AVA's default globs find tests:
a rejected promise's stack runs from the pool's code to the test's `await`), else its first
frame outside node_modules.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "AVA"
SOURCE: Source = "ava"
RULE = "  ─"  # the line before the blocks, and after them
FAILED_RE = re.compile(r"^  ✘ \[fail\]: \S")  # a failed test's line, as it ends
TRIGGERS = (r"^  ─\s*$", r"^  ✘ \[fail\]: \S")
# AVA's counts after the blocks: the section has ended
_COUNTS_RE = re.compile(
    r"^  [1-9]\d* (?:tests? (?:failed|passed|skipped|todo|remained)|known failures?"
    r"|uncaught exceptions?|unhandled rejections?)\b"
)
_WHERE_RE = re.compile(r"^  (?P<file>[^\s:]+):(?P<line>\d+)$")
_RAISED_RE = re.compile(r"^  (?P<kind>\w*(?:Error|Exception)): (?P<said>.*)$")
_OBJECT_MESSAGE_RE = re.compile(r"^    message: '(?P<said>.*)',$")
_CODE_RE = re.compile(r"^ +(?P<line>\d+): (?P<code>.*?)\s*$")
_FRAME_RE = re.compile(
    r"^ +(?:at|›) (?:.*\(|async )?(?:file://)?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$"
)  # (`at async file:///…/ava.test.mjs:9:5`: the test's `await` of a promise rejected)
_GAP = 3  # blank lines between two blocks
# a test file's name under AVA 7's default globs (lib/globs.js: test.js, *.spec.js, *.test.js,
# test-*.js; extensions js, cjs, mjs); its globs of directories (test/, tests/, __tests__/) are
# left out: an absolute path's ancestor would match them
_TEST_FILE_RE = re.compile(r"(?:^|/)(?:test|[^/]+\.(?:spec|test)|test-[^/]+)\.[cm]?js$")


class AvaSection(RunnerBlock):
    """The lines from a `─` rule to the next (a consumer of a text parser's scan): each block
    in them goes to `done` as a failure when the section ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= 50 * MAX_BLOCK_LINES or text == RULE or _COUNTS_RE.match(text):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        # the files AVA placed a test's line in (`ava.test.mjs:31` under a title): test files
        self.test_files = {m["file"] for _, t in self.lines if (m := _WHERE_RE.match(t))}
        block: Lines = []
        blank = 0
        for number, text in self.lines[1:]:
            blank = 0 if text else blank + 1
            if blank >= _GAP and block:
                self._failure(block)
                block = []
            elif text or block:
                block.append((number, text))
        if block:
            self._failure(block)
        return []

    def _failure(self, block: Lines) -> None:
        while block and not block[-1][1]:
            block.pop()
        if not block:
            return
        body = [t for _, t in block[1:]]
        kind, message = _said(body)
        where = next((m for t in body if (m := _WHERE_RE.match(t))), None)
        frames = [t.strip() for t in body if _FRAME_RE.match(t)]
        places = [m for f in frames if (m := _FRAME_RE.match(f"  {f}"))]
        mine = [p for p in places if "node_modules/" not in p["file"]]
        tests = [p for p in mine if self._in_test_file(p["file"])]
        place = where or ((tests or mine or places)[0] if places else None)
        failure = block_failure(
            self.source,
            self.input_file,
            block,
            name=block[0][1].strip(),
            group="",
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, block)

    def _in_test_file(self, file: str) -> bool:
        """Whether a frame's `file` is a test's (see `close`, `_TEST_FILE_RE`)."""
        if _TEST_FILE_RE.search(file):
            return True
        return any(file == t or file.endswith(f"/{t}") for t in self.test_files)


def _said(body: list[str]) -> tuple[str, str]:
    """The kind and message of a block (see the module's docstring)."""
    for text in body:
        if raised := _RAISED_RE.match(text):
            return raised["kind"], f"{raised['kind']}: {raised['said']}"
    for i, text in enumerate(body):
        if (said := _OBJECT_MESSAGE_RE.match(text)) and i and body[i - 1].strip().endswith("{"):
            kind = body[i - 1].strip().removesuffix("{").strip()
            message = said["said"].replace("\\'", "'")
            return kind, f"{kind}: {message}" if kind else message
    code = [c["code"].strip() for t in body if (c := _CODE_RE.match(t))]
    if "  Difference (- actual, + expected):" in body:
        at = body.index("  Difference (- actual, + expected):")
        diff = [t.strip() for t in body[at + 1 :] if t.startswith(("  - ", "  + "))]
        asserted = _asserted(body, code)
        return "AssertionError", "\n".join(filter(None, [asserted, *diff]))
    return "", ""


def _asserted(body: list[str], code: list[str]) -> str:
    """The assertion's line of code: the excerpt's line the block's place names."""
    where = next((m for t in body if (m := _WHERE_RE.match(t))), None)
    for text in body:
        line = _CODE_RE.match(text)
        if where is not None and line is not None and line["line"] == where["line"]:
            return line["code"].strip()
    return code[0] if code else ""
