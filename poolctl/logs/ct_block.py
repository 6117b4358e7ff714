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
function, its suite kept (`SuiteLog`, `named`). Its `=result` prints the reason whole, over
lines, where the console cut it (`{timeout,{gen_server,call,...}}`: which call, and to what, is
gone): that case's reason is the suite.log's, its stack left out.

    =result        failed: {timeout,
                               {gen_server,call,[<0.149.0>,{request,ping},300]}}, [{gen_server,
                                                                                    call, …
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
LOG_TRIGGERS = (
    r"^=case +\S+:\S",
    r"^=result +failed: ",
    r"^=== \*\*\* FAILED test case \d+ of \d+ \*\*\*",
)
_LOG_CASE_RE = re.compile(r"^=case +(?P<suite>[\w@]+):(?P<function>[\w@]+)$")
_LOG_FAILED_RE = re.compile(r"^=== \*\*\* FAILED (?P<case>test case \d+ of \d+) \*\*\*$")
_LOG_RESULT = "=result"
_CUT = "..."  # where ct_run's console cut a reason (`{noproc,{gen_server,call,...}}`)
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
    """What a parser saw of a suite.log: the case whose lines it is in and its `=result`'s
    lines, and each failed case's suite, function and reason by its number (in the order they
    came: two runs may number alike)."""

    case: tuple[str, str] | None = None
    result: list[str] = field(default_factory=list)
    failed: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


class ResultLines:
    """A suite.log's `=result        failed: …` line and the lines it goes on over (indented)."""

    def __init__(self, log: SuiteLog, line: str) -> None:
        self.log = log
        log.result = [line.removeprefix(_LOG_RESULT).strip().removeprefix("failed:")]

    def feed(self, number: int, line: str) -> bool:
        if not line.startswith(" ") or len(self.log.result) >= _MAX_LINES:
            return False
        self.log.result.append(line.strip())
        return True

    def close(self) -> Lines:
        return []


def log_line(log: SuiteLog, line: str) -> ResultLines | bool:
    """Note a suite.log's `=case` or `=== *** FAILED test case N of M ***` line (True), or read
    its `=result` (the lines' consumer); False when `line` is none of them."""
    if (case := _LOG_CASE_RE.match(line)) is not None:
        log.case, log.result = (case["suite"], case["function"]), []
        return True
    if line.startswith(_LOG_RESULT) and log.case is not None:
        return ResultLines(log, line)
    if (failed := _LOG_FAILED_RE.match(line)) is None:
        return False
    if log.case is not None:
        # (a map's value goes on on the line after its `=>`: the space kept)
        reason = reason_of("".join(f"{t} " if t.endswith("=>") else t for t in log.result))
        log.failed.setdefault(failed["case"], []).append((*log.case, reason))
    log.case, log.result = None, []
    return True


def reason_of(result: str) -> str:
    """The reason of a suite.log's `failed:` result, its lines joined: its first term (the
    stack printed after it left out), of an error's `{Reason, Stack}` the reason alone."""
    first = _terms(result.strip())[:1]
    if not first or not first[0].startswith("{"):
        return first[0] if first else ""
    inner = _terms(first[0][1:-1])
    if len(inner) == 2 and inner[1].startswith("[{"):  # (an error's stack, in the term)
        return inner[0]
    return first[0]


def _terms(text: str) -> list[str]:
    """The terms of `text`, a comma-separated sequence of Erlang terms, split at the commas
    outside brackets and strings."""
    terms: list[str] = []
    depth, start, quoted = 0, 0, False
    for i, char in enumerate(text):
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "," and depth == 0:
            terms.append(text[start:i].strip())
            start = i + 1
    return [*terms, text[start:].strip()] if text[start:].strip() else terms


def named(failures: list[Failure], input_file: str, log: SuiteLog) -> None:
    """Name the console's failures of `input_file` that it named by their number alone by the
    case the suite.log says failed under that number (the first not yet taken), the suite in
    their details; a reason the console cut is the suite.log's, the console's kept beside."""
    for i, failure in enumerate(failures):
        number = failure.details.get("case", "")
        if failure.input_file != input_file or failure.source != SOURCE:
            continue
        cases = [c for c in log.failed.get(number, []) if failure.name in (number, c[1])]
        if not cases:
            continue
        suite, function, reason = cases[0]
        log.failed[number].remove(cases[0])
        details = {**failure.details}
        if failure.name == number:  # (one the console named by its function keeps its name)
            details["suite"] = suite
        message = failure.message
        if _CUT in message and reason:
            details["console_reason"], message = message, clip(reason, MAX_FIELD)
        failures[i] = dataclasses.replace(failure, name=function, details=details, message=message)
