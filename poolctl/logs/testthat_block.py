"""R testthat's failures, read into `Failure`s so that they classify as any runner's failure does.
Its verdict counts them, `[ FAIL 5 | WARN 1 | SKIP 1 | PASS 3 ]`, one for each failed
expectation (two in one test are two), and each has a block:

    Error ('test-checkout.R:12'): checkout of a busy pool waits for a worker
    Error in `checkout(pool)`: timed out waiting for a worker after 200ms (pool pool_a: …)
    Backtrace:
     1. testthat::expect_equal(checkout(pool)$busy, 2)
          at test-checkout.R:12:2

Its progress reporter (`devtools::test()`, `testthat::test_dir()` on a terminal or not) prints
the blocks of each test file between two rules of `─`, a Warning's and a Skip's among them (no
failures), and its verdict last. Its check reporter (`R CMD check`'s, a package's
tests/testthat.R) prints its verdict, then the blocks under `══ Failed tests ══`, each header
between `── ` and a rule (`── Failure ('test-checkout.R:17'): name ───`), then its verdict
again: one run. testthat 3.2 writes the place without quotes and with its column
(`(test-checkout.R:17:3)`). `R CMD check` prints the last lines of such output indented by two
spaces: a block is read at its header's indent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "testthat"
SOURCE: Source = "testthat"
_VERDICT = r"\[ FAIL (?P<failed>\d+) \| WARN \d+ \| SKIP \d+ \| PASS \d+ \]"
VERDICT_RE = re.compile(rf"^{_VERDICT}$")
VERDICT_TRIGGER = r"^ *\[ FAIL [1-9]\d* \| WARN \d+ \| SKIP \d+ \| PASS \d+ \]"
CLEAN_RE = re.compile(r"^\[ FAIL 0 \| WARN \d+ \| SKIP \d+ \| PASS \d+ \]$")
HEADER_RE = re.compile(
    r"^(?P<rule>── )?(?P<what>Failure|Error|Warning|Skip) "
    r"\((?P<q>'?)(?P<file>[^':()\s]+):(?P<line>\d+)(?::\d+)?(?P=q)\): (?P<name>.*?)(?: ─+)?$"
)
TRIGGERS = (r"^ *(?:── )?(?:Failure|Error) \('?[^':()\s]+:\d+(?::\d+)?'?\): ",)
_ENDS = ("══", "[ FAIL ", "Error: Test failures", "Execution halted")
EXPECTATION = "AssertionError"  # an expectation's failure (testthat names no class for it)
_BACKTRACE = "Backtrace:"


def block_at(
    out: ParsedLog, input_file: str, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> TestthatBlock | None:
    """The block `line` heads, if it is a failed or errored expectation's header."""
    header = HEADER_RE.match(line.strip())
    if header is None or header["what"] not in ("Failure", "Error"):
        return None

    def done(failure: Failure, lines: Lines) -> None:
        if header["rule"]:  # the check reporter's, below its verdict: its run's output
            _below_verdict(out, input_file, failure.line_end)
        keep(failure, lines)

    return TestthatBlock(number, line, input_file, SOURCE, done)


class TestthatBlock(RunnerBlock):
    """One failed expectation's block (a consumer of a text parser's scan), to the next header,
    a rule, a heading or the verdict; its failure goes to `done` when it ends."""

    def begin(self, line: str) -> None:
        self.indent = len(line) - len(line.lstrip(" "))

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        inner = text[self.indent :] if text[: self.indent].isspace() else text
        stripped = inner.strip()
        if text and len(text) - len(text.lstrip(" ")) < self.indent:
            return False  # (R CMD check's own line after the output it quotes)
        if HEADER_RE.match(stripped) or stripped.startswith(_ENDS):
            return False
        if stripped and not stripped.strip("─"):
            return False  # the progress reporter's rule after a file's blocks
        if len(self.lines) >= MAX_BLOCK_LINES:
            return False
        self.lines.append((number, inner))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        header = HEADER_RE.match(self.lines[0][1].strip())
        if header is None:
            return []
        body = [t for _, t in self.lines[1:]]
        said = body[: body.index(_BACKTRACE)] if _BACKTRACE in body else body
        frames = [t.strip() for t in body[len(said) + 1 :] if t.strip() not in ("", "▆")]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["name"],
            group=header["file"],
            location=f"{header['file']}:{header['line']}",
            kind=EXPECTATION if header["what"] == "Failure" else "",
            message="\n".join(said).strip(),
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def _below_verdict(out: ParsedLog, file: str, end: int) -> None:
    """The check reporter's block ending on line `end` is of the run its verdict above counts,
    if the last run read is testthat's: that run's output goes on to it."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != RUNNER or last.line > end:
        return
    out.summaries[-1] = dataclasses.replace(last, output_end=end)


def again(out: ParsedLog, file: str, number: int, text: str) -> bool:
    """The check reporter's verdict printed again below its blocks: the run its first print
    recorded, whose blocks were read below it, ends here (its note dropped: `verdicts_read`
    says it again if its blocks were not all read)."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != RUNNER or last.text != text:
        return False
    if last.output_end is None:
        return False  # (no block read below it: a run of its own, with the same counts)
    out.summaries[-1] = dataclasses.replace(last, line=number, output_end=None)
    at = f"{file}:{last.line}: "
    out.skipped[:] = [n for n in out.skipped if not n.startswith(at)]
    return True
