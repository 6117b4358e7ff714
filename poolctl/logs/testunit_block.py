"""test-unit's failures (Ruby's bundled gem, `ruby test/x.rb` or `rake test`), read into
`Failure`s so that they classify as any runner's failure does (its verdict, `9 tests, 4
assertions, 3 failures, 3 errors, 1 pendings, 1 omissions, 0 notifications`, counts them:
`poolctl.logs.verdict_lines`). It prints each failure as the test ends, between two rules of
`=`, under its progress mark (`-v`: under the test's line):

    ===============================================================================
    Error: test_keeps_its_worker(PoolTest): WorkerExited: worker pid 9075 exited with status 3
    /src/lib/pool.rb:83:in `request'
    test/pool_test.rb:32:in `test_keeps_its_worker'
         31:     worker = @pool.checkout(0.2)
      => 32:     @pool.request(worker, {"id" => 3, "op" => "ping"}, 2)
    ===============================================================================

A block's first line says what failed (`Failure:` an assertion, `Error:` an exception, its class
and message after the test's name; `Pending:`, `Omission:` and `Notification:` are no failures),
the test's method and class, then the backtrace, the code around the line that failed, and an
assertion's message (`<3> expected but was` / `<2>`). Its place is its frame in the test's
method, else its first frame.

Its `Finished in 1.44 seconds.` is ExUnit's mark: a run alone is known by its verdict
(`IN_TEXT_RE`) and read beside the pytest parser, as RSpec's is.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "test-unit"
SOURCE: Source = "test_unit"
RULE = "=" * 79
HEADER_RE = re.compile(
    r"^(?P<what>Failure|Error): (?P<test>.+?)\((?P<group>[A-Z][\w:]*)\)(?:: (?P<said>.*))?$"
)
TRIGGERS = (r"^(?:Failure|Error): .+?\([A-Z][\w:]*\)(?::|\s*$)",)
_COUNTS = (
    r"\d+ tests, \d+ assertions, (?P<failed>\d+) failures, (?P<errors>\d+) errors, "
    r"\d+ pendings, \d+ omissions, \d+ notifications"
)
VERDICT_RE = re.compile(rf"^{_COUNTS}$")
IN_TEXT_RE = re.compile(rf"^{_COUNTS}\s*$", re.M)  # a run, passed or failed
_FRAME_RE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):in [`'](?P<func>[^']*)'$")
_CODE_RE = re.compile(r"^(?: {5}|  => )\d+:(?: |$)")  # the code around the line that failed
_RAISED_RE = re.compile(r"^(?P<kind>[A-Z]\w*(?:::[A-Z]\w*)*): ")
EXPECTATION = "AssertionError"  # an assertion's: test-unit names no class for it


def failed_run(text: str) -> bool:
    """Whether a verdict in `text` counts a failure or an error."""
    return any(int(m["failed"]) or int(m["errors"]) for m in IN_TEXT_RE.finditer(text))


def heads_block(text: str, before: list[str]) -> bool:
    """Whether `text` heads a failure's block: its line, right under a rule."""
    return bool(before) and before[-1].rstrip() == RULE and HEADER_RE.match(text) is not None


class TestUnitBlock(RunnerBlock):
    """One failure's block (a consumer of a text parser's scan), to the rule that closes it."""

    def ends_before(self, text: str) -> bool:
        return text == RULE

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        body = [t for _, t in self.lines[1:]]
        frames = [t for t in body if _FRAME_RE.match(t)]
        said = [header["said"] or ""]
        said += [t for t in body if t and not _FRAME_RE.match(t) and not _CODE_RE.match(t)]
        message = "\n".join(s for s in said if s)
        kind = EXPECTATION
        if header["what"] == "Error":
            raised = _RAISED_RE.match(message)
            kind = raised["kind"] if raised else ""
        places = [m for t in frames if (m := _FRAME_RE.match(t))]
        # the test's method, or the block `test "…" do` made it of, in its class's body
        body_of = f"block in <class:{header['group'].rpartition('::')[2]}>"
        own = [p for p in places if p["func"] in (header["test"], body_of)]
        place = (own or places)[0] if places else None
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["test"],
            group=header["group"],
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
