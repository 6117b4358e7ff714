"""Python unittest's failure blocks (Django's test runner prints the same), read into `Failure`s
so that they classify as any runner's failure does (its verdict, `FAILED (failures=1,
errors=2)`, counts them: `poolctl.logs.other_verdicts`).

    ======================================================================
    ERROR: test_second_checkout (test_pool.PoolTests.test_second_checkout)
    Two checkouts from a pool of one: the second waits for the first.
    ----------------------------------------------------------------------
    Traceback (most recent call last):
      File "/src/test_pool.py", line 75, in test_second_checkout
        self.pool.checkout(timeout=0.2)
    TimeoutError: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting

    Stdout:
    worker 15126 checked out

A block is its header (`ERROR:`, `FAIL:` or `UNEXPECTED SUCCESS:`, the test as unittest names
it: `test_x (module.Class.test_x)`, before Python 3.11 `test_x (module.Class)`; a subTest's
with its parameters after it, `(size=2)`; a class or module fixture's `setUpClass
(module.Class)`), the docstring's first line when the test has one, a rule of dashes, then the
traceback (chained ones one after the other), the exception's line and what its message goes
on with (an assertEqual's diff), and under `-b` the test's `Stdout:` and `Stderr:`; up to the
next block's rule of `=` signs, or the rule of dashes above `Ran N tests`. An unexpected
success's block is its header alone. An exception group's traceback (Python 3.11 on, its lines
behind `| `) is read for the test's frames and its leaves: the message is theirs (`KeyError:
'program_id is required'`), not the group's `unhandled errors in a TaskGroup (1 sub-exception)`.
The `-v` result lines above the blocks (`test_x (…) ...
FAIL`) say the same again, and are not read.
"""

from __future__ import annotations

import re

from poolctl.logs.other_verdicts import UNITTEST_RAN_RE
from poolctl.logs.pytest_block import GROUP_START_RE, ExceptionGroupLines
from poolctl.logs.pytest_summary import EXCEPTION_RE, short_type
from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import (
    MAX_BLOCK_LINES,
    MAX_FIELD,
    block_failure,
    clip,
    keep_failure,
    line_failure,
)
from poolctl.model import Source

RUNNER = "unittest"
SOURCE: Source = "unittest"
HEADER_RE = re.compile(
    r"^(?P<outcome>ERROR|FAIL|UNEXPECTED SUCCESS): (?:(?P<test>[\w.]+) \((?P<where>[\w.]+)\)"
    r"(?P<sub> .+)?|(?P<holder>_ErrorHolder)|(?P<module>\w+(?:\.\w+)*)\.(?P<function>\w+)"
    r"(?P<index>:\d+)?|(?P<method>\w+)(?P<param>:\d+))$"
)
TRIGGERS = (
    r"^(?:ERROR|FAIL|UNEXPECTED SUCCESS): [\w.]+ \([\w.]+\)",
    r"^ERROR: _ErrorHolder\s*$",  # nose2's class or module fixture that raised
    # nose2's test function, `module.function`; its params' and generators' `:2`, a method's too
    r"^(?:ERROR|FAIL): (?:\w+(?:\.\w+)+(?::\d+)?|\w+:\d+)\s*$",
    r" \.\.\. (?:FAIL|ERROR|unexpected success)\s*$",  # a `-v` result line
    r"^(?:FAIL|ERROR|unexpected success)\s*$",  # ... its outcome alone, after what the test printed
)
OUTCOMES = ("FAIL", "ERROR", "unexpected success")
# `-v`'s result line of a test that failed (a subTest's indented under its test's), as recorded
# (`verbose_result`); `stopped`: the test the run was in when it stopped
RESULT_RE = re.compile(
    r"^ *(?P<test>\w+) \((?P<where>[\w.]+)\)(?P<sub> .+?)? \.\.\. "
    r"(?P<outcome>FAIL|ERROR|unexpected success|stopped)$"
)
# a `-v` line's start: the test, then ` ... ` and its outcome, or what it printed first, or
# nothing (its docstring's line follows, ` ... OUTCOME` at its end)
_START_RE = re.compile(
    r"^(?P<test> *\w+ \([\w.]+\)(?: \(.+?\)| \[.+?\])?)(?P<dots> \.\.\.(?: (?P<rest>.*))?)?$"
)
_PASSED = ("ok", "skipped", "expected failure")
# a block's rule and header, in a whole text (RE2 syntax, multi-line): a run cut short before its
# verdict (killed, a CI job's time limit) is still read for its blocks
FAILED_IN_TEXT = (
    r"^={20,}[ \t]*\n(?:ERROR|FAIL): (?:[\w.]+ \([\w.]+\)|_ErrorHolder)"
    # ... or a `-v` line's, before them
    r"|^ *\w+ \([\w.]+\)[^\n]* \.\.\. (?:FAIL|ERROR|unexpected success)[ \t]*$"
)
_FRAME_RE = re.compile(r'^ +File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
# the line under nose2's header of a method's params, `2 (test_params.Case.test_m:2`: its class
_PARAMS_OF_RE = re.compile(r"\((?P<where>[\w.]+)\.\w+:\d+$")
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
_CAPTURED = {"Stdout:": "captured stdout", "Stderr:": "captured stderr"}  # under `-b`
_FIXTURES = ("setUpClass", "tearDownClass", "setUpModule", "tearDownModule")
_FAILED_IMPORT = "unittest.loader._FailedTest"  # the stand-in for a module that did not import


def _rule(text: str, char: str) -> bool:
    """Whether `text` is one of unittest's rules (70 `=` or `-` signs)."""
    return len(text) >= 20 and text.strip(char) == ""


class UnittestBlock(RunnerBlock):
    """One unittest failure block (a consumer of a text parser's scan); the failure goes to
    `done` when the block ends."""

    def begin(self, line: str) -> None:
        self.ruled = False  # the rule of dashes under the header was read: the traceback follows
        # a doctest's block (its docstring line is `Doctest: mod.f`): doctest's own report, in its
        # message, parts each example's under a rule of dashes, which ends no block
        self.doctest = False

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or _rule(text, "=") or UNITTEST_RAN_RE.match(text):
            return False
        if self.ruled and self.lines[0][1].startswith("UNEXPECTED SUCCESS: "):
            return False  # (its header alone: no traceback)
        if _rule(text, "-"):
            if self.ruled and not self.doctest:
                return False  # the rule above `Ran N tests`
            self.doctest = self.doctest or any(t.startswith("Doctest: ") for _, t in self.lines)
            self.ruled = True
        elif not self.ruled and (HEADER_RE.match(text) or len(self.lines) > 3):
            return False  # no unittest block: its rule did not come
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None or not self.ruled:
            return []  # (its lines are no other failure's either)
        ruled = next(i for i, (_, t) in enumerate(self.lines) if _rule(t, "-"))
        doc = [t for _, t in self.lines[1:ruled]]
        # (a doctest's block holds the rule above `Ran N tests`, or the next block's blank lines)
        while len(self.lines) > ruled + 1 and not self.lines[-1][1].strip("- "):
            self.lines.pop()
        body = [t for _, t in self.lines[ruled + 1 :]]
        # `module.Class.test` (3.11 on), `module.Class` before; a fixture's is its class or module
        # (its group names its class, as unittest does)
        grouped = _ExceptionGroup(body) if any(GROUP_START_RE.match(t) for t in body) else None
        read = Traceback(grouped.own if grouped else body)
        if header["holder"]:  # nose2's fixture, unnamed: the fixture whose frame raised (its
            # class is not said)
            test = next((p[2] for p in reversed(read.places) if p[2] in _FIXTURES), "")
            name, group = test or header["holder"], ""
        elif header["function"]:  # nose2's test function: grouped by its module
            test = header["function"]
            name, group = test + (header["index"] or ""), header["module"]
        elif header["method"]:  # nose2's params of a method, `test_m:2`, its class below it
            test, name = header["method"], header["method"] + header["param"]
            group = next((w["where"] for t in doc if (w := _PARAMS_OF_RE.search(t))), "")
        else:
            name, group = _named(header["test"], header["where"], header["sub"])
            test = header["test"]
        kind, message = read.kind, read.message
        if grouped is not None and grouped.leaves:  # what the group holds says what failed
            grouped.said, message = message, "\n".join(grouped.leaves)
        example = _doctest_example(body) if self.doctest else None
        location = read.location(test)
        if example is not None:  # where the example is, and what it did, not doctest's runTest
            location, message = example
        # a test module that did not import (`ERROR: tests.t (unittest.loader._FailedTest.tests.t)`,
        # before 3.11 `(unittest.loader._FailedTest)`): named by the module, no class (not the
        # loader's), at the module's line that raised
        failed_import = (header["where"] or "") in (_FAILED_IMPORT, f"{_FAILED_IMPORT}.{test}")
        if failed_import:
            group = ""
            location = read.module_location() or location
        if header["outcome"] == "UNEXPECTED SUCCESS":
            kind, message = "UnexpectedSuccess", "unexpected success: the test was expected to fail"
        details = {
            "runner": RUNNER,
            "outcome": header["outcome"].lower(),
            "text": clip("\n".join(body), MAX_FIELD),
        }
        if doc:
            details["doc"] = clip("\n".join(doc), MAX_FIELD)
        if failed_import:
            details["phase"] = "collection"
        if read.source:
            details["source"] = clip("\n".join(read.source), MAX_FIELD)
        if read.causes:
            details["cause"] = clip("\n".join(read.causes), MAX_FIELD)
        if grouped is not None and grouped.subs:  # (as pytest's block of a group has it)
            details["sub-exceptions"] = "\n".join(grouped.subs)
            details["exception-group"] = grouped.said  # its own line, `ExceptionGroup: … (2 …)`
        for key, said in read.captured.items():
            details[key] = clip("\n".join(said).strip("\n"), MAX_FIELD)
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=group,
            location=location,
            kind=kind,
            message=message,
            details=details,
            frames=read.frames + (grouped.frames if grouped else []),
        )
        self.done(failure, self.lines)
        return []


# a nested group's own line among a group's sub-exceptions: no leaf
_NESTED_GROUP_RE = re.compile(r"^[\w.]*ExceptionGroup: .* \(\d+ sub-exceptions?\)$")


class _ExceptionGroup:
    """A block's body whose traceback is an exception group's (Python 3.11 on: `  + Exception
    Group Traceback`, its lines behind `| `, each sub-exception's under a `+---- N ----` line):
    the body up to the group's own exception line, unprefixed (read as any traceback: the
    test's frames), its sub-exceptions' lines (`ExceptionGroupLines`), the leaves among them
    (no group of their own), and the frames of the sub-exceptions' tracebacks."""

    def __init__(self, body: list[str]) -> None:
        start = next(i for i, t in enumerate(body) if GROUP_START_RE.match(t))
        self.own = [*body[:start], "Traceback (most recent call last):"]
        self.frames: list[str] = []
        lines = ExceptionGroupLines()
        in_subs = False
        for text in body[start + 1 :]:
            if not lines.feed(text):
                break
            inner = text.lstrip(" ")
            in_subs = in_subs or inner.startswith("+")
            inner = inner[2:] if inner.startswith("| ") else inner[1:]
            if not in_subs:
                self.own.append(inner)
            elif frame := _FRAME_RE.match(inner):
                self.frames.append(f"{frame['file']}:{frame['line']}: in {frame['func']}")
        _, self.subs = lines.said()
        self.leaves = [s for s in self.subs if not _NESTED_GROUP_RE.match(s)]
        self.said = ""  # the group's own exception line


class Traceback:
    """A block's body read: its tracebacks' frames, the chained ones' first (spelt as pytest's,
    `path:N: in f`, each exception's `path:N: Kind`), the last traceback's code lines, the
    exception's kind and message (its line, `Kind: said`, as pytest's message is, and what
    follows it), the exceptions chained before it, and the captured output."""

    def __init__(self, body: list[str]) -> None:
        self.frames: list[str] = []
        self.places: list[tuple[str, str, str]] = []  # file, line, function of each frame
        self.source: list[str] = []
        self.causes: list[str] = []
        self.captured: dict[str, list[str]] = {}
        self.kind = ""
        said: list[str] = []
        chained: list[str] = []  # the frames of the tracebacks chained before the last one
        part = "traceback"  # then "message", then a captured stream's key
        for text in body:
            if text in _CAPTURED:
                part = _CAPTURED[text]
                self.captured[part] = []
            elif part in self.captured:
                self.captured[part].append(text)
            elif text.startswith("Traceback (most recent call last):") or text in _CHAINED:
                if said:  # an exception chained before the last one: its message said why
                    self.causes.append(_joined(said))
                chained += self.frames if text in _CHAINED else []
                self.frames, self.places, self.source, said = [], [], [], []
                self.kind, part = "", "traceback"
            elif part == "traceback" and (frame := _FRAME_RE.match(text)):
                self.frames.append(f"{frame['file']}:{frame['line']}: in {frame['func']}")
                self.places.append((frame["file"], frame["line"], frame["func"]))
            elif part == "traceback" and text.startswith("    "):
                if text.strip() and text.strip().strip("^~ ") and len(self.source) < 200:
                    self.source.append(text.strip())  # (3.11's carets under it: no code)
            elif part == "traceback" and text[:1].strip():  # the exception's line, unindented
                raised = EXCEPTION_RE.match(text)
                if raised is not None:
                    self.kind = short_type(raised["type"])
                    said = [text]  # (its kind in it, as pytest's message has it)
                    if self.frames:
                        where = self.frames[-1].rsplit(": in ", 1)[0]
                        self.frames[-1] = f"{where}: {raised['type']}"
                else:
                    said = [text]
                part = "message"
            elif part == "message":
                said.append(text)
        self.message = _joined(said)
        # the chained tracebacks' frames first, as pytest prints them: where the first
        # exception was raised (asyncio's stream read under a wait_for) is on the stack too
        self.frames = chained + self.frames

    def module_location(self) -> str:
        """`file:line` of the last module-level frame (an import that raised), or ''."""
        mine = [p for p in self.places if p[2] == "<module>"]
        return f"{mine[-1][0]}:{mine[-1][1]}" if mine else ""

    def location(self, test: str) -> str:
        """`file:line` of the test's own frame (the one in its method), else the first."""
        mine = [p for p in self.places if p[2] == test] or self.places[:1]
        return f"{mine[0][0]}:{mine[0][1]}" if mine else ""


# doctest's report of an example: `File "/src/m.py", line 12, in m.f`, unindented, then
# `Failed example:` and the example, then `Expected:` and `Got:`, or `Exception raised:` and its
# traceback, each indented 4 spaces
_EXAMPLE_AT_RE = re.compile(r'^File "(?P<file>[^"]+)", line (?P<line>\d+), in \S+$')


def _doctest_example(body: list[str]) -> tuple[str, str] | None:
    """The location and message of a doctest block's first failed example (`m.py:12`, `>>>
    f(5): Expected: 5000 Got: 500`, or `>>> f({}): KeyError: 'x'`); None when none is there."""
    at = next((i for i, t in enumerate(body) if _EXAMPLE_AT_RE.match(t)), None)
    if at is None or body[at + 1 : at + 2] != ["Failed example:"]:
        return None
    where = _EXAMPLE_AT_RE.match(body[at])
    assert where is not None
    example, said, raised = "", [], ""
    for text in body[at + 2 :]:
        if _rule(text, "-") or _EXAMPLE_AT_RE.match(text):
            break  # the next example's report
        if not example:
            example = text.strip()
        elif text in ("Expected:", "Got:", "Got nothing", "Expected nothing"):
            said.append(text)
        elif text == "Exception raised:":
            said = []
        elif text.startswith("    ") and text[4:5].strip() and EXCEPTION_RE.match(text[4:]):
            raised = text.strip()  # (the traceback's last line: the exception)
        elif text.strip() and len(said) < 8:
            said.append(text.strip())
    message = f">>> {example}: {raised or ' '.join(said)}"
    return f"{where['file']}:{where['line']}", clip(message, MAX_FIELD)


def _joined(said: list[str]) -> str:
    return "\n".join(said).strip("\n")


def verbose_result(before: list[str], line: str) -> str:
    """`-v`'s result of a failed test, `line` (`test_x (m.C.test_x) ... FAIL`; or its outcome at
    the end of its docstring's line, or alone after what the test printed, its start among the
    lines `before`, oldest first), as `RESULT_RE` reads it; '' when `line` is none."""
    text = line.rstrip()
    if RESULT_RE.match(text):
        return text
    outcome = next((o for o in OUTCOMES if text == o or text.endswith(f" ... {o}")), "")
    for earlier in reversed(before[-3:] if outcome else []):
        start = _START_RE.match(earlier.rstrip())
        if start is not None and (start["rest"] is None or start["rest"] not in _PASSED):
            return f"{start['test']} ... {outcome}"
    return ""


def stopped_in(out: ParsedLog, file: str, last: tuple[int, str] | None) -> None:
    """The input's last line, if a `-v` line whose test has no outcome (nothing after ` ... `,
    what it printed, a shell's word that it was killed): the test the run was in when it
    stopped, recorded as its result."""
    start = _START_RE.match(last[1].rstrip()) if last is not None else None
    if last is None or start is None or not _no_outcome(start):
        return
    result = f"{start['test']} ... stopped"
    out.unittest_results.setdefault(file, []).append((last[0], result, last[1].rstrip()))


def ends_in_a_test(text: str) -> bool:
    """Whether `text`'s last line is a `-v` line whose test has no outcome (`stopped_in`)."""
    lines = text.rstrip().rsplit("\n", 1)
    start = _START_RE.match(lines[-1].rstrip())
    return start is not None and _no_outcome(start)


def _no_outcome(start: re.Match[str]) -> bool:
    """Whether a `-v` line's start, its ` ... ` printed, has no outcome after it."""
    return start["dots"] is not None and (start["rest"] or "").strip() not in (*_PASSED, *OUTCOMES)


def _named(test: str, where: str, sub: str | None) -> tuple[str, str]:
    """The failure's name and group, of a header's or a `-v` line's test, `module.Class`."""
    group = where.removesuffix(f".{test}") if test not in _FIXTURES else where
    return test + (sub or ""), group


def stopped(out: ParsedLog, file: str, failures_before: int) -> None:
    """A run stopped before its blocks (killed, a CI job's time limit) printed its `-v` result
    lines, and no verdict after them: each test they say failed whose block was not read is a
    failure known by its name and outcome alone, with a note (nothing else of it was printed)."""
    ends = [
        s.line
        for s in out.summaries
        if s.file == file and (s.source == RUNNER or s.text.startswith("Ran "))
    ]  # (its verdict, its `Ran N tests` line)
    last = max(ends, default=0)
    results = [r for r in out.unittest_results.get(file, []) if r[0] > last]
    if not results:
        return
    blocks = {
        (f.name, f.group)
        for f in out.failures[failures_before:]
        if f.input_file == file and f.source == SOURCE and f.line_start > results[0][0]
    }
    lost: list[int] = []
    stopped_in_test = ""
    for number, text, printed in results:
        found = RESULT_RE.match(text)
        if found is None:
            continue
        name, group = _named(found["test"], found["where"], found["sub"])
        if (name, group) in blocks:
            continue
        said = f"the run printed no failure block of it: its -v line says {found['outcome']}"
        if found["outcome"] == "stopped":  # (no outcome: the test it stopped in)
            said = "the run stopped while this test ran: its -v line has no outcome, no verdict"
            stopped_in_test = f"; it stopped in {name} ({group}), read as a failure too"
        details = {"runner": RUNNER, "outcome": found["outcome"].lower(), "text": printed}
        failure = line_failure(
            SOURCE, file, (number, printed), name=name, group=group, location="",
            message=said, details=details,
        )  # fmt: skip
        if keep_failure(out, failure):
            out.blocks[(file, number)] = [(number, printed)]
        lost.append(number)
    failed = len(lost) - bool(stopped_in_test)
    if lost and not failed:  # (nothing failed before the test it stopped in)
        out.skipped.append(
            f"{file}:{lost[0]}: a unittest run printed no verdict: it stopped before its end "
            f"(killed, a time limit){stopped_in_test.removesuffix(' too')}"
        )
    elif lost:
        out.skipped.append(
            f"{file}:{lost[0]}: a unittest run's -v lines say {failed} test(s) failed whose "
            "failure blocks it did not print, nor its verdict: it stopped before its end "
            f"(killed, a time limit); each is read by its name alone{stopped_in_test}"
        )
