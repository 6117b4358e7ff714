"""The failure blocks of unittest runners other than unittest's own, read into `Failure`s of
source `unittest` (the traceback read as `poolctl.logs.unittest_block` reads one), so that they
classify as any runner's failure does. Each prints a test's traceback under a header of its own:

    Failure in test test_x (pool_tests.PoolTests.test_x)       (zope.testrunner; `Error in test`)
    Traceback (most recent call last):
      File "/src/pool_tests.py", line 31, in test_x
    AssertionError: 2 != 3

    Error in pool_tests.PoolTests.test_x                        (green: its frames, no
      File "/src/pool_tests.py", line 17, in test_x              `Traceback` line)
    TimeoutError: checkout timed out after 0.2s

    [ERROR]                                                     (Twisted's trial: the test's
    Traceback (most recent call last):                           name after its traceback, the
      File "/src/pool_tests.py", line 17, in test_x              exception's module before its
    builtins.TimeoutError: checkout timed out after 0.2s         kind, up to a rule of `=`)

    pool_tests.PoolTests.test_x

zope.testrunner's import failures (`Test-module import failures:`, then `Module: pool_tests` and
its traceback) are a failure of the module. green's and trial's verdicts are unittest's
(`FAILED (errors=3, failures=1)`); zope.testrunner's is its own (`Ran 7 tests with 1 failures, 3
errors and 1 skipped in 0.535 seconds.`: `poolctl.logs.other_verdicts`).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.logs.unittest_block import Traceback

ZOPE = "zope.testrunner"
GREEN = "green"
TRIAL = "trial"
ZOPE_HEADER_RE = re.compile(
    r"^(?P<outcome>Failure|Error) in test (?P<test>\w+) \((?P<where>[\w.]+)\)$"
)
ZOPE_IMPORTS = "Test-module import failures:"
ZOPE_MODULE_RE = re.compile(r"^Module: (?P<module>[\w.]+)$")
# green's test id: module, class and method at least
GREEN_HEADER_RE = re.compile(r"^(?P<outcome>Failure|Error) in (?P<id>\w+(?:\.\w+){2,})$")
TRIAL_HEADER_RE = re.compile(r"^\[(?P<outcome>FAIL|ERROR)\]$")
TRIGGERS = (
    r"^(?:Failure|Error) in test \w+ \([\w.]+\)\s*$",  # zope.testrunner
    r"^Module: [\w.]+\s*$",  # ... a module it could not import
    r"^(?:Failure|Error) in \w+(?:\.\w+){2,}\s*$",  # green
    r"^\[(?:FAIL|ERROR)\]\s*$",  # trial
)
_TRIAL_ID_RE = re.compile(r"^\w+(?:\.\w+)*$")
# what ends a block: zope's next test under -vv (` test_y (m.C.test_y)`), its layer's count;
# green's count; trial's rules
_ENDS_RE = re.compile(
    r"^(?: \w+ \([\w.]+\)| +Ran \d+ tests with |Ran \d+ tests? in |={20,}$|-{20,}$)"
)


class UnittestRunnerBlock(RunnerBlock):
    """One block of zope.testrunner's, green's or trial's (a consumer of a text parser's scan);
    the failure goes to `done` when the block ends."""

    def begin(self, line: str) -> None:
        text = line.rstrip()
        self.runner = (
            TRIAL if TRIAL_HEADER_RE.match(text) else GREEN if GREEN_HEADER_RE.match(text) else ZOPE
        )
        self.blank = 0  # blank lines in a row: two end a block of zope's or green's

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or _ENDS_RE.match(text) or starts(text):
            return False
        self.blank = 0 if text else self.blank + 1
        if self.blank >= 2 and self.runner != TRIAL:
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1]:
            self.lines.pop()
        header = self.lines[0][1]
        body = [t for _, t in self.lines[1:]]
        outcome, test, where, phase = "error", "", "", ""
        if self.runner == TRIAL:
            outcome = "fail" if header == "[FAIL]" else "error"
            # the tests whose failure this was, after its traceback (trial names several when
            # their tracebacks are the same)
            cut = len(body)
            while cut and _TRIAL_ID_RE.match(body[cut - 1]):
                cut -= 1
            named, body = body[cut:], body[:cut]
            where = named[0] if named else ""
            test = where.rsplit(".", 1)[-1]
        elif zope := ZOPE_HEADER_RE.match(header):
            outcome, test, where = zope["outcome"].lower(), zope["test"], zope["where"]
        elif green := GREEN_HEADER_RE.match(header):
            outcome, where = green["outcome"].lower(), green["id"]
            test = where.rsplit(".", 1)[-1]
        elif module := ZOPE_MODULE_RE.match(header):  # an import that failed: the module's
            test, phase = module["module"], "collection"
        if not test:
            return []
        read = Traceback(body)
        group = where.removesuffix(f".{test}") if where != test else ""
        details = {
            "runner": self.runner,
            "outcome": outcome,
            "text": clip("\n".join(body), MAX_FIELD),
        }
        if phase:
            details["phase"] = phase
        if read.source:
            details["source"] = clip("\n".join(read.source), MAX_FIELD)
        failure = block_failure(
            "unittest",
            self.input_file,
            self.lines,
            name=test,
            group=group,
            location=read.module_location() if phase else read.location(test),
            kind=read.kind,
            message=read.message,
            details=details,
            frames=read.frames,
        )
        self.done(failure, self.lines)
        return []


def starts(text: str) -> bool:
    """Whether `text` (a line, its end stripped) begins a block of these runners'."""
    if text.startswith(("Failure in ", "Error in ")):
        return bool(ZOPE_HEADER_RE.match(text) or GREEN_HEADER_RE.match(text))
    return text.startswith("[") and TRIAL_HEADER_RE.match(text) is not None


def zope_module(text: str, before: list[str]) -> bool:
    """Whether `text` is zope.testrunner's `Module: pool_tests` line of a module it could not
    import, the lines `before` it (oldest first) holding its heading."""
    return bool(ZOPE_MODULE_RE.match(text)) and ZOPE_IMPORTS in before[-6:]
