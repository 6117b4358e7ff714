"""Haskell hspec's `Failures:` section, read into `Failure`s so that they classify as any
runner's failure does. Its verdict is RSpec's shape, `9 examples, 7 failures, 1 pending`, and
counts them: a verdict after hspec's section is hspec's (`poolctl.logs.other_verdicts`).

    Failures:

      HspecMain.hs:12:5:
      1) checkout checks out a second worker within 200ms
           uncaught exception: ErrorCall
           timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 1 waiting)

      To rerun use: --match "/checkout/checks out a second worker within 200ms/"

Each entry is where the example is (or its failed expectation; none where hspec knows no
place), its number and its groups' and its own description, what failed indented below (an
exception it did not catch, `uncaught exception: ErrorCall` over its message, or an
expectation's `expected: 3` / ` but got: 2`, of kind AssertionError as hspec names no class),
and the `--match` path that reruns it, which names its groups apart from its description. The
section ends at a line not indented (`Randomized with seed …`, `Finished in …`).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.runner_block import EntriesSection
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "hspec"
SOURCE: Source = "hspec"
PLACE_RE = re.compile(r"^  (?P<file>[^\s:]+):(?P<line>\d+):\d+:$")
_NUMBERED_RE = re.compile(r"^  (?P<number>\d+)\) (?P<name>\S.*)$")
_RERUN_RE = re.compile(r'^  To rerun use: --match "/(?P<path>.*)/"$')
_UNCAUGHT_RE = re.compile(r"^uncaught exception: (?P<kind>\S+)(?: \((?P<more>.*)\))?$")
EXPECTATION = "AssertionError"
# an hspec failed run, which shows two of ExUnit's marks (`Finished in 4.3 seconds`, `Randomized
# with seed 1986351855`): its entries' line that reruns them
IN_TEXT_RE = re.compile(r'^  To rerun use: --match "/', re.M)
# a passed run's closing line, hspec's and RSpec's alike (`3 examples, 0 failures, 1 pending`):
# hspec's where its `Finished in` says no time its files took to load (RSpec's does)
CLEAN_RE = re.compile(r"^[1-9]\d* examples?, 0 failures(?:, \d+ pending)?$")
CLEAN_IN_TEXT_RE = re.compile(CLEAN_RE.pattern, re.M)


class HspecSection(EntriesSection):
    """The `Failures:` section (a consumer of a text parser's scan), begun at its heading; each
    entry goes to `done` as a failure when it ends."""

    def ends(self, text: str) -> bool:
        return bool(text) and not text.startswith("  ")

    def starts_entry(self, text: str) -> bool:
        if PLACE_RE.match(text):
            return True
        placed = len(self.entry) == 1 and PLACE_RE.match(self.entry[0][1]) is not None
        return not placed and _NUMBERED_RE.match(text) is not None

    def read_entry(self, entry: Lines) -> None:
        texts = [t for _, t in entry]
        place = PLACE_RE.match(texts[0])
        numbered = [m for t in texts[:2] if (m := _NUMBERED_RE.match(t))]
        if not numbered:
            return
        rerun = [m["path"] for t in texts if (m := _RERUN_RE.match(t))]
        path = rerun[0].split("/") if rerun else []
        said = [t.strip() for t in texts[texts.index(numbered[0].string) + 1 :]]
        said = [t for t in said if not t.startswith("To rerun use: ")]
        while said and not said[-1]:
            said.pop()
        uncaught = _UNCAUGHT_RE.match(said[0]) if said else None
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=path[-1] if path else numbered[0]["name"],
            group="/".join(path[:-1]),
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=uncaught["kind"] if uncaught else EXPECTATION,
            message="\n".join(said[1:] if uncaught else said),
            details={"runner": RUNNER, "text": clip("\n".join(texts), MAX_FIELD)},
            frames=[],
        )
        self.done(failure, entry)


def read_since(out: ParsedLog, file: str) -> bool:
    """Whether hspec's failures were read in `file` since its last run closed: the verdict of
    RSpec's shape that closes them is hspec's."""
    last = max((s.line for s in out.summaries if s.file == file), default=0)
    return any(
        f.source == SOURCE and f.input_file == file and f.line_start > last
        for f in reversed(out.failures)
    )
