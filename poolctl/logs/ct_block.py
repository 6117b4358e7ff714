"""common_test's console output (`ct_run -dir test -logdir logs`), read into `Failure`s so that
they classify as any runner's failure does (its verdict, `Testing app.suite: TEST COMPLETE, 1
ok, 5 failed, 1 skipped of 7 test cases`, counts them: `poolctl.logs.other_verdicts`).

    - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
    pool_SUITE:badmatch_case failed on line 10
    Reason: {badmatch,{error,econnrefused}}
    - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -

    Testing app.suite: *** FAILED test case 3 of 7 ***

A block is the function the case failed in and its line, and the reason, between two rules of
dashes; the `*** FAILED test case N of M ***` line after it says which case, after what the
case's processes logged as it ended (OTP's `=CRASH REPORT====`s), kept as its logged output.
The console names no case otherwise: a case that failed in its own suite's code
(`pool_SUITE:badmatch_case`) is named by its function, its place that line of the suite; one
that failed in a library's
(`test_server:ts_tc` for a `ct:fail`, `gen_server:call`, `timer:sleep` past its timetrap) is
named by its number (`test case 2 of 7`), and the library's function is its stack. Its kind is
the reason's tag (`test_case_failed`, `badmatch`, `timetrap_timeout`).

The run's `suite.log` (its text log, which a CI job prints when ct_run fails) names each case
before its result, and its number after it, as the console does:

    =case          pool_SUITE:fail_case
    =result        failed: {test_case_failed, …
    === *** FAILED test case 2 of 7 ***

Where the log holds those lines, a case the console named by its number is named by its
function, its suite kept (`SuiteLog`, `named`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, clip
from poolctl.model import Failure, Source

RUNNER = "common_test"
SOURCE: Source = "common_test"
RULE = "- " * 39 + "-"
TRIGGERS = (r"^(?:- ){39}-\s*$",)
_FAILED_IN_RE = re.compile(
    r"^(?P<module>[\w@]+):(?P<function>[\w@]+) failed on line (?P<line>\d+)$"
)
_FAILED_CASE_RE = re.compile(
    r"^Testing (?P<label>\S+): \*\*\* FAILED test case (?P<case>\d+) of (?P<of>\d+) \*\*\*$"
)
_TAG_RE = re.compile(r"^\{(?P<tag>[a-z]\w*)\b")
# a suite.log's lines: a case begins, a case failed (its number, as the console's)
LOG_TRIGGERS = (r"^=case +\S+:\S", r"^=== \*\*\* FAILED test case \d+ of \d+ \*\*\*")
_LOG_CASE_RE = re.compile(r"^=case +(?P<suite>[\w@]+):(?P<function>[\w@]+)$")
_LOG_FAILED_RE = re.compile(r"^=== \*\*\* FAILED (?P<case>test case \d+ of \d+) \*\*\*$")
_MAX_LINES = 40
_MAX_LOGGED = 200  # lines printed between a block and its case's line, kept


def logged_before(before: Lines) -> Lines:
    """What a case logged as it ran, printed above its block: the lines (`before`, the nearby
    ones, oldest first) since the run's last `Testing …` line (the case before's, or the
    run's start), OTP's reports (`=WARNING REPORT====` and the pool's words under it)."""
    start = 0
    for i, (_, text) in enumerate(before):
        if text.startswith("Testing ") or text == RULE:
            start = i + 1
    return before[start:]


class CtBlock(RunnerBlock):
    """One common_test failure: its block, then the line naming its case."""

    def begin(self, line: str) -> None:
        self.rules = 1
        self.case: re.Match[str] | None = None
        self.logged: Lines = []  # between the block and its case's line (OTP's reports)
        self.before: Lines = []  # what the case logged above its block (`logged_before`)

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if self.case is not None or len(self.lines) >= _MAX_LINES:
            return False
        if self.rules == 2:  # after the block: blank lines, what the case logged, its line
            if not text:
                return True
            self.case = _FAILED_CASE_RE.match(text)
            if self.case is None:
                if text == RULE or text.startswith("Testing ") or len(self.logged) >= _MAX_LOGGED:
                    return False  # another block, or the run's line: this case was not named
                self.logged.append((number, text))
                return True
        elif text == RULE:
            self.rules = 2
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        body = [t for _, t in self.lines[1:] if t != RULE and not t.startswith("Testing ")]
        where = _FAILED_IN_RE.match(body[0]) if body else None
        if self.case is None or where is None:
            return self.logged  # no case named after it: no failure read (its verdict counts it)
        reason = " ".join(t.removeprefix("Reason: ").strip() for t in body[1:])
        tag = _TAG_RE.match(reason)
        own = where["module"].endswith("_SUITE")
        case = f"test case {self.case['case']} of {self.case['of']}"
        details = {"runner": RUNNER, "case": case, "text": clip("\n".join(body), MAX_FIELD)}
        if logged := self.before + self.logged:  # OTP's reports: as the case ran, as it failed
            details["logged"] = clip("\n".join(t for _, t in logged), MAX_FIELD)
        failure = Failure(
            source=self.source,
            name=where["function"] if own else case,
            group=self.case["label"],
            location=f"{where['module']}.erl:{where['line']}" if own else "",
            kind=tag["tag"] if tag else "error",
            message=clip(reason, MAX_FIELD),
            details=details,
            stacktrace=(f"{where['module']}:{where['function']} line {where['line']}",),
            input_file=self.input_file,
            line_start=self.lines[0][0],
            line_end=self.lines[-1][0],
        )
        self.done(failure, self.lines)
        return []


@dataclass
class SuiteLog:
    """What a parser saw of a suite.log: the case whose lines it is in, and each failed case's
    suite and function by its number (in the order they came: two runs may number alike)."""

    case: tuple[str, str] | None = None
    failed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def log_line(log: SuiteLog, line: str) -> bool:
    """Note a suite.log's `=case` or `=== *** FAILED test case N of M ***` line; True when
    `line` was one."""
    if (case := _LOG_CASE_RE.match(line)) is not None:
        log.case = (case["suite"], case["function"])
        return True
    if (failed := _LOG_FAILED_RE.match(line)) is None:
        return False
    if log.case is not None:
        log.failed.setdefault(failed["case"], []).append(log.case)
    log.case = None
    return True


def named(failures: list[Failure], input_file: str, log: SuiteLog) -> None:
    """Name the console's failures of `input_file` that it named by their number alone by the
    case the suite.log says failed under that number (the first not yet taken), the suite in
    their details."""
    for i, failure in enumerate(failures):
        number = failure.details.get("case", "")
        if failure.input_file != input_file or failure.source != SOURCE or failure.name != number:
            continue
        cases = log.failed.get(number)
        if not cases:
            continue
        suite, function = cases.pop(0)
        details = {**failure.details, "suite": suite}
        failures[i] = dataclasses.replace(failure, name=function, details=details)
