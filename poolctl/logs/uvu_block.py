"""uvu's failure blocks, read into `Failure`s so that they classify as any runner's failure does.
uvu prints each suite's line as its tests end, a mark for each (`✘` failed, `•` passed), then
how many passed of how many ran (its verdict: `poolctl.logs.other_verdicts`), then the blocks of
the suite's failed tests:

     Pool  ✘ ✘ •   (1 / 3)

       FAIL  Pool  "a second checkout waits for the first"
        checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting

        at Pool.checkout (file:///tmp/js/pool.mjs:36:15)
        at async Object.handler (file:///tmp/js/uvu.test.mjs:13:3)

A block is its header (the suite's name, if it has one, and the test's in quotes), the error's
message (an assertion's operator after it, `  (is)`, and its diff below, `++3    (Expected)`),
and the stack uvu keeps (node's own frames left out); up to two blank lines (uvu parts the
blocks so), the next block, the next suite's line or the run's `Total:`.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "uvu"
SOURCE: Source = "uvu"
HEADER_RE = re.compile(r'^   FAIL  (?:(?P<suite>\S.*?)  )?"(?P<test>.*)"$')
TRIGGERS = (r'^   FAIL  (?:\S.*?  )?".*"\s*$',)
# a suite's line, its verdict: its marks, then `(passed / ran)`; one mark failed at least
SUITE_RE = re.compile(
    r"^(?:(?P<suite>\S.*?)  )?(?:[✘•] )*✘ (?:[✘•] )*  \((?P<passed>\d+) / (?P<total>\d+)\)$"
)
SUITE_TRIGGER = r"^ ?(?:\S.*?  )?(?:[✘•] )*✘ (?:[✘•] )*  \(\d+ / \d+\)\s*$"
_TOTALS = ("  Total:", "  Passed:", "  Skipped:", "  Duration:")
_FRAME_RE = re.compile(r"^    at \S")
_PLACE_RE = re.compile(r"\(?(?:file://)?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$")
_OPERATOR_RE = re.compile(r"  \((?P<operator>\w+)\)$")  # an assertion's, after its message


class UvuBlock(RunnerBlock):
    """One FAIL block (a consumer of a text parser's scan); the failure goes to `done` when the
    block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or HEADER_RE.match(text):
            return False
        if text.startswith(_TOTALS) or SUITE_RE.match(text.strip()):
            return False
        if not text and len(self.lines) > 1 and not self.lines[-1][1]:
            return False  # two blank lines: the next block, or the suite's end
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        if header is None:
            return []
        body = [t for _, t in self.lines[1:]]
        frames = [t.strip() for t in body if _FRAME_RE.match(t)]
        said = [t.strip() for t in body if t.strip() and not _FRAME_RE.match(t)]
        details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
        if said and (operator := _OPERATOR_RE.search(said[0])):
            details["operator"] = operator["operator"]
            said[0] = said[0][: operator.start()]
        # the first frame of the project's own code, not a package's
        places = [p for f in frames if (p := _PLACE_RE.search(f))]
        mine = [p for p in places if "node_modules/" not in p["file"]]
        place = (mine or places)[0] if places else None
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["test"],
            group=header["suite"] or "",
            location=f"{place['file']}:{place['line']}" if place else "",
            kind="AssertionError" if "operator" in details else "",
            message="\n".join(said),
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
