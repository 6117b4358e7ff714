"""JUnit XML: ExUnit's junit formatter, pytest's `--junitxml` (xunit1 and xunit2), Maven
Surefire, Jest's jest-junit, go-junit-report.

The XML is parsed as a stream of start/end/data events from expat (through defusedxml, which
refuses DTDs and so entity-expansion attacks), fed in chunks: no tree is built, and only the
text of the test case being read is kept, capped. Each `<testcase>` with a `<failure>` or an
`<error>` becomes a `Failure`; its body, when it is the runner's console text (an ExUnit
failure block or a pytest traceback), is parsed by that runner's console parser for the kind,
the code, left/right and the rest; a body that is only a stack trace and a message (Jest, Go)
gives the message when the element has no `message` attribute worth reading.

Each suite that holds test cases says how many failed (`failures` and `errors` attributes):
that count becomes a `RunSummary` with the failures read in it. A document that is cut short or
not well-formed is refused whole (`UnreadableInput`): its count cannot be checked.
"""

from __future__ import annotations

import io
import pyexpat
import re
from typing import Any, BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from poolctl.errors import InputError
from poolctl.logs.lines import CHUNK_SIZE
from poolctl.logs.pytest_block import GROUP_START_RE
from poolctl.logs.records import ParsedLog, RunSummary, UnreadableInput, WorkerTraceback
from poolctl.logs.reruns import SUREFIRE_TAGS, add_rerun
from poolctl.logs.scan import MAX_FIELD, MAX_TRACEBACKS, clip, index_lines, keep_failure
from poolctl.model import Failure

_FAILED = ("failure", "error")
_KEPT_TEXT = ("failure", "error", "system-out", "system-err")
# EUnit's surefire reporter writes a test it cancelled (its timeout ran out, its setup failed)
# as `<skipped type="timeout">` (or "abort"): the run failed on it (eunit:test returns error)
_CANCELLED = {"timeout": "the test timed out", "abort": "the test was cancelled"}
_TYPED_RE = re.compile(r"^(?P<type>(?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::|$)")
# pytest's message for an error outside the test's call: `failed on setup with "KeyError: …"`
_PYTEST_PHASE_RE = re.compile(r"^failed on (setup|teardown) with ")
_INDEX_MARKS = ("<", "#", ":", "'", '"', "worker", "session", "pid")
_EXUNIT_BODY_RE = re.compile(
    r"^\s*\d+\) (?:test|doctest|property|scenario|feature|\S+: failure on)", re.M
)
# a `message` attribute that says nothing (go-junit-report writes "Failed", nose2 "test failure")
_GENERIC_MESSAGES = frozenset(
    {"", "failed", "failure", "error", "test failed", "test failure", "test error"}
)
# pytest's doctest body: the example's numbered source line, then what doctest said of it
_DOCTEST_BODY_RE = re.compile(r"^\d{3,} +>>> .*\n(?:Expected:|UNEXPECTED EXCEPTION:)", re.M)
# common_test's cth_surefire says only `Test fail_case in pool_SUITE failed!`; the element's
# text is the reason, an Erlang term (its stack, a list of `{Module,Function,…}`, after it)
_CT_GENERIC_RE = re.compile(r"^Test \S+ in \S+ (?:failed|auto_skipped)!$")
_CT_STACK_RE = re.compile(r",\s*\n\s*\[\{")
_PYTHON_TRACEBACK = "Traceback (most recent call last):"
# where a body's stack trace starts (Java and JavaScript `at …`, Python frames)
_STACK_START_RE = re.compile(r"^\s+at \S|^\s*File \"|^Traceback \(most recent")
# eunit's surefire body: the stack first (`::in function …`, `in call from …`), the reason last
_EUNIT_REASON_RE = re.compile(r"^\*\*(?:error|exit|throw):", re.M)
_EUNIT_FRAME_RE = re.compile(r"^(?:::)?(?:in function|in call from) ")
MAX_MESSAGE_LINES = 20


class _Suite:
    """A `<testsuite>` being read: its declared counts and the failures read in it."""

    def __init__(self, attrib: dict[str, str], line: int) -> None:
        self.attrib = attrib
        self.line = line
        self.cases = 0
        self.read = 0
        self.skipped_failures = 0  # of skipped tests (node's failed `todo`): no failure
        self.cancelled = 0  # failures read that the suite does not count (EUnit's cancelled)

    def accounted(self) -> int:
        """The failures read that the suite counts, and those of skipped tests it counted
        (node counts a failed `todo` test among its `failures`, and its run passes)."""
        read = self.read - self.cancelled
        room = max(0, (self.declared() or 0) - read)
        return read + min(self.skipped_failures, room)

    def declared(self) -> int | None:
        """`failures` + `errors` as the suite declares them, or None when it declares neither."""
        values = [self.attrib.get(k, "").strip() for k in ("failures", "errors")]
        if not any(values):
            return None
        try:
            return sum(int(v) for v in values if v)
        except ValueError:
            return None


def _local(tag: str) -> str:
    """A tag without its `{namespace}`."""
    return tag.rsplit("}", 1)[-1]


class _Case:
    """What is kept of the `<testcase>` being read."""

    def __init__(self, attrib: dict[str, str], line: int, suite: str) -> None:
        self.attrib = attrib
        self.line = line
        self.suite = suite
        # each `<failure>` or `<error>` in it: its tag, attributes and text (pytest writes one
        # for each failed subtest, and one for the test, in the same `<testcase>`)
        self.failed: list[tuple[str, dict[str, str], str]] = []
        self.outcome_attrib: dict[str, str] = {}  # of the one being read
        self.text: dict[str, list[str]] = {}
        self.size: dict[str, int] = {}
        self.skipped = False
        self.reruns = 0  # Surefire's failed tries before the last one
        self.rerun_message = ""


class _Target:
    """An expat target: turns start/end/data events into `Failure`s, keeping little."""

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self.expat: Any = None  # the expat parser, for line numbers
        self.line_base = 0  # lines of the input before the document being read
        self.stack: list[str] = []
        self.suites: list[_Suite] = []
        self.done: list[tuple[_Suite, int, bool]] = []  # suite, end line, nested in another
        self.case: _Case | None = None
        self.keep: str = ""  # the element whose text is being kept
        self.pytest = False
        self.cases = 0
        self.last_failed: tuple[str, str | None, str | None] | None = None  # suite, class, name

    def _line(self) -> int:
        if self.expat is None:
            return 0
        return self.line_base + int(self.expat.CurrentLineNumber)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = _local(tag)
        self.stack.append(tag)
        if tag in ("testsuite", "testsuites"):
            self.suites.append(_Suite(dict(attrib), self._line()))
            if attrib.get("name", "").startswith("pytest"):
                self.pytest = True
        elif tag == "testcase":
            suite = self.suites[-1].attrib.get("name", "") if self.suites else ""
            self.case = _Case(dict(attrib), self._line(), suite)
            self.cases += 1
            if self.suites:
                self.suites[-1].cases += 1
        elif self.case is not None:
            if tag in _FAILED:
                self.case.outcome_attrib = dict(attrib)
                self.case.text[tag] = []  # the text of this one only
                self.case.size[tag] = 0
            elif tag == "skipped" and self._cancelled(attrib):
                kind = attrib["type"]
                said = f"{_CANCELLED[kind]} (EUnit cancelled it; its report says skipped)"
                self.case.outcome_attrib = {"type": kind, "message": said, "cancelled": kind}
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
                self.case.text.setdefault(tag, [])
                self.case.size.setdefault(tag, 0)

    def data(self, text: str) -> None:
        self._index(text)
        case = self.case
        if case is None or not self.keep or self.stack[-1] != self.keep:
            return
        size = case.size[self.keep]
        if size < MAX_FIELD:
            case.text[self.keep].append(text[: MAX_FIELD - size])
            case.size[self.keep] = size + len(text)

    def _index(self, text: str) -> None:
        if not any(mark in text for mark in _INDEX_MARKS):
            return
        index_lines(self.out.identifiers, self.name, self._line(), text)

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if self.stack:
            self.stack.pop()
        if tag == self.keep:
            self.keep = ""
        failed = tag in _FAILED or (tag == "skipped" and self.case and "skipped" in self.case.text)
        if failed and self.case is not None and self.stack[-1:] == ["testcase"]:
            body = "".join(self.case.text.get(tag, ()))
            outcome = tag if tag in _FAILED else "failure"  # a cancelled test: failed
            self.case.failed.append((outcome, self.case.outcome_attrib, body))
        if tag == "testcase" and self.case is not None:
            case, self.case = self.case, None
            if case.failed and case.skipped:
                self._skipped_failure(case)
            elif case.failed and not self._repeats_last_failure(case):
                for outcome, attrib, body in case.failed:
                    kept = keep_failure(self.out, self._failure(case, outcome, attrib, body))
                    for suite in self.suites:
                        suite.read += kept
                        suite.cancelled += kept if attrib.get("cancelled") else 0
                self.last_failed = (
                    case.suite,
                    case.attrib.get("classname"),
                    case.attrib.get("name"),
                )
            if case.reruns:
                group = case.attrib.get("classname", "") or case.suite
                test = f"{group}::{case.attrib.get('name', '')}"
                add_rerun(self.out, test, case.reruns, case.rerun_message)
            self._tracebacks(case)
        elif tag in ("testsuite", "testsuites") and self.suites:
            suite = self.suites.pop()
            self.done.append((suite, self._line(), bool(self.suites)))

    def _cancelled(self, attrib: dict[str, str]) -> bool:
        """A `<skipped>` that is EUnit's cancelled test (its suite is `module '…'`)."""
        suite = self.suites[-1].attrib.get("name", "") if self.suites else ""
        return attrib.get("type") in _CANCELLED and suite.startswith("module '")

    def _skipped_failure(self, case: _Case) -> None:
        """A test both skipped and failed: node's `todo` test that failed, as a todo may (its
        run passes). Noted, not a failure."""
        for suite in self.suites:
            suite.skipped_failures += len(case.failed)
        name = case.attrib.get("name", "")
        self.out.skipped.append(
            f"{self.name}:{case.line}: {name!r} failed but is marked skipped (a todo test): "
            "not counted as a failure"
        )

    def _repeats_last_failure(self, case: _Case) -> bool:
        """jest-junit writes a suite that failed to run twice: a `<testcase>` with its
        `<error>`, then one of the same name whose `<failure>` is the error as a JSON object."""
        body = case.failed[0][2].strip()
        same = (case.suite, case.attrib.get("classname"), case.attrib.get("name"))
        return same == self.last_failed and body.startswith("{") and body.endswith("}")

    def summaries(self) -> list[RunSummary]:
        """The declared counts: each suite holding test cases, or else the outermost one."""
        leaves = [(s, end) for s, end, _ in self.done if s.cases]
        if not leaves or any(s.declared() is None for s, _ in leaves):
            leaves = [(s, end) for s, end, nested in self.done if not nested]
        return [
            RunSummary(
                self.name,
                end,
                _suite_text(suite),
                _int(suite.attrib.get("tests")),
                suite.declared(),
                start=suite.line,
                read=suite.accounted(),
                source="suite attributes",
            )
            for suite, end in leaves
            if suite.declared() is not None
        ]

    def close(self) -> None:
        return None

    # -- records ---------------------------------------------------------------------------
    def _failure(self, case: _Case, tag: str, outcome: dict[str, str], body: str) -> Failure:
        """The failure `case`'s `<failure>` or `<error>` (`tag`, with `outcome` as its
        attributes and `body` as its text) says."""
        attrib = case.attrib
        message = outcome.get("message", "").strip()
        kind = outcome.get("type", "").strip()
        details: dict[str, str] = {"outcome": tag}
        stack: tuple[str, ...] = ()
        fields = _console_fields(body, attrib.get("name", ""))
        if fields is not None:
            kind = fields.kind if not kind or kind in ("error", "failure") else kind
            message = fields.message or message
            details.update({k: v for k, v in fields.details.items() if k != "counter"})
        elif outcome.get("cancelled"):  # EUnit's cancelled test: its body is the stack
            stack = tuple(t.strip() for t in body.strip().splitlines() if t.strip())
        elif message.lower() in _GENERIC_MESSAGES and _EUNIT_REASON_RE.search(body):
            message, stack = _eunit_reason(body)
        elif _CT_GENERIC_RE.match(message) and body.strip():
            message = _CT_STACK_RE.split(body.strip(), 1)[0]
        elif message.lower() in _GENERIC_MESSAGES:
            message = _message_from_body(body) or message
        phase = _PYTEST_PHASE_RE.match(outcome.get("message", "")) if tag == "error" else None
        if phase:  # pytest's `<error message="failed on setup with …">`: a fixture's error
            details["phase"] = phase.group(1)
        if not kind or kind in ("error", "failure"):
            typed = _TYPED_RE.match(message) or _TYPED_RE.match(body.strip())
            kind = typed.group("type").rsplit(".", 1)[-1] if typed else kind or tag
        if body.strip():
            details["text"] = clip(body.strip("\n"), MAX_FIELD)
        for stream in ("system-out", "system-err"):
            captured = "".join(case.text.get(stream, [])).strip()
            if captured:
                details[stream] = clip(captured, MAX_FIELD)
        for key in ("time", "file", "line"):
            if attrib.get(key):
                details[key] = attrib[key]
        location = attrib.get("file", "")
        line = attrib.get("line", "")
        if location and line.isdigit():
            # pytest writes the 0-based line of the test's `def`.
            location = f"{location}:{int(line) + 1 if self.pytest else int(line)}"
        elif fields is not None and fields.location:
            location = fields.location
        return Failure(
            source="junit",
            name=attrib.get("name", ""),
            group=attrib.get("classname", "") or _in_group(case.suite, attrib.get("group")),
            location=location,
            kind=kind,
            message=clip(message or body.strip().split("\n", 1)[0], MAX_FIELD),
            details=details,
            stacktrace=fields.stacktrace if fields is not None else stack,
            input_file=self.name,
            line_start=case.line,
            line_end=self._line(),
        )

    def _tracebacks(self, case: _Case) -> None:
        for stream in ("system-out", "system-err"):
            text = "".join(case.text.get(stream, []))
            at = text.find("Traceback (most recent call last):")
            if at < 0 or len(self.out.tracebacks) >= MAX_TRACEBACKS:
                continue
            lines = text[at:].split("\n")
            block = [lines[0]]
            exception = ""
            for line in lines[1:]:
                if line.startswith((" ", "\t")):
                    block.append(line)
                    continue
                if line.strip():
                    block.append(line)
                    exception = line.strip()
                break
            self.out.tracebacks.append(
                WorkerTraceback(
                    self.name, case.line, self._line(), "\n".join(block[:120]), clip(exception)
                )
            )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _suite_text(suite: _Suite) -> str:
    """`<testsuite name="…" tests="5" failures="1" errors="2">`, as the suite declared it."""
    attrs = " ".join(
        f'{k}="{suite.attrib[k]}"'
        for k in ("name", "tests", "failures", "errors")
        if k in suite.attrib
    )
    return f"<testsuite {attrs}>"


def _eunit_reason(body: str) -> tuple[str, tuple[str, ...]]:
    """eunit's reason (`{badmatch,worker_1}`, after `**error:`) and its stack's frames."""
    reason = _EUNIT_REASON_RE.search(body)
    assert reason is not None
    frames = body[: reason.start()].strip().split("\n")
    stack = tuple(f.strip().lstrip(":") for f in frames if _EUNIT_FRAME_RE.match(f.strip()))
    return clip(body[reason.end() :].strip(), MAX_FIELD), stack


def _in_group(suite: str, group: str | None) -> str:
    """common_test's suite and, for a test of a group, the group (`pool_SUITE.g1`): a test of
    the same name in the suite and in its group are two tests."""
    return f"{suite}.{group}" if group else suite


def _message_from_body(body: str) -> str:
    """The lines of a failure body before its stack trace (Jest's and Go's bodies); of a
    Python traceback (nose2's), its exception line and the lines after it."""
    lines: list[str] = []
    if body.lstrip().startswith(_PYTHON_TRACEBACK):
        after = body[body.rindex(_PYTHON_TRACEBACK) :].split("\n")[1:]
        raised = next((i for i, line in enumerate(after) if line[:1].strip()), len(after))
        return clip("\n".join(after[raised : raised + MAX_MESSAGE_LINES]).strip(), MAX_FIELD)
    for line in body.strip("\n").split("\n"):
        if _STACK_START_RE.match(line) or len(lines) >= MAX_MESSAGE_LINES:
            break
        lines.append(line.strip())
    return clip("\n".join(lines).strip("\n"), MAX_FIELD)


class _Fields:
    def __init__(self, failure: Failure) -> None:
        self.kind = failure.kind
        self.message = failure.message
        self.details = failure.details
        self.stacktrace = failure.stacktrace
        self.location = failure.location


def _console_fields(body: str, name: str) -> _Fields | None:
    """The fields of a failure body that is console output (ExUnit block, pytest traceback)."""
    if not body.strip():
        return None
    from poolctl.logs.exunit import ExUnitParser
    from poolctl.logs.pytest_log import PytestParser

    scratch = ParsedLog()
    if _EXUNIT_BODY_RE.match(body):
        ExUnitParser("<junit>", scratch).parse(io.BytesIO(body.encode()), b"")
    elif (
        "\nE  " in body
        or body.startswith("E  ")
        or re.search(r"^\S+:\d+: ", body, re.M)
        or GROUP_START_RE.match(body.lstrip("\n").split("\n", 1)[0])  # an exception group
    ):
        # a doctest's body (its numbered source lines, then what doctest said) is read as one
        doctest = "[doctest] " if _DOCTEST_BODY_RE.search(body) else ""
        wrapped = f"=== FAILURES ===\n___ {doctest}{name or 'test'} ___\n{body}\n"
        PytestParser("<junit>", scratch).parse(io.BytesIO(wrapped.encode()), b"")
    if not scratch.failures:
        return None
    return _Fields(scratch.failures[0])


def parse_junit(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    """Parse JUnit XML from `stream` (after `head`) into `out`; return the lines read. Documents
    written one after another (`cat reports/*.xml`) are read one after another.

    Raises `InputError` for a document with a DOCTYPE: none of it is used.
    """
    target = _Target(name, out)
    failures_before = len(out.failures)
    blanked = 0  # characters XML does not allow, read as spaces
    data = head
    fed = 0  # bytes of the input given to a parser
    started = 0  # where the document being read starts, in bytes of the input
    while True:
        parser = DefusedXMLParser(target=target, forbid_dtd=True)
        target.expat = getattr(parser, "parser", None) or getattr(parser, "_parser", None)
        try:
            while data:
                fed += len(data)
                if out.progress is not None:
                    out.progress(fed)
                data, n = xml_safe(data)
                blanked += n
                parser.feed(data)
                data = stream.read(CHUNK_SIZE)
            parser.close()
            break
        except DefusedXmlException:
            raise InputError(
                "XML with a DOCTYPE refused (entity expansion is not allowed)", where=name
            ) from None
        except Exception as error:  # expat's ParseError and friends: cut short, or not XML
            where = getattr(error, "position", None)
            rest = _next_document(error, target, data, fed - started)
            if rest is None or where is None:
                read = len(out.failures) - failures_before
                raise UnreadableInput(
                    f"JUnit XML cut short or not well-formed ({error}): {target.cases} test "
                    f"case(s), {read} failing, read before it; the failures it counts cannot "
                    "be checked",
                    where=f"{name}:{target.line_base + where[0]}" if where else name,
                ) from None
            target.line_base += where[0] - 1  # the next document's lines count on
            started = fed - len(rest)
            fed = started
            data = rest
    if blanked:
        out.skipped.append(
            f"{name}: {blanked} control character(s) XML does not allow (a worker's ANSI colour "
            "codes, which node's JUnit reporter writes raw) read as spaces"
        )
    if target.cases == 0 and len(out.failures) == failures_before:
        out.skipped.append(f"{name}: no <testcase> elements found")
    out.summaries.extend(target.summaries())
    return target._line()


_ANSI_BYTES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")
_XML_INVALID = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(data: bytes) -> tuple[bytes, int]:
    """`data` with the characters XML 1.0 forbids (the C0 controls but tab and newlines; a whole
    ANSI colour code at once) made spaces, byte for byte, so that expat's offsets stay right;
    and how many there were."""
    if _XML_INVALID.search(data) is None:
        return data, 0
    found = 0

    def blank(match: re.Match[bytes]) -> bytes:
        nonlocal found
        found += 1
        return b" " * len(match.group())

    return _XML_INVALID.sub(blank, _ANSI_BYTES.sub(blank, data)), found


# expat's error code (its `errors` module names each error by its message)
_JUNK_AFTER_DOCUMENT = pyexpat.errors.codes[pyexpat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]


def _next_document(error: Exception, target: _Target, chunk: bytes, fed: int) -> bytes | None:
    """After a document's end, where the next one starts (`<` in the last chunk given, `fed`
    bytes into this document); None when the error is anything else."""
    if getattr(error, "code", None) != _JUNK_AFTER_DOCUMENT:
        return None
    at = int(target.expat.ErrorByteIndex) - (fed - len(chunk))
    rest = chunk[at:] if 0 <= at < len(chunk) else b""
    return rest if rest.startswith(b"<") else None
