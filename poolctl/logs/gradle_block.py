"""Gradle's console (`gradle test`, `./gradlew test`): each failed test's lines, read into
`Failure`s that classify as any runner's failure does; its count, `14 tests completed, 11
failed, 2 skipped`, counts them (`poolctl.logs.verdict_lines`).

    com.example.pool.PoolCheckoutTest > theWorkerAnswersAPing FAILED
        com.example.pool.WorkerTimeoutException at PoolCheckoutTest.java:49

By default Gradle prints the exception's class and where it was thrown in the test's class (a
cause under it, `Caused by: … at …`); under `testLogging { exceptionFormat = 'full' }` the
class and message, the message's further lines, and the frames (`at …`), a cause after a blank
line (`Caused by:`, then its class and message). Named by the test, grouped by its class, of
its exception's class, placed where it says (the short form) or at the first frame in its
class's file; the message the exception's (the short form has none: its line is said as
printed), its causes `caused_by`, as a JUnit XML report's are.
"""

from __future__ import annotations

import re

from poolctl.logs.junit5_console import place_in_class
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Gradle"
SOURCE: Source = "gradle"
HEADER_RE = re.compile(r"^(?P<cls>[\w.$]+) > (?P<test>\S.*?) FAILED$")
TRIGGERS = (r"^[\w.$]+ > \S.* FAILED\s*$",)
VERDICT_RE = re.compile(r"^\d+ tests? completed, (?P<failed>\d+) failed(?:, \d+ skipped)?$")
VERDICT_TRIGGER = r"^\d+ tests? completed, [1-9]\d* failed"
# a passed run prints no count: its build's closing line, a clean run where its test task ran
# (`:test`, `> Task :test`, a subproject's `:pool:test`; Gradle fails the build on a failed test).
# Gradle 4.4 glues what the tests' JVM prints to its task's line (`:testWARNING: …`); its
# `:testClasses` only compiles them
CLEAN_RE = re.compile(r"^BUILD SUCCESSFUL(?: in \S+)?$")
TEST_TASK_RE = re.compile(r"^(?:> Task )?:(?:[\w-]+:)*test(?!\w*Classes\b|[a-z\d_])", re.M)
# the short form: the exception's class and the place it names in the test's class
_SHORT_RE = re.compile(
    r"^(?:Caused by: )?(?P<kind>[\w.$]+) at (?P<file>[\w$]+\.\w+):(?P<line>\d+)$"
)
_THROWN_RE = re.compile(r"^(?P<kind>[\w.$]+)(?:: (?P<message>.*))?$")
_CAUSE = "Caused by:"


class GradleBlock(RunnerBlock):
    """One failed test's lines (a consumer of a text parser's scan): those indented under its
    `Class > test FAILED` line, and the blank lines between them (before a cause)."""

    def begin(self, line: str) -> None:
        self.blank: Lines = []  # blank lines read, kept once an indented line follows them

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if not text and len(self.blank) < 2:
            self.blank.append((number, text))
            return True
        if not text.startswith("    ") or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        self.lines += [*self.blank, (number, text)]
        self.blank = []
        return True

    def close(self) -> Lines:
        blank, self.blank = self.blank, []
        header = HEADER_RE.match(self.lines[0][1])
        body = [t.strip() for _, t in self.lines[1:] if t.strip()]
        if header is None or not body:
            return blank
        cls = header["cls"]
        cut = next((i for i, t in enumerate(body) if t.startswith(_CAUSE)), len(body))
        own, causes = body[:cut], _causes(body[cut:])
        frames = [t.removeprefix("at ") for t in body if t.startswith("at ")]
        short = _SHORT_RE.match(own[0])
        if short is not None:
            kind, message = short["kind"], "\n".join(own)
            location = f"{short['file']}:{short['line']}"
        else:
            thrown = _THROWN_RE.match(own[0])
            kind = thrown["kind"] if thrown else ""
            said = [thrown["message"] or ""] if thrown else [own[0]]
            said += [t for t in own[1:] if not t.startswith(("at ", "..."))]
            message, location = "\n".join(said).strip(), place_in_class(cls, frames)
        details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
        if causes:
            details["caused_by"] = clip("\n".join(causes), MAX_FIELD)
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["test"],
            group=cls,
            location=location,
            kind=kind,
            message=message,
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return blank  # read as any other


def _causes(lines: list[str]) -> list[str]:
    """The causes in a failure's lines from its first `Caused by:` on, outermost first: on the
    same line (the short form) or on the line after it (the full form)."""
    causes = []
    for at, text in enumerate(lines):
        if text == _CAUSE and at + 1 < len(lines):
            causes.append(lines[at + 1])
        elif text.startswith(f"{_CAUSE} "):
            causes.append(text.removeprefix(_CAUSE).strip())
    return causes
