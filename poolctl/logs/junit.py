"""JUnit XML: ExUnit's junit formatter, pytest's `--junitxml` (xunit1 and xunit2), Maven
Surefire, Jest's jest-junit, go-junit-report, CTest (`junit_ctest`), GoogleTest and Karma (a
test's several `<failure>`s: `junit_several`).

The XML is parsed as a stream of start/end/data events from expat (through defusedxml, which
refuses DTDs and so entity-expansion attacks), fed in chunks: no tree is built, and only the
text of the test case being read is kept, capped. Each `<testcase>` with a `<failure>` or an
`<error>` becomes a `Failure`; its body, when it is the runner's console text (an ExUnit
failure block or a pytest traceback), is parsed by that runner's console parser for the kind,
the code, left/right and the rest; a body that is only a stack trace and a message (Jest, Go)
gives the message when the element has no `message` attribute worth reading.

Each suite that holds test cases says how many failed (`failures` and `errors` attributes):
that count becomes a `RunSummary` with the failures read in it. A document cut short (a runner
killed while writing it) is read up to the cut, the test case it ends in lost, its suites' counts
marked partial (`junit_suites`). Past bytes XML does not allow,
reading starts again at the next test case or suite (`junit_recover`), and the note says where.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from poolctl.errors import InputError
from poolctl.logs import junit_node
from poolctl.logs.junit_bats import split_hooks
from poolctl.logs.junit_bounded import FEED_SIZE, MAX_DEPTH, Bounded, too_deep
from poolctl.logs.junit_case import CANCELLED, Case, case_failure
from poolctl.logs.junit_ct import CANCELLED as CT_SETUP
from poolctl.logs.junit_ct import setup_failure, skipped_by_ct
from poolctl.logs.junit_ctest import CANCELLED as CTEST_NOT_RUN
from poolctl.logs.junit_ctest import not_run
from poolctl.logs.junit_go import fold_parents, uncounted
from poolctl.logs.junit_names import SameNames, in_group
from poolctl.logs.junit_output import (
    PYTHON_TRACEBACK,
    CapturedTraceback,
    find_traceback,
    link_suite_traceback,
    record,
)
from poolctl.logs.junit_recover import (
    MAX_RESUMES,
    error_message,
    next_document,
    not_xml,
    reopening,
    resync,
    xml_safe,
)
from poolctl.logs.junit_reruns import PytestTries
from poolctl.logs.junit_several import one_per_test, repeats
from poolctl.logs.junit_suites import Cut, Folded, Suite, close_at_cut, summaries
from poolctl.logs.lines import CHUNK_SIZE
from poolctl.logs.records import MAX_RUNS, ParsedLog, RunSummary, UnreadableInput
from poolctl.logs.reruns import SUREFIRE_TAGS, add_rerun
from poolctl.logs.scan import MAX_FIELD, MAX_TRACEBACKS, index_lines, keep_failure

_FAILED = ("failure", "error")
_KEPT_TEXT = ("failure", "error", "system-out", "system-err")
_INDEX_MARKS = ("<", "#", ":", "'", '"', "worker", "session", "pid")
_TAIL = 4_000  # characters kept of the end of a failure's text past MAX_FIELD


def _dubious(attrib: dict[str, str]) -> bool:
    """Whether a suite's own `<error>` is TAP::Formatter::JUnit's word of its script's exit
    status (`Dubious, test returned 2 (wstat 512, 0x200)`), which prove prints too."""
    return attrib.get("message", "").startswith("Dubious, test returned ")


def _local(tag: str) -> str:
    """A tag without its `{namespace}`."""
    return tag.rsplit("}", 1)[-1]


class _Target:
    """An expat target: turns start/end/data events into `Failure`s, keeping little."""

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self.expat: Any = None  # the expat parser, for line numbers
        self.bounded = Bounded(name)  # what it is given: no token held whole (`junit_bounded`)
        self.line_base = 0  # lines of the input before the document being read
        self.stack: list[str] = []
        self.suites: list[Suite] = []
        self.done: list[tuple[Suite, int, bool]] = []  # suite, end line, nested in another
        self.folded = Folded()  # the plain suites past the first many, counted as they close
        self.lost: list[RunSummary] = []  # failing test cases lost where expat stopped
        self.case: Case | None = None
        self.keep: str = ""  # the element whose text is being kept
        self.pytest = False
        self.cases = 0
        self.last_failed: tuple[str, str | None, str | None] | None = None  # suite, class, name
        # a suite's own <system-out>/<system-err> (Ant writes the output there, not per test):
        # its text, capped, and the line it starts on; read for worker tracebacks only, since
        # it belongs to no one test
        self.suite_output: list[str] | None = None
        self.suite_output_line = 0
        self.suite_output_size = 0
        self.muted = False  # while the start tags reopening the open suites are given again
        self.same_names = SameNames()  # test cases nothing tells apart, for the history
        self.tries = PytestTries()  # pytest-rerunfailures' failed tries, written as passes

    def _line(self) -> int:
        if self.expat is None:
            return 0
        line = self.line_base + int(self.expat.CurrentLineNumber)
        if self.bounded.shifts:  # newlines skipped before here
            line += self.bounded.lines_before(int(self.expat.CurrentByteIndex))
        return line

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.muted:
            return
        tag = _local(tag)
        self.stack.append(tag)
        if len(self.stack) > MAX_DEPTH:  # expat keeps each open element: memory grows with it
            raise too_deep(f"{self.name}:{self._line()}", self.cases, len(self.out.failures))
        if tag in ("testsuite", "testsuites"):
            suite = Suite(attrib, self._line(), len(self.out.failures))
            suite.within = tuple(self.suites)
            if self.suites:
                self.suites[-1].holds = True
            self.suites.append(suite)
            if attrib.get("name", "").startswith("pytest"):
                self.pytest = True
        elif tag == "testcase":
            outer = self.suites[-1].attrib if self.suites else {}
            named = dict(attrib)
            if named.get("classname") == junit_node.CLASSNAME and "name" in named:  # (its path)
                suites = [(s.attrib.get("name"), s.node) for s in self.suites]
                named["name"] = junit_node.path_of(
                    named["name"], named.get("classname", ""), suites
                )
            self.case = Case(named, self._line(), outer.get("name", ""), outer.get("file", ""))
            self.cases += 1
            if self.suites:
                self.suites[-1].cases += 1
        elif self.case is None and tag == "error" and self.suites and _dubious(attrib):
            self.suites[-1].dubious += 1
        elif self.case is None and tag in ("system-out", "system-err") and self.suites:
            self.suite_output = []
            self.suite_output_size = 0
            self.suite_output_line = self._line()
        elif self.case is not None:
            if tag in _FAILED:
                self.case.outcome_attrib = dict(attrib)
                self.case.text[tag] = []  # the text of this one only
                self.case.size[tag] = 0
                self.case.tail[tag] = ""
            elif tag == "skipped" and self._cancelled(attrib):
                kind = attrib["type"]
                said = f"{CANCELLED[kind]} (EUnit cancelled it; its report says skipped)"
                self.case.outcome_attrib = {"type": kind, "message": said, "cancelled": kind}
                self.case.text["skipped"] = []
                self.case.size["skipped"] = 0
                self.keep = "skipped"
            elif tag == "skipped" and (unrun := not_run(self.case.attrib, attrib)):
                # a test CTest could not run: failed, for ctest (`junit_ctest`)
                self.case.outcome_attrib = {
                    "type": "NotRun",
                    "message": unrun,
                    "cancelled": CTEST_NOT_RUN,
                }
                self.case.text["skipped"] = []
                self.case.size["skipped"] = 0
                self.keep = "skipped"
            elif tag == "skipped" and skipped_by_ct(attrib):  # why is in its text
                self.case.outcome_attrib = {"type": CT_SETUP}
                self.case.text["skipped"] = []
                self.case.size["skipped"] = 0
                self.keep = "skipped"
            elif tag == "skipped":
                self.case.skipped = True
            elif tag in SUREFIRE_TAGS:
                self.case.reruns += 1
                if not self.case.rerun_message:
                    kind = attrib.get("type", "").rsplit(".", 1)[-1]
                    said = attrib.get("message", "").strip().split("\n", 1)[0]
                    self.case.rerun_message = f"{kind}: {said}" if kind and said else kind or said
            if tag in _KEPT_TEXT and len(self.stack) >= 2 and self.stack[-2] == "testcase":
                self.keep = tag
                self.case.text_line.setdefault(tag, self._line())
                self.case.text.setdefault(tag, [])
                self.case.size.setdefault(tag, 0)

    def data(self, text: str) -> None:
        self._index(text)
        if self.suite_output is not None:
            if self.suite_output_size < MAX_FIELD:
                self.suite_output.append(text)
                self.suite_output_size += len(text)
            return
        case = self.case
        if case is None or not self.keep or self.stack[-1] != self.keep:
            return
        size = case.size[self.keep]
        if size < MAX_FIELD:
            case.text[self.keep].append(text[: MAX_FIELD - size])
        past = text[max(0, MAX_FIELD - size) :]
        if past:
            case.tail[self.keep] = (case.tail.get(self.keep, "") + past)[-_TAIL:]
        case.size[self.keep] = size + len(text)

    def _index(self, text: str) -> None:
        if not any(mark in text for mark in _INDEX_MARKS):
            return
        # expat hands text over buffered, when the tag after it starts: the current line is
        # the text's last, so its first is that many newlines before
        index_lines(self.out.identifiers, self.name, self._line() - text.count("\n"), text)

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if self.stack:
            self.stack.pop()
        if tag == self.keep:
            self.keep = ""
        if self.suite_output is not None and tag in ("system-out", "system-err"):
            found = self._traceback("".join(self.suite_output), self.suite_output_line)
            if found is not None and self.suites:
                link_suite_traceback(self.out, found, self.suites[-1].first_failure, tag)
            self.suite_output = None
        if tag == "skipped" and self.case and self.case.outcome_attrib.get("type") == CT_SETUP:
            self._ct_skipped(self.case)
        failed = tag in _FAILED or (tag == "skipped" and self.case and "skipped" in self.case.text)
        if failed and self.case is not None and self.stack[-1:] == ["testcase"]:
            body = "".join(self.case.text.get(tag, ()))
            outcome = tag if tag in _FAILED else "failure"  # a cancelled test: failed
            tail = self.case.tail.get(tag, "")
            self.case.failed.append((outcome, self.case.outcome_attrib, body, tail))
        if tag == "testcase" and self.case is not None:
            case, self.case = self.case, None
            same = (case.suite, case.attrib.get("classname"), case.attrib.get("name"))
            repeat = not case.skipped and repeats(case.failed, same, self.last_failed)
            empty = not case.failed and not case.skipped
            classname, name = case.attrib.get("classname", ""), case.attrib.get("name", "")
            said = [failed[1].get("message", "") for failed in case.failed]
            teardown = self.pytest and self.tries.teardown_of_previous(classname, name, said)
            retry = self.pytest and self.tries.see(classname, name, empty)
            if not (repeat or retry or teardown or case.attrib.get("file") or case.suite_file):
                self.same_names.see(
                    case.attrib.get("name", ""),
                    case.attrib.get("classname", "")
                    or in_group(case.suite, case.attrib.get("group")),
                    case.line,
                    bool(case.failed) and not case.skipped,
                )
            if case.failed and case.skipped:
                self._skipped_failure(case)
            elif case.failed and not repeat:
                ones = one_per_test(case.failed, pytest=self.pytest)
                folded = len(case.failed) - len(ones)
                ones = split_hooks(ones)  # bats' teardown_file, written into a test's text
                for outcome, attrib, body, tail in ones:
                    failure = case_failure(
                        case, outcome, attrib, (body, tail), self.name, self.pytest, self._line()
                    )
                    kept = keep_failure(self.out, failure)
                    for suite in self.suites:
                        suite.read += kept
                        suite.cancelled += kept if uncounted(attrib, failure) else 0
                for suite in self.suites:
                    suite.folded += folded
                self.last_failed = (
                    case.suite,
                    case.attrib.get("classname"),
                    case.attrib.get("name"),
                )
            if case.reruns:
                group = case.attrib.get("classname", "") or case.suite
                test = f"{group}::{case.attrib.get('name', '')}"
                add_rerun(self.out, test, case.reruns, case.rerun_message)
            for stream in ("system-out", "system-err"):
                self._traceback("".join(case.text.get(stream, [])), case.line)
        elif tag in ("testsuite", "testsuites") and self.suites:
            suite = self.suites.pop()
            fold_parents(suite, self.out.failures)  # go's parents failed through subtests
            if not self.folded.fold(suite, self._line(), self.suites):
                self.done.append((suite, self._line(), bool(self.suites)))

    def resume(self, line: int) -> tuple[bytes, str]:
        """Where expat refused the document (at `line`): the start tags that reopen the suites
        still open in a new parser, and the test case lost with what follows it (its name and
        line). One lost after its `<failure>` or `<error>` began is a failure not read, counted
        as one unless a suite it is in declares a count (which then says so)."""
        lost = ""
        if self.case is not None:
            lost = f"test case {self.case.attrib.get('name', '')!r} (line {self.case.line})"
            failing = bool(self.case.failed) or self.keep in _FAILED
            if failing and all(suite.declared() is None for suite in self.suites):
                lost = f"{lost}, which had failed: counted as one failure not read,"
                text = f"(JUnit XML not well-formed at line {line}: {lost[:-1]})"
                self.lost.append(RunSummary(self.name, line, text, None, 1, start=line, read=0))
        self.case, self.keep, self.suite_output = None, "", None
        del self.stack[reopening(self.stack) :]
        return b"".join(f"<{tag}>".encode() for tag in self.stack), lost

    def _ct_skipped(self, case: Case) -> None:
        """A test common_test skipped: failed when its `init_per_testcase` did (`junit_ct`)."""
        said = setup_failure("".join(case.text.get("skipped", ())))
        if said is None:
            del case.text["skipped"]
            case.outcome_attrib, case.skipped = {}, True
        else:
            case.outcome_attrib = {"type": CT_SETUP, "message": said, "cancelled": CT_SETUP}

    def _cancelled(self, attrib: dict[str, str]) -> bool:
        """A `<skipped>` that is EUnit's cancelled test (its suite is `module '…'`)."""
        suite = self.suites[-1].attrib.get("name", "") if self.suites else ""
        return attrib.get("type") in CANCELLED and suite.startswith("module '")

    def _skipped_failure(self, case: Case) -> None:
        """A test both skipped and failed: node's `todo` test that failed, as a todo may (its
        run passes). Noted, not a failure."""
        for suite in self.suites:
            suite.skipped_failures += len(case.failed)
        name = case.attrib.get("name", "")
        self.out.skipped.append(
            f"{self.name}:{case.line}: {name!r} failed but is marked skipped (a todo test): "
            "not counted as a failure"
        )

    def close(self) -> None:
        return None

    def cut_short(
        self, where: tuple[int, int], error: Exception, failing: int, at_end: bool
    ) -> Cut:
        """The input ends at `where` (expat's line and 0-based column; `at_end`), or a fault
        there has nothing readable after it before the end: the test case it ends in is lost, the
        suites still open are ended there as cut (`junit_suites`), and a note says where."""
        line = self.line_base + where[0]
        cut = Cut(f"{self.name}:{line}:{where[1] + 1}", line, self.cases - bool(self.case), failing)
        lost = ""
        if self.case is not None:
            lost = f", test case {self.case.attrib.get('name', '')!r} (line {self.case.line}) lost"
        self.case, self.keep, self.suite_output = None, "", None
        close_at_cut(self.suites, self.done, line)
        why = error_message(error)
        if not at_end:
            why = f"not well-formed: {why}, and no test case or suite follows before the end"
        self.out.skipped.append(
            f"{cut.origin}: JUnit XML cut short ({why}): read up to there, {cut.cases} test "
            f"case(s) whole, {failing} failing{lost}; its counts are partial"
        )
        return cut

    def _traceback(self, text: str, start: int) -> CapturedTraceback | None:
        """The first worker traceback in captured output read from line `start` (the line its
        element starts on) to here, kept among the log's."""
        if PYTHON_TRACEBACK not in text:
            return None
        found = find_traceback(text, start)
        if found is not None and len(self.out.tracebacks) < MAX_TRACEBACKS:
            record(self.out, self.name, found, start, self._line())
        return found


def parse_junit(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    """Parse JUnit XML from `stream` (after `head`) into `out`; return the lines read. Documents
    written one after another (`cat reports/*.xml`) are read one after another; past what XML
    does not allow, reading starts again at the next test case or suite (`junit_recover`).

    Raises `InputError` for a document with a DOCTYPE: none of it is used.
    """
    target = _Target(name, out)
    failures_before = len(out.failures)
    blanked = 0  # characters XML does not allow, read as spaces
    data = head
    previous = b""  # the chunk given before `data` (an error may lie in it)
    fed = 0  # bytes of the input given to a parser
    started = 0  # where the parser's input starts, in bytes of the input
    prefix = b""  # start tags reopening the suites open where reading started again
    resumes = 0
    cut: Cut | None = None
    while True:
        parser = DefusedXMLParser(target=target, forbid_dtd=True)
        target.expat = getattr(parser, "parser", None) or getattr(parser, "_parser", None)
        target.bounded.begin(len(prefix))
        try:
            if prefix:
                target.muted = True
                parser.feed(prefix)
                target.muted = False
            while data:
                data, n = xml_safe(data)
                blanked += n
                data = target.bounded.take(data)
                fed += len(data)
                if out.progress is not None:
                    out.progress(fed + target.bounded.removed)
                parser.feed(data)
                target.bounded.check(target.expat, target.line_base)
                previous, data = data, stream.read(FEED_SIZE)
            parser.close()
            break
        except UnreadableInput:  # nested too deep (`start`)
            raise
        except DefusedXmlException:
            raise InputError(
                "XML with a DOCTYPE refused (entity expansion is not allowed)", where=name
            ) from None
        except Exception as error:  # expat's ParseError and friends: cut short, or not XML
            target.muted = False
            where = getattr(error, "position", None)
            window = previous + data
            index = getattr(target.expat, "ErrorByteIndex", -1)
            target.line_base += target.bounded.stop(int(index))
            at = int(index) - len(prefix) + started - (fed - len(window))
            at_ok = where is not None and data != b"" and index >= 0 and 0 <= at < len(window)
            rest = next_document(error, window, at if at_ok else None)
            read_more = 0  # bytes read past `fed` looking for where to start again
            if rest is not None and where is not None:
                target.line_base += where[0] - 1  # the next document's lines count on
                prefix = b""
            else:
                resumed = None
                if at_ok and where is not None and resumes < MAX_RESUMES:
                    resumed = resync(window, at, lambda: stream.read(CHUNK_SIZE))
                if where is not None and not_xml(
                    head, bool(resumes or target.stack or target.done)
                ):
                    break  # text, no element in it: no JUnit XML, nor a cut of it
                if where is not None and (data == b"" or (resumed is not None and not resumed[0])):
                    # the input ends inside the document (or before anything readable after a
                    # fault): what was read whole before it is kept, its counts partial
                    read = len(out.failures) - failures_before
                    cut = target.cut_short(where, error, read, at_end=data == b"")
                    break
                if resumed is None or where is None:
                    read = len(out.failures) - failures_before
                    raise UnreadableInput(
                        f"JUnit XML not well-formed ({error}): {target.cases} test case(s), "
                        f"{read} failing, read before it; reading cannot go on past it, so the "
                        "failures it counts cannot be checked",
                        where=f"{name}:{target.line_base + where[0]}" if where else name,
                    ) from None
                rest, skipped, read_more = resumed
                resumes += 1
                line = target.line_base + where[0]
                target.line_base = line - 1 + skipped
                prefix, lost = target.resume(line)
                what = f"{lost} skipped" if lost else "what is between skipped"
                out.skipped.append(
                    f"{name}:{line}: not well-formed XML ({error_message(error)}): read on from "
                    f"line {line + skipped}, {what}"
                )
            started = fed = fed + read_more - len(rest)  # where `rest` starts in the input
            data, previous = rest, b""
    target.bounded.finish()
    out.skipped.extend(target.bounded.notes)
    if blanked:
        out.skipped.append(
            f"{name}: {blanked} control character(s) XML does not allow (a worker's ANSI colour "
            "codes, which node's JUnit reporter writes raw) read as spaces"
        )
    if target.cases == 0 and len(out.failures) == failures_before:
        out.skipped.append(f"{name}: no <testcase> elements found")
    target.tries.finish(out)
    same = target.same_names.note(name)
    if same:
        out.skipped.append(same)
    # past the runs listed (`MAX_RUNS`, of every input read), a suite's counts are only counted
    room = MAX_RUNS - out.counted_runs()
    found = summaries(
        name, target.done, cut, room=room, counted=out.runs_counted, folded=target.folded
    )
    out.summaries.extend([*found, *target.lost])
    line = target._line()
    # expat holds the target's `data`, the target expat: a cycle that kept every suite read
    target.expat = None  # (and the rest) alive until a garbage collection, past the report
    return line
