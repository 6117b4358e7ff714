"""Boost.Test's console (a test module's own main, its default log level, `error`): each failed
assertion's or uncaught exception's line, read into `Failure`s that classify as any runner's
failure does; its closing line, `*** 7 failures are detected in the test module "pool"`, counts
those lines (Boost counts failed assertions, not tests), `*** No errors detected` a clean run.

    pool.cc(37): error: in "checkout/counts_workers": check pool.size() == 3u has failed [2 != 3]
    unknown location(0): fatal error: in "requests/a_job_starts": WorkerError: worker pid 27…
    pool.cc(63): last checkpoint: "a_job_starts" test entry

Named by the test case, grouped by its suites' path (its file where it is in no suite); a
failed check or requirement is of kind AssertionError, placed at its line; an exception the
test did not catch (`unknown location(0)`), of the type Boost names before its message, is
placed at the last checkpoint Boost says under it (the test case's entry, or a
BOOST_TEST_CHECKPOINT's line).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import block_failure
from poolctl.model import Source

RUNNER = "Boost.Test"
SOURCE: Source = "boost_test"
UNKNOWN = "unknown location"  # an exception's place: Boost does not know where it was thrown
_PLACE = rf"(?P<file>{UNKNOWN}|\S+)\((?P<line>\d+)\)"
HEADER_RE = re.compile(
    rf'^{_PLACE}: (?P<level>fatal error|error): in "(?P<path>[^"]+)": (?P<message>.*)$'
)
TRIGGERS = (rf'^(?:{UNKNOWN}|\S+)\(\d+\): (?:fatal )?error: in "',)
_CHECKPOINT_RE = re.compile(rf"^{_PLACE}: last checkpoint(?:: .*)?$")
_COUNT = r"^\*\*\* (?P<failed>\d+) failures? (?:is|are) detected"
VERDICT_RE = re.compile(rf'{_COUNT}(?: \([^)]*\))? in the test module "[^"]*"$')
VERDICT_TRIGGER = r"^\*\*\* [1-9]\d* failures? (?:is|are) detected"
CLEAN_RE = re.compile(r"^\*\*\* No errors detected$")
# under --report_level=short or detailed its report replaces that line: the module's, then its
# suites' and test cases', each with its counts (which count tests and assertions alike)
REPORT_RE = re.compile(r'^Test module "[^"]*" has failed with:$')
REPORT_TRIGGER = r'^Test module "[^"]*" has failed with:'
REPORT_CLEAN_RE = re.compile(r'^Test module "[^"]*" has passed with:$')
# what an uncaught exception's message begins with: the type Boost names (`std::runtime_error`,
# `CheckoutTimeout`), or `signal` (a crash Boost caught: SIGSEGV, SIGABRT)
THROWN_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w:<>, ]*?): (?P<message>.*)$")
EXPECTATION = "AssertionError"


class BoostTestLine(RunnerBlock):
    """One failed assertion's or exception's line (a consumer of a text parser's scan), and the
    checkpoint line under it."""

    def ends_before(self, text: str) -> bool:
        return len(self.lines) > 1 or not _CHECKPOINT_RE.match(text)

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        *suites, name = header["path"].split("/")
        message, location = header["message"], f"{header['file']}:{header['line']}"
        kind = EXPECTATION
        if header["file"] == UNKNOWN:
            thrown = THROWN_RE.match(message)
            kind, message = (thrown["kind"], thrown["message"]) if thrown else ("", message)
            checkpoint = _CHECKPOINT_RE.match(self.lines[-1][1]) if len(self.lines) > 1 else None
            location = f"{checkpoint['file']}:{checkpoint['line']}" if checkpoint else ""
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group="/".join(suites) or location.partition(":")[0],
            location=location,
            kind=kind,
            message=message,
            details={"runner": RUNNER, "level": header["level"]},
            frames=[],
        )
        self.done(failure, self.lines)
        return []
