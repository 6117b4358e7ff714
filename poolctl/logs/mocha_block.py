"""Mocha's failure list (its spec reporter's, below its counts), read into `Failure`s so that they
classify as any runner's failure does (its verdict, `  2 failing`, counts them:
`poolctl.logs.other_verdicts`).

      2 failing

      1) Pool
           jobs
             start without program_id:
         Error: program_id is required
          at startJob (pool.js:40:40)
          at Context.<anonymous> (test/pool.test.js:21:7)

Each entry is its number, the titles of its describe suites and its test, each on its own line
and indented further, the last ending in `:` (a hook's, `"before each" hook for "publishes":`),
then the error: its first line (`AssertionError [ERR_ASSERTION]: Expected …`), the lines its
message goes on with, printed as they are (an assertion's diff, unindented), Mocha's own diff
(`+ expected - actual`), and the `at …` stack lines; up to the next entry, or the first line
after the stack. The same tests were numbered in the tree above the counts (`    1) checkout
times out`): those are not read (each would be counted twice), nor is an entry before a Mocha
run's counts (`other_blocks`).
"""

from __future__ import annotations

import re

from poolctl.logs.node_spec_block import read_error
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Mocha"
SOURCE: Source = "mocha"
ENTRY_RE = re.compile(r"^  (?P<number>\d+)\) (?P<title>\S.*)$")
TRIGGERS = (r"^  \d+\) \S",)
_FRAME_RE = re.compile(r"^ +at \S")
PLACE_RE = re.compile(r"\(?(?:file://)?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$")


class MochaEntry(RunnerBlock):
    """One entry of the failure list (a consumer of a text parser's scan); the failure goes to
    `done` when it ends."""

    def begin(self, line: str) -> None:
        entry = ENTRY_RE.match(line.rstrip())
        self.titles = [entry["title"]] if entry else []
        self.titled = bool(self.titles) and self.titles[0].endswith(":")
        self.in_stack = False

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or ENTRY_RE.match(text):
            return False  # the next entry
        if not self.titled:  # a suite's or the test's title, indented under the one before
            indent = len(text) - len(text.lstrip(" "))
            if indent < 5 + 2 * (len(self.titles) - 1) or not text.strip():
                return False  # a numbered test of the tree above the counts: no entry
            self.titles.append(text.strip())
            self.titled = text.endswith(":")
        elif _FRAME_RE.match(text):
            self.in_stack = True
        elif self.in_stack and text.strip():
            return False  # what follows the entries
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        if not self.titled:
            return []
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        titled = len(self.titles)
        body = [t[5:] if t.startswith("     ") else t for _, t in self.lines[titled:]]
        first = next((i for i, t in enumerate(body) if t.strip()), 0)
        if body:  # (indented one more after a blank line when an assertion's diff follows)
            body[first] = body[first].lstrip()
        kind, code, message, frames = read_error(body)
        details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
        if code:
            details["code"] = code
        # the first frame of the project's own code: not node's, nor a package's
        places = [p for f in frames if (p := PLACE_RE.search(f))]
        mine = [p for p in places if not p["file"].startswith(("node:", "node_modules/"))]
        place = (mine or places)[0] if places else None
        name = " ".join([*self.titles[:-1], self.titles[-1].removesuffix(":")])
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=self.titles[0].removesuffix(":") if titled > 1 else "",
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
