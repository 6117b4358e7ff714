"""Cram's failures (`cram tests/`, and its fork prysk's: tests of a command line, each `.t` file
a transcript of commands and their output), read into `Failure`s so that they classify as any
runner's failure does; its count, `# Ran 3 tests, 0 skipped, 2 failed.`, counts them.

    !
    --- pool.t
    +++ pool.t.err
    @@ -8,9 +8,9 @@
     A silent worker answers within a second:

       $ (echo '{"id": 2, "op": "ping"}'; sleep 3) | timeout 1 python3 worker.py silent || …
    -  {"id": 2, "ok": "ping"}
    +  No response received from worker within 1000ms

A test is a `.t` file; a failed one is the unified diff of what it says against what ran
(`+++ FILE.err`): named by its file, placed at the first command whose output differs (its line
in the file), of kind AssertionError, its message each such command and its output's lines
removed (`-`, what the test expects) and added (`+`, what ran).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "cram"
SOURCE: Source = "cram"
STARTS = "--- "
HEADER_RE = re.compile(r"^--- (?P<file>\S+\.t)$")
TRIGGERS = (r"^--- \S+\.t\s*$",)
_COUNT = r"# Ran \d+ tests?, \d+ skipped, "
VERDICT_RE = re.compile(rf"^{_COUNT}(?P<failed>\d+) failed\.$")
VERDICT_TRIGGER = rf"^{_COUNT}[1-9]\d* failed\."
CLEAN_RE = re.compile(rf"^{_COUNT}0 failed\.$")
_HUNK_RE = re.compile(r"^@@ -(?P<line>\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
_DIFF = (" ", "-", "+", "@", "\\")  # a unified diff's lines
_COMMAND = "  $ "
EXPECTATION = "AssertionError"


class CramDiff(RunnerBlock):
    """A failed `.t` file's diff (a consumer of a text parser's scan): its `---` and `+++`
    lines and its hunks; its failure goes to `done` when it ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip("\r\n")
        if len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if len(self.lines) == 1:
            header = HEADER_RE.match(self.lines[0][1])
            if header is None or text.rstrip() != f"+++ {header['file']}.err":
                return False  # no diff of cram's
        elif not text.startswith(_DIFF) or text.startswith(STARTS):
            return False  # the next file's marks (`.!`), its diff, or the count
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None or len(self.lines) < 3:
            return []
        said: list[str] = []
        place = 0
        command, at = "", 0  # the last command read, and its line in the `.t` file
        line = 0  # the line in the `.t` file of the next line on its side (` ` and `-`)
        for _, text in self.lines[2:]:
            if hunk := _HUNK_RE.match(text):
                line = int(hunk["line"])
                continue
            own = text[1:]
            if text[:1] in " -" and own.startswith(_COMMAND):
                command, at = own.strip(), line
            if text[:1] in "-+":
                if command:  # (the command above its output's lines that differ)
                    said.append(command)
                    place = place or at
                    command = ""
                said.append(f"{text[:1]} {own.strip()}")
            if text[:1] in " -":
                line += 1
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["file"],
            group=header["file"].rpartition("/")[0],
            location=f"{header['file']}:{place}" if place else header["file"],
            kind=EXPECTATION,
            message="\n".join(said),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []
