"""What a JUnit failure's text says when its attributes do not: console output of a runner
(an ExUnit failure block, a pytest traceback) read by that runner's parser, the message before a
stack trace (Jest, Go), the reason after eunit's stack."""

from __future__ import annotations

import functools
import io
import re

from poolctl.logs.junit_output import PYTHON_TRACEBACK
from poolctl.logs.lines import Chunk
from poolctl.logs.pytest_block import GROUP_START_RE
from poolctl.logs.records import ParsedLog
from poolctl.logs.scan import FULL_INDEX, MAX_FIELD, TextParser, clip
from poolctl.model import Failure

_EXUNIT_BODY_RE = re.compile(
    r"^\s*\d+\) (?:test|doctest|property|scenario|feature|\S+: failure on)", re.M
)
# pytest's doctest body: the example's numbered source line, then what doctest said of it
_DOCTEST_BODY_RE = re.compile(r"^\d{3,} +>>> .*\n(?:Expected:|UNEXPECTED EXCEPTION:)", re.M)
# where a body's stack trace starts (Java and JavaScript `at …`, Python frames)
_STACK_START_RE = re.compile(r"^\s+at \S|^\s*File \"|^Traceback \(most recent")
# eunit's surefire body: the stack first (`::in function …`, `in call from …`), the reason last
EUNIT_REASON_RE = re.compile(r"^\*\*(?:error|exit|throw):", re.M)
_EUNIT_FRAME_RE = re.compile(r"^(?:::)?(?:in function|in call from) ")
MAX_MESSAGE_LINES = 20
# testtools' JUnit (subunit2junitxml, under stestr): a failure's text is its traceback behind the
# name of testtools' wrapper of it, `…_StringException: Traceback (most recent call last):`, or
# inside a detail, `…_StringException: traceback (n=2): {{{` … `}}}` (a failed subtest)
_WRAPPED_TRACEBACK_RE = re.compile(
    r"^[\w.]+: (?:traceback(?: \([^)\n]*\))?: \{\{\{\n)?Traceback \(most recent call last\):$",
    re.M,
)
TESTTOOLS_WRAPPER = "._StringException"  # its `type`: the exception is the traceback's


def eunit_reason(body: str) -> tuple[str, tuple[str, ...]]:
    """eunit's reason (`{badmatch,worker_1}`, after `**error:`) and its stack's frames."""
    reason = EUNIT_REASON_RE.search(body)
    assert reason is not None
    frames = body[: reason.start()].strip().split("\n")
    stack = tuple(f.strip().lstrip(":") for f in frames if _EUNIT_FRAME_RE.match(f.strip()))
    return clip(body[reason.end() :].strip(), MAX_FIELD), stack


def message_from_body(body: str) -> str:
    """The lines of a failure body before its stack trace (Jest's and Go's bodies); of a
    Python traceback (nose2's, testtools' behind its wrapper's name), its exception line and the
    lines after it."""
    lines: list[str] = []
    text = body.lstrip()
    if text.startswith(PYTHON_TRACEBACK) or _WRAPPED_TRACEBACK_RE.match(text):
        after = body[body.rindex(PYTHON_TRACEBACK) :].split("\n")[1:]
        raised = next((i for i, line in enumerate(after) if line[:1].strip()), len(after))
        said = after[raised : raised + MAX_MESSAGE_LINES]
        if "}}}" in said:  # the end of testtools' detail
            said = said[: said.index("}}}")]
        return clip("\n".join(said).strip(), MAX_FIELD)
    for line in body.strip("\n").split("\n"):
        if _STACK_START_RE.match(line) or len(lines) >= MAX_MESSAGE_LINES:
            break
        lines.append(line.strip())
    return clip("\n".join(lines).strip("\n"), MAX_FIELD)


class Fields:
    def __init__(self, failure: Failure) -> None:
        self.kind = failure.kind
        self.message = failure.message
        self.details = failure.details
        self.stacktrace = failure.stacktrace
        self.location = failure.location


@functools.cache
def _body_parsers() -> tuple[type[TextParser], type[TextParser]]:
    """ExUnit's and pytest's console parsers for a failure body. A body's identifiers are
    indexed once, from the report's own text (`junit._Target._index`), not a second time into
    the scratch output each body is parsed into and dropped (a sixth of a pytest body's parse,
    on a report of 66,000 failures)."""
    from poolctl.logs.exunit import ExUnitParser
    from poolctl.logs.pytest_log import PytestParser

    class ExUnitBody(ExUnitParser):
        def _index(self, chunk: Chunk, indexed: int) -> int:
            return FULL_INDEX

    class PytestBody(PytestParser):
        def _index(self, chunk: Chunk, indexed: int) -> int:
            return FULL_INDEX

    return ExUnitBody, PytestBody


def console_fields(body: str, name: str) -> Fields | None:
    """The fields of a failure body that is console output (ExUnit block, pytest traceback)."""
    if not body.strip():
        return None
    ExUnitParser, PytestParser = _body_parsers()
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
    return Fields(scratch.failures[0])
