"""Jasmine's `Failures:` section (its own CLI's console reporter), read into `Failure`s so that
they classify as any runner's failure does (its verdict, `6 specs, 4 failures`, counts them:
`poolctl.logs.other_verdicts`):

    Failures:
    1) worker pool checks out within 200ms
      Message:
        Error: timed out waiting for a worker after 200ms (pool 'pool_a': 0 ready, 1 busy)
      Stack:
            at UserContext.<anonymous> (/tmp/js/spec/pool.spec.js:4:11)
            at <Jasmine>

Each entry is a failed spec's number and full name (its suites' descriptions and its own), then
a `Message:` and a `Stack:` for each expectation that failed; up to the next entry, or the
section's end (`Pending:`, the counts). An entry's message is its expectations' messages, its
kind the error's (`Error`) or, for a matcher's `Expected …`, AssertionError; its place the first
frame of the spec's own code.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Jasmine"
SOURCE: Source = "jasmine"
HEADER = "Failures:"
TRIGGERS = (r"^Failures:\s*$",)
_ENTRY_RE = re.compile(r"^(?P<number>\d+)\) (?P<name>\S.*)$")
_KIND_RE = re.compile(r"^(?P<kind>\w*(?:Error|Exception)): ")
# a matcher's failed expectation (`Expected 2 to be 3.`): no error was thrown, its runner names
# no class; it is the spec's assertion, named as AVA's, uvu's and ward's are
_EXPECTED_RE = re.compile(r"^Expected\b")
EXPECTATION = "AssertionError"
_PLACE_RE = re.compile(r"\(?(?P<file>/[^\s():]+):(?P<line>\d+):\d+\)?$")


class JasmineSection(RunnerBlock):
    """The `Failures:` section (a consumer of a text parser's scan): each entry goes to `done` as
    a failure when it ends."""

    def begin(self, line: str) -> None:
        self.entry: Lines = []

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if _ENTRY_RE.match(text):
            self._end_entry()
            self.entry = [(number, text)]
        elif self.entry and text.startswith("  ") and len(self.entry) < MAX_BLOCK_LINES:
            self.entry.append((number, text))
        elif text:  # the section's end (`Pending:`, the counts), or no entry of Jasmine's
            return False
        self.lines.append((number, text))  # (a blank line: between the entries)
        return True

    def close(self) -> Lines:
        self._end_entry()
        return []

    def _end_entry(self) -> None:
        entry, self.entry = self.entry, []
        if not entry:
            return
        named = _ENTRY_RE.match(entry[0][1])
        assert named is not None
        said: list[str] = []
        frames: list[str] = []
        part = ""
        for _, text in entry[1:]:
            if text in ("  Message:", "  Stack:"):
                part = text.strip()
            elif part == "Message:" and text.startswith("    "):
                said.append(text[4:])
            elif part == "Stack:" and text.strip() and text.strip() != "at <Jasmine>":
                frames.append(text.strip())
        places = [p for f in frames if (p := _PLACE_RE.search(f))]
        mine = [p for p in places if "/node_modules/" not in p["file"]]
        place = (mine or places)[0] if places else None
        kind = _kind(said[0]) if said else ""
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=named["name"],
            group="",
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message="\n".join(said),
            details={"runner": RUNNER, "text": clip("\n".join(t for _, t in entry), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, entry)


def _kind(said: str) -> str:
    """The kind of an entry whose first message is `said`: an error's (`Error: timed out`), an
    expectation's (`Expected 2 to be 3.`), else none."""
    if raised := _KIND_RE.match(said):
        return raised["kind"]
    return EXPECTATION if _EXPECTED_RE.match(said) else ""
