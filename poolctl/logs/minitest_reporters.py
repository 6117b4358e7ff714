"""minitest-reporters' failures (its SpecReporter, DefaultReporter and ProgressReporter, as
Debian 12's 1.0.19 prints them), read into `Failure`s so that they classify as any runner's
failure does (its verdict, `8 tests, 2 assertions, 1 failures, 6 errors, 0 skips`, counts them:
`poolctl.logs.other_verdicts`). Each reporter names a failed test its own way, then prints its
message and backtrace up to a blank line:

    PoolTest                                                    (SpecReporter: the class, then
      test_starts_a_job                           ERROR (0.00s)  the test and its result)
    Minitest::UnexpectedError:         KeyError: key not found: "program_id"
                /src/lib/pool.rb:101:in `fetch'

    Failure:                                                    (DefaultReporter)
    Minitest::Result#test_counts_its_workers [test/pool_test.rb:58]
    Minitest::Assertion: Expected: 3

    =========FAIL["test_counts_its_workers", Minitest::Result, …] (ProgressReporter, its bar)
     test_counts_its_workers#Minitest::Result (1796233482.47s)

An error's kind is its exception's class (`Minitest::UnexpectedError` wraps it); a failure's is
AssertionError (`Minitest::Assertion`, or nothing). Where the DefaultReporter and the
ProgressReporter name the test's class, 1.0.19 under minitest 5.17 prints `Minitest::Result`
(its SpecReporter prints the class): no class of the suite's, so such a test is named by its
method alone, in no group.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "minitest-reporters"
SOURCE: Source = "minitest"
_SPEC_RE = re.compile(r"^  (?P<test>\S+) +(?P<what>ERROR|FAIL) \(\d+\.\d+s\)$")
_DEFAULT_RE = re.compile(r"^(?P<group>[A-Z][\w:]*)#(?P<test>\S+?)(?::| \[(?P<place>\S+:\d+)\])$")
_PROGRESS_RE = re.compile(r"^ (?P<test>\S+)#(?P<group>[A-Z][\w:]*) \(\d+\.\d+s\)$")
TRIGGERS = (
    r"^  \S+ +(?:ERROR|FAIL) \(\d+\.\d+s\)\s*$",
    r"^[A-Z][\w:]*#\S+?(?::| \[\S+:\d+\])\s*$",
    r"^ \S+#[A-Z][\w:]* \(\d+\.\d+s\)\s*$",
)
_WHAT = {"Error:": "ERROR", "Failure:": "FAIL"}  # the DefaultReporter's line above the test's
_PROGRESS_WHAT_RE = re.compile(r'(?P<what>ERROR|FAIL)\["(?P<test>[^"]+)", ')
_NO_CLASS = "Minitest::Result"  # (a result's class, printed for the test's)
_WRAPPERS = ("Minitest::UnexpectedError:", "Minitest::Assertion:")
_RAISED_RE = re.compile(r"^(?P<kind>[A-Z]\w*(?:::[A-Z]\w*)*): ?")
_FRAME_RE = re.compile(r"^\s+(?P<file>\S+?):(?P<line>\d+):in [`'](?P<func>[^']*)'$")
EXPECTATION = "AssertionError"


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> ReporterBlock | None:
    """The block of a failed test, if `line` names one the way one of the reporters does (and
    the line above it says it failed, where that is another line)."""
    text = line.rstrip()
    named = _SPEC_RE.match(text) or _DEFAULT_RE.match(text) or _PROGRESS_RE.match(text)
    if named is None:
        return None
    before = {c.line: c.text.rstrip() for c in parser.nearby_before(number)}
    above = before.get(number - 1, "")
    group, what = named.groupdict().get("group"), named.groupdict().get("what")
    if named.re is _SPEC_RE:
        group = above if re.fullmatch(r"[A-Z][\w:]*", above) else ""
    elif named.re is _DEFAULT_RE:
        what = _WHAT.get(above)
    elif (bar := _PROGRESS_WHAT_RE.search(above)) and bar["test"] == named["test"]:
        what = bar["what"]
    if what is None:
        return None
    block = ReporterBlock(number, line, parser.name, SOURCE, done)
    block.test, block.errored = named["test"], what == "ERROR"
    block.group = "" if group in (None, _NO_CLASS) else group
    block.place = named.groupdict().get("place") or ""
    return block


class ReporterBlock(RunnerBlock):
    """A failed test's message and backtrace, up to a blank line: one inside its message (Ruby's
    error_highlight follows a NoMethodError's with a blank line and the code, indented) is
    kept while no frame has come and an indented line follows it."""

    test = group = place = ""
    errored = False
    blank: tuple[int, str] | None = None  # a blank line that may end the block

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        framed = any(_FRAME_RE.match(t) for _, t in self.lines[1:])
        if not text.strip():
            if self.blank is not None or framed:
                return False
            self.blank = (number, text)
            return True
        if self.blank is not None:
            if not text.startswith(" "):
                return False
            self.lines.append(self.blank)
            self.blank = None
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        body = [t for _, t in self.lines[1:]]
        frames = [m for t in body if (m := _FRAME_RE.match(t))]
        said = [t.strip() for t in body if not _FRAME_RE.match(t)]
        wrapper = next((w for w in _WRAPPERS if said and said[0].startswith(w)), "")
        if wrapper:
            said[0] = said[0].removeprefix(wrapper).strip()
        message = "\n".join(said)
        kind = EXPECTATION if message else ""
        if self.errored:
            raised = _RAISED_RE.match(message)
            kind = raised["kind"].rsplit("::", 1)[-1] if raised else ""
        location = self.place
        if not location and frames:  # the test method's own frame, else the backtrace's last
            own = [m for m in frames if m["func"] in (self.test, f"block in {self.test}")]
            place = (own or frames)[0 if own else -1]
            location = f"{place['file']}:{place['line']}"
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=f"{self.group}#{self.test}" if self.group else self.test,
            group=self.group,
            location=location,
            kind=kind,
            message=message,
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[m.group(0).strip() for m in frames],
        )
        self.done(failure, self.lines)
        return []
