"""What pytest's progress lines say of a run: under `-v` each test's outcome and node id
(`t.py::test_a FAILED [ 25%]`, pytest-xdist's `[gw0] [ 25%] FAILED t.py::test_a`), else a
letter per test (`t.py ..F.E  [ 50%]`; pytest 9's subtests add `u` for one that failed).
With live logging (`log_cli`, `--log-cli-level`) a test's node id stands alone on its line
(`t.py::test_a `), its `---- live log call ----` sections follow, and then its outcome, alone
(`FAILED  [ 25%]`): that line names the test started last. Under `-s -v` a test's output
follows its node id, and its outcome follows its output: alone on a line, or, when the output
ended with no newline, glued to it (`t.py::test_a worker said: half a lineFAILED`).

They name, or count, the failures of a run whose later sections are missing: a run killed or cut
short before its FAILURES section and short summary (a CI job's time limit, a test that killed
the interpreter, pytest-timeout's thread method), or one run with `--no-summary`. A failure a
progress line names that no block or summary line of the run gives is a failure of its own, read
from that line; the letters of a run that printed no closing line are its count of failures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from poolctl.logs.passes import NODEID, PROGRESS_INFO, nodeid_parts, outcome_lines
from poolctl.logs.pytest_lines import NODE_DOWN_RE
from poolctl.logs.pytest_summary import Summaries, Summary, summary_failure
from poolctl.logs.records import Lines
from poolctl.model import Failure

_NAMED = tuple(
    (outcome, regex)
    for outcome in ("FAILED", "ERROR")
    for kind, regex in outcome_lines(outcome).items()
    if kind != "summary"
)
# `t.py ..F.E  [ 50%]` (or `[ 3/10]`, a duration, nothing: `console_output_style`'s others);
# pytest-xdist prints the marks alone (`..F.E  [ 50%]`)
_MARKS = re.compile(rf"^(?:\S+\.py )?(?P<marks>[.sxXFE,u]+)(?: +{PROGRESS_INFO})?$")
# live logging's start of a test, and its outcome on a line of its own after its live log
_STARTED = re.compile(rf"^{NODEID}$")
_ALONE = re.compile(rf"^(?P<outcome>FAILED|ERROR)(?: +{PROGRESS_INFO})?$")
_RERUN_ALONE = re.compile(rf"^RERUN(?: +{PROGRESS_INFO})?$")  # pytest-rerunfailures' try
# under `-s -v`, a test's node id with what it printed after it (`t.py::test_a worker 1 up`), its
# outcome alone on a later line; a line naming an outcome is none (the test's start is not known)
_PRINTED_AFTER = re.compile(rf"^{NODEID}(?: |$)")
# (or an outcome glued to what a test printed: `checkout donePASSED`)
_OUTCOME_WORD = re.compile(
    r"\b(?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS|RERUN)\b"
    rf"|(?:PASSED|FAILED|ERROR|XFAIL|XPASS)(?: +{PROGRESS_INFO})?$"
)
# ... a failure's outcome after what its test printed with no newline at its end (`t.py::test_a
# worker said: half a lineFAILED`, `waiting for a replyFAILED` on a later line of its output)
_GLUED = re.compile(rf"^(?P<text>.*?\S) ?(?P<outcome>FAILED|ERROR)(?: +{PROGRESS_INFO})?$")
# what pytest prints after a test's outcome alone: the next test's start, a live log's heading,
# a section or closing line (`-q`'s too), pytest-xdist's line; a test may print `FAILED` itself
_AFTER_AN_OUTCOME = re.compile(
    rf"^(?:{NODEID}(?: |$)|-+ live log |=+ |\[gw\d+\] |\d+ (?:failed|passed|errors?)\b)"
)
# pytest 9's failed subtest under `-v` (`t.py::test_a SUBFAILED[msg] (i=1)  [ 33%]`), and
# pytest-xdist's (`[gw0] [ 33%] SUBFAILED(i='1') t.py::test_a`)
_SUBFAILED = (
    re.compile(rf"^{NODEID} SUBFAILED(?P<sub>[\[(].*?)(?: +{PROGRESS_INFO})?$"),
    re.compile(rf"^\[gw\d+\](?: {PROGRESS_INFO})? SUBFAILED(?P<sub>[\[(].*?) {NODEID}$"),
)


_WORKER_RE = re.compile(r"^\[(?P<worker>gw\d+)\] ")  # pytest-xdist's `-v` line of a test


def test_start(line: str) -> str:
    """The node id of the test whose start `line` is, alone on its line (live logging: its
    outcome comes on a line of its own); else ''."""
    # (pytest writes the node id and a space, the outcome to follow on the line: a line ending
    # in its outcome may match too, its parameters' brackets taken to its `[ 20%]`)
    match = _STARTED.match(line.strip()) if line.rstrip("\r\n").endswith(" ") else None
    return match["nodeid"] if match else ""


class Progress:
    """One run's progress lines: the failures they name, and the failure letters they print."""

    def __init__(self) -> None:
        self.named: list[Summary] = []
        self.text: dict[int, str] = {}
        self.marks = 0  # F, E, u: a failed test, a setup or teardown error, a failed subtest
        # a file's letters seen (`t.py ..F  [ 50%]`): letters alone after them are its line
        # wrapped at the terminal's width, not pytest-xdist's, which never names a file
        self.of_a_file = False
        self.start: tuple[int, str, str] | None = None  # the last test's start: line, text, id
        self.started_at: dict[int, tuple[int, str]] = {}  # an outcome alone: its test's start
        self.doubtful: list[int] = []  # outcomes alone whose next line is not seen yet
        # ... of them, those glued to a test's output: the start they took, kept till then
        self.glued_from: dict[int, tuple[int, str, str]] = {}
        self.subfailed: list[tuple[int, str, str]] = []  # a failed subtest: line, id, params
        self.down: dict[str, str] = {}  # pytest-xdist's worker that crashed: its line, by worker
        self.crashed: dict[int, str] = {}  # ... and the line of the test it ran, that line

    def started(self, number: int, line: str) -> bool:
        """Take a test's start, its node id alone on `line` (live logging: its outcome comes on
        a line of its own); False when `line` is none."""
        nodeid = test_start(line)
        if nodeid:
            self.start = (number, line, nodeid)
        return bool(nodeid)

    def alone(self, number: int, line: str) -> bool:
        """Take a failure's outcome alone on `line`, as live logging prints it after the test's
        live log: a failure of the test started last. False when `line` is none, or no test's
        start came before it."""
        match = _ALONE.match(line.strip())
        if match is None or self.start is None:
            return False
        return self._outcome(number, line, match["outcome"])

    def glued(self, number: int, line: str, before: Callable[[], Lines]) -> bool:
        """Take a failure's outcome written right after what its test printed under `-s -v`
        (`t.py::test_a worker said: half a lineFAILED`): a failure of the test whose start is on
        `line`, or among the non-blank lines `before` it (given when asked, oldest first), or
        else the test started last. False when `line` is none, or `-v`'s own (`feed`'s)."""
        text = line.strip()
        match = _GLUED.match(text)
        if match is None or any(regex.match(text) for _, regex in _NAMED):
            return False
        started = _PRINTED_AFTER.match(match["text"])
        if started:
            self.start = (number, line, started["nodeid"])
        else:
            found, stopped = _start_among(before())
            if found is not None or stopped:
                self.start = found
        # the test's start stays taken until the next line shows this outcome was pytest's: a
        # live log's line (`WARNING pool:p.py:10 retry 1 of checkout FAILED`) or the test's own
        # text, its outcome comes alone after it (`check_doubtful`)
        taken = self.start
        if taken is None or not self._outcome(number, line, match["outcome"], ends=False):
            return False
        self.glued_from[number] = taken
        return True

    def _outcome(self, number: int, line: str, outcome: str, ends: bool = True) -> bool:
        """A failure's `outcome` on `line`, of the test started last; doubtful until the line
        after it shows it was pytest's (`check_doubtful`). `ends`: the test's start is let go
        (a later outcome alone is another test's)."""
        if self.start is None:
            return False
        start, text, nodeid = self.start
        if ends:
            self.start = None
        self.named.append((number, outcome, nodeid, ""))
        self.text[number] = line
        if start != number:
            self.started_at[number] = (start, text)
        self.doubtful.append(number)
        return True

    def check_doubtful(self, before: Lines, number: int, line: str) -> None:
        """Drop each outcome alone that a test printed: one whose next non-blank line (among
        `before`, the non-blank lines before line `number`, oldest first, or `line` itself) is
        none pytest prints after an outcome. One out of sight is kept, as one never followed."""
        seen = [*before, (number, line)]
        for doubtful in self.doubtful:
            after = [text for n, text in seen if n > doubtful]
            taken = self.glued_from.pop(doubtful, None)
            if any(n == doubtful for n, _ in seen) and not _AFTER_AN_OUTCOME.match(
                after[0].strip()
            ):
                self.named = [entry for entry in self.named if entry[0] != doubtful]
                self.started_at.pop(doubtful, None)
            elif taken is not None and self.start == taken:
                self.start = None  # pytest's outcome, glued: its test ended there
        self.doubtful = []

    def start_before(self, line: str, before: Lines) -> None:
        """Where `line` is an outcome alone and no test's start was taken: the test's start among
        the non-blank lines `before` it (oldest first), its node id and what it printed after it
        under `-s -v`; none when a line naming an outcome comes first, looking back."""
        if self.start is not None or not _ALONE.match(line.strip()):
            return
        self.start = _start_among(before)[0]

    def rerun_named(self, line: str) -> str:
        """pytest-rerunfailures' `RERUN` alone on `line`, after a try's live log, as `-v` names
        it (`t.py::test_a RERUN  [ 33%]`: each try begins with the test's start); else ''."""
        text = line.strip()
        if self.start is None or not _RERUN_ALONE.match(text):
            return ""
        return f"{self.start[2]} {text}"

    def feed(self, number: int, line: str) -> bool:
        """Take a progress line; False when `line` is none."""
        text = line.strip()
        for regex in _SUBFAILED if "SUBFAILED" in text else ():
            if match := regex.match(text):
                self.subfailed.append((number, match["nodeid"], match["sub"]))
                self.text[number] = line
                return True
        for outcome, regex in _NAMED:
            match = regex.match(text)
            if match:
                self.named.append((number, outcome, match["nodeid"], ""))
                self.text[number] = line
                worker = _WORKER_RE.match(text)
                if worker and worker["worker"] in self.down:
                    self.crashed[number] = self.down.pop(worker["worker"])
                return True
        match = _MARKS.match(text)
        if match:
            marks = match["marks"]
            self.of_a_file = self.of_a_file or not text.startswith(marks)
            self.marks += marks.count("F") + marks.count("E") + marks.count("u")
            return True
        return False

    def node_down(self, line: str) -> None:
        """pytest-xdist's line of a worker that crashed (`[gw1] node down: Not properly
        terminated`): under `-v` the line of the test it ran follows, its outcome FAILED."""
        found = NODE_DOWN_RE.match(line.strip())
        if found is not None:
            self.down[found["worker"]] = line.strip()

    def unread(
        self, failures: Iterable[Failure], names: Iterable[str], source: str
    ) -> list[tuple[Failure, Lines]]:
        """The failures progress lines name that none of `failures` (nor a failure past the
        cap, by its name in `names`) is, read from those lines."""
        failures = list(failures)
        names = list(names)
        lines = Summaries(self.named)
        for failure in failures:
            nodeid = failure.details.get("nodeid")
            if not (nodeid and lines.take(nodeid)):
                lines.take(failure.name)
        for name in names:
            lines.take(name)
        made = []
        for number, outcome, nodeid, _ in lines.left():
            crash = self.crashed.get(number, "")
            failure = _named(source, number, outcome, nodeid, crash=crash)
            quoted = [(number, self.text[number])]
            if number in self.started_at:  # an outcome alone: its test's start names it
                start = self.started_at[number]
                failure = replace(failure, line_start=start[0])
                quoted.insert(0, start)
            made.append((failure, quoted))
        return made + self._subtests_unread([f.name for f in failures] + names, source)

    def _subtests_unread(self, read: list[str], source: str) -> list[tuple[Failure, Lines]]:
        """The failed subtests progress lines name past those of their test read (`read`: the
        names of the failures read). Counted by their test, not matched by their parameters:
        pytest-xdist prints them in another form (`(i="'1'")`) than its blocks (`(i='1')`)."""
        made = []
        by_test: dict[str, list[tuple[int, str]]] = {}
        for number, nodeid, sub in self.subfailed:
            by_test.setdefault(nodeid, []).append((number, sub))
        for nodeid, subtests in by_test.items():
            test = ".".join(nodeid_parts(nodeid)[1:]) or nodeid
            seen = sum(name.startswith(f"{test} ") for name in read)
            for number, sub in subtests[seen:]:
                failure = _named(source, number, "FAILED", f"{nodeid} {sub}", "SUBFAILED")
                made.append((failure, [(number, self.text[number])]))
        return made


def printing_when_ended(tail: Lines) -> tuple[int, str] | None:
    """Under `-s -v`, the start of the test a run ended in, among its last non-blank lines
    `tail` (oldest first): the last line that begins with a node id and what the test printed
    after it (`t.py::test_a waiting for the pool`), no outcome on it or after it."""
    found, _ = _start_among(tail, glued=True)
    return found[:2] if found is not None else None


def _start_among(before: Lines, glued: bool = False) -> tuple[tuple[int, str, str] | None, bool]:
    """The last test's start among the non-blank lines `before` (oldest first): its node id and
    what it printed after it under `-s -v`; and whether a line naming an outcome came first,
    looking back (the test started last ended there: no start). `glued`: an outcome glued to
    what a test printed is one (`checkout donePASSED`)."""
    for number, text in reversed(before):
        if _OUTCOME_WORD.search(text.strip()) or (glued and _GLUED.match(text.strip())):
            return None, True
        started = _PRINTED_AFTER.match(text.strip())
        if started:
            return (number, text, started["nodeid"]), False
    return None, False


def _named(
    source: str, number: int, outcome: str, nodeid: str, word: str = "", crash: str = ""
) -> Failure:
    """The failure line `number` names, its outcome `word` (`outcome`, or SUBFAILED); `crash`,
    pytest-xdist's line of the worker that crashed running it, just above."""
    failure = summary_failure(source, number, outcome, nodeid, "")
    said = f"{word or outcome} on its progress line; the log holds no traceback or summary for it"
    details = {**failure.details, "named_by": "progress line"}
    if crash:
        said = f"its worker crashed while it ran ({crash}); {said}"
        details["crash"] = crash
    return replace(failure, message=said, details=details)
