"""Catch2's console failures (its default reporter's), read into `Failure`s so that they classify
as any runner's failure does (its verdict, `test cases: 8 | 1 passed | 7 failed`, counts them:
`poolctl.logs.other_verdicts`):

    -------------------------------------------------------------------------------
    a second caller checks out within 200ms
    -------------------------------------------------------------------------------
    pool_catch2.cc:17
    ...............................................................................

    pool_catch2.cc:17: FAILED:
    due to unexpected exception with message:
      checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting

A block is the test case's name (and its sections', indented below it) between two rules of
79 dashes, where it is defined, a rule of dots, then each failed assertion's `FILE:LINE:
FAILED:` and what Catch2 says of it (the assertion and its expansion, or the message of an
exception the test did not catch); up to the next block's rule, or the closing rule of `=`.
A rule of dashes heads a block only after Catch2's header (`… is a Catch v2.13.10 host
application.`): unittest's rule is 70 dashes, others' are not alone on their line.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Catch2"
SOURCE: Source = "catch2"
RULE = "-" * 79
HEADER_RE = re.compile(r"^\S+ is a Catch2? v?\d+\.\d+\.\d+ host application\.$")
TRIGGERS = (r"^-{79}\s*$", r"^\S+ is a Catch2? v?\d+\.\d+\.\d+ host application\.")
VERDICT_RE = re.compile(r"^test cases: +\d+ \| (?:\d+ passed \| )?(?P<failed>\d+) failed")
VERDICT_TRIGGER = r"^test cases: +\d+ \| (?:\d+ passed \| )?[1-9]\d* failed"
_FAILED_RE = re.compile(r"^(?P<file>[^\s:]+?):(?P<line>\d+): FAILED:$")
_DOTS = "." * 79
_THROWN = "due to unexpected exception with message:"
EXPECTATION = "AssertionError"


class Catch2Block(RunnerBlock):
    """One test case's block (a consumer of a text parser's scan); the failure goes to `done`
    when the block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        below_rules = sum(t == RULE for _, t in self.lines) >= 2
        if below_rules and (text == RULE or text.startswith("=" * 79)):
            return False  # the next block's rule, or the closing one
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1]:
            self.lines.pop()
        texts = [t for _, t in self.lines]
        rules = [i for i, t in enumerate(texts) if t == RULE]
        if len(rules) < 2 or _DOTS not in texts:
            return []
        names = [t.strip() for t in texts[rules[0] + 1 : rules[1]]]  # its name, its sections
        body = texts[texts.index(_DOTS) + 1 :]
        failed = [m for t in body if (m := _FAILED_RE.match(t))]
        if not failed or not names:
            return []
        said = [t.strip() for t in body if t and not _FAILED_RE.match(t)]
        thrown = said[:1] == [_THROWN]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=" / ".join(names),
            group=failed[0]["file"],
            location=f"{failed[0]['file']}:{failed[0]['line']}",
            kind="" if thrown else EXPECTATION,  # (Catch2 names no exception's class)
            message="\n".join(said[1:] if thrown else said),
            details={"runner": RUNNER, "text": clip("\n".join(texts), MAX_FIELD)},
            frames=[],
        )
        self.done(failure, self.lines)
        return []
