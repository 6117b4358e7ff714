"""JUnit XML: ExUnit's junit formatter, pytest's `--junitxml` (xunit1 and xunit2), Surefire.

The XML is parsed as a stream of start/end/data events from expat (through defusedxml, which
refuses DTDs and so entity-expansion attacks), fed in chunks: no tree is built, and only the
text of the test case being read is kept, capped. Each `<testcase>` with a `<failure>` or an
`<error>` becomes a `Failure`; its body, when it is the runner's console text (an ExUnit
failure block or a pytest traceback), is parsed by that runner's console parser for the kind,
the code, left/right and the rest.
"""

from __future__ import annotations

import io
import re
from typing import Any, BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from poolctl.errors import InputError
from poolctl.logs.lines import CHUNK_SIZE
from poolctl.logs.records import ParsedLog, WorkerTraceback
from poolctl.logs.scan import MAX_FIELD, MAX_TRACEBACKS, clip, index_lines, keep_failure
from poolctl.model import Failure

_FAILED = ("failure", "error")
_KEPT_TEXT = ("failure", "error", "system-out", "system-err")
_TYPED_RE = re.compile(r"^(?P<type>(?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::|$)")
_INDEX_MARKS = ("<", "#", ":", "'", '"', "worker", "session", "pid")
_EXUNIT_BODY_RE = re.compile(r"^\s*\d+\) (?:test|doctest|property|\S+: failure on)", re.M)


def _local(tag: str) -> str:
    """A tag without its `{namespace}`."""
    return tag.rsplit("}", 1)[-1]


class _Case:
    """What is kept of the `<testcase>` being read."""

    def __init__(self, attrib: dict[str, str], line: int, suite: str) -> None:
        self.attrib = attrib
        self.line = line
        self.suite = suite
        self.outcome = ""
        self.outcome_attrib: dict[str, str] = {}
        self.text: dict[str, list[str]] = {}
        self.size: dict[str, int] = {}
        self.skipped = False


class _Target:
    """An expat target: turns start/end/data events into `Failure`s, keeping little."""

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self.expat: Any = None  # the expat parser, for line numbers
        self.stack: list[str] = []
        self.suites: list[dict[str, str]] = []
        self.case: _Case | None = None
        self.keep: str = ""  # the element whose text is being kept
        self.pytest = False
        self.cases = 0

    def _line(self) -> int:
        return int(self.expat.CurrentLineNumber) if self.expat is not None else 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = _local(tag)
        self.stack.append(tag)
        if tag in ("testsuite", "testsuites"):
            self.suites.append(attrib)
            if attrib.get("name", "").startswith("pytest"):
                self.pytest = True
        elif tag == "testcase":
            suite = self.suites[-1].get("name", "") if self.suites else ""
            self.case = _Case(dict(attrib), self._line(), suite)
            self.cases += 1
        elif self.case is not None:
            if tag in _FAILED and not self.case.outcome:
                self.case.outcome = tag
                self.case.outcome_attrib = dict(attrib)
            elif tag == "skipped":
                self.case.skipped = True
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
        if tag == "testcase" and self.case is not None:
            case, self.case = self.case, None
            if case.outcome:
                keep_failure(self.out, self._failure(case))
            self._tracebacks(case)
        elif tag in ("testsuite", "testsuites") and self.suites:
            self.suites.pop()

    def close(self) -> None:
        return None

    # -- records ---------------------------------------------------------------------------
    def _failure(self, case: _Case) -> Failure:
        attrib = case.attrib
        outcome = case.outcome_attrib
        body = "".join(case.text.get(case.outcome, []))
        message = outcome.get("message", "").strip()
        kind = outcome.get("type", "").strip()
        details: dict[str, str] = {"outcome": case.outcome}
        fields = _console_fields(body, attrib.get("name", ""))
        if fields is not None:
            kind = fields.kind if not kind or kind in ("error", "failure") else kind
            message = fields.message or message
            details.update({k: v for k, v in fields.details.items() if k != "counter"})
        if not kind or kind in ("error", "failure"):
            typed = _TYPED_RE.match(message) or _TYPED_RE.match(body.strip())
            kind = typed.group("type").rsplit(".", 1)[-1] if typed else kind
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
            group=attrib.get("classname", "") or case.suite,
            location=location,
            kind=kind,
            message=clip(message or body.strip().split("\n", 1)[0], MAX_FIELD),
            details=details,
            stacktrace=fields.stacktrace if fields is not None else (),
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
    elif "\nE  " in body or body.startswith("E  ") or re.search(r"^\S+:\d+: ", body, re.M):
        wrapped = f"=== FAILURES ===\n___ {name or 'test'} ___\n{body}\n"
        PytestParser("<junit>", scratch).parse(io.BytesIO(wrapped.encode()), b"")
    if not scratch.failures:
        return None
    return _Fields(scratch.failures[0])


def parse_junit(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    """Parse JUnit XML from `stream` (after `head`) into `out`; return the lines read.

    Raises `InputError` for a document with a DOCTYPE: none of it is used.
    """
    target = _Target(name, out)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.expat = getattr(parser, "parser", None) or getattr(parser, "_parser", None)
    failures_before = len(out.failures)
    try:
        data = head
        while data:
            parser.feed(data)
            data = stream.read(CHUNK_SIZE)
        parser.close()
    except DefusedXmlException:
        raise InputError(
            "XML with a DOCTYPE refused (entity expansion is not allowed)", where=name
        ) from None
    except Exception as error:  # expat's ParseError and friends: note where, keep what was read
        where = getattr(error, "position", None)
        line = f":{where[0]}" if where else ""
        out.skipped.append(f"{name}{line}: XML not well-formed ({error}); read up to there")
    if target.cases == 0 and len(out.failures) == failures_before:
        out.skipped.append(f"{name}: no <testcase> elements found")
    return target._line()
