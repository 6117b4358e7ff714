"""A JUnit test case as it is read (`Case`), and the `Failure` its `<failure>` or `<error>` makes
(`case_failure`): the message and kind each producer writes where (pytest's `message`
attribute, go-junit-report's and nose2's saying nothing, common_test's, EUnit's cancelled
tests, CTest's output), the body read by its runner's console parser when it is console text,
the test's captured output and the place it names."""

from __future__ import annotations

import re

from poolctl.logs import go_package
from poolctl.logs.junit_bats import hook_name
from poolctl.logs.junit_body import (
    EUNIT_REASON_RE,
    TESTTOOLS_WRAPPER,
    console_fields,
    eunit_reason,
    message_from_body,
)
from poolctl.logs.junit_boost import boost_failure
from poolctl.logs.junit_ctest import own_output
from poolctl.logs.junit_go import go_failure
from poolctl.logs.junit_location import case_location
from poolctl.logs.junit_minitest import whole_message
from poolctl.logs.junit_names import in_group
from poolctl.logs.junit_output import crash_context_of
from poolctl.logs.junit_stack import caused_by
from poolctl.logs.scan import MAX_FIELD, clip
from poolctl.logs.tap_block import comments_said
from poolctl.model import Failure

# EUnit's surefire reporter writes a test it cancelled (its timeout ran out, its setup failed)
# as `<skipped type="timeout">` (or "abort"): the run failed on it (eunit:test returns error)
CANCELLED = {"timeout": "the test timed out", "abort": "the test was cancelled"}
_TYPED_RE = re.compile(r"^(?P<type>(?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::|$)")
# pytest's message for an error outside the test's call: `failed on setup with "KeyError: …"`
_PYTEST_PHASE_RE = re.compile(r"^failed on (setup|teardown) with ")
# a `message` attribute that says nothing (go-junit-report writes "Failed", nose2 "test failure",
# the C++ doctest framework "exception" for an exception the test did not catch)
_GENERIC_MESSAGES = frozenset(
    {"", "failed", "failure", "error", "test failed", "test failure", "test error", "exception"}
)
# common_test's cth_surefire says only `Test fail_case in pool_SUITE failed!`; the element's
# text is the reason, an Erlang term (its stack, a list of `{Module,Function,…}`, after it)
_CT_GENERIC_RE = re.compile(r"^Test \S+ in \S+ (?:failed|auto_skipped)!$")
_CT_STACK_RE = re.compile(r",\s*\n\s*\[\{")


class Case:
    """What is kept of the `<testcase>` being read."""

    def __init__(self, attrib: dict[str, str], line: int, suite: str, suite_file: str) -> None:
        self.attrib = attrib
        self.line = line
        self.suite = suite
        self.suite_file = suite_file  # the suite's `file` attribute (mocha-junit-reporter's)
        # each `<failure>` or `<error>` in it: its tag, attributes and text (pytest writes one
        # for each failed subtest, and one for the test, in the same `<testcase>`)
        self.failed: list[tuple[str, dict[str, str], str, str]] = []  # ..., its text's tail
        self.outcome_attrib: dict[str, str] = {}  # of the one being read
        self.text: dict[str, list[str]] = {}
        self.text_line: dict[str, int] = {}  # the line each kept text starts on
        self.size: dict[str, int] = {}
        # the last characters of a text past the cap: a stack trace after a huge message
        self.tail: dict[str, str] = {}
        self.skipped = False
        self.reruns = 0  # Surefire's failed tries before the last one
        self.rerun_message = ""


_TAP_FAILED = "TestFailed"  # TAP::Formatter::JUnit's type of a `not ok` test


def case_failure(
    case: Case,
    tag: str,
    outcome: dict[str, str],
    text: tuple[str, str],
    input_name: str,
    pytest: bool,
    line_end: int,
) -> Failure:
    """The failure `case`'s `<failure>` or `<error>` (`tag`, with `outcome` as its
    attributes, `text` its text and the end of a text past the cap) says: read in `input_name`
    (a pytest report when `pytest`), its case ending on `line_end`."""
    body, tail = text
    attrib = case.attrib
    message = outcome.get("message", "").strip()
    kind = outcome.get("type", "").strip()
    kind, message = whole_message(attrib.get("name", ""), tag, kind, message, body)
    details: dict[str, str] = {"outcome": tag}
    stack: tuple[str, ...] = ()
    told_by_output = False  # the test's output is the failure's text, not its context
    told = ""  # the place its text names
    named = ""  # the name go's reading gives it, where it is no test's (a package's failure)
    fields = console_fields(body, attrib.get("name", ""))
    if fields is not None:
        kind = fields.kind if not kind or kind in ("error", "failure") else kind
        # pytest's `message` attribute holds the whole exception; a `--tb=line` text only
        # its first line (the lines after it carry no `E` mark): keep the longer
        longer = message.startswith(fields.message) and len(message) > len(fields.message)
        message = message if longer else fields.message or message
        details.update({k: v for k, v in fields.details.items() if k != "counter"})
    elif boost := boost_failure(body):  # Boost.Test's fields: its attributes say nothing
        kind, message, told = boost.kind, boost.message, boost.location
    elif (
        kind == _TAP_FAILED
        and message.startswith("not ok ")
        and (comments := [t for t in body.splitlines() if t.startswith("#")])
    ):  # TAP::Formatter::JUnit's: the TAP line, then (under --merge) Test::More's diagnostics
        message, told = comments_said(comments)
    elif outcome.get("cancelled") in CANCELLED:  # EUnit's cancelled test: its body is the stack
        stack = tuple(t.strip() for t in body.strip().splitlines() if t.strip())
    elif message.lower() in _GENERIC_MESSAGES and EUNIT_REASON_RE.search(body):
        message, stack = eunit_reason(body)
    elif _CT_GENERIC_RE.match(message) and body.strip():
        message = _CT_STACK_RE.split(body.strip(), 1)[0]
    elif message.lower() in _GENERIC_MESSAGES and (
        go := go_failure(body, attrib.get("name", ""), input_name, case.line)
    ):  # gotestsum's, go-junit-report's: what the test logged, go's framing left out
        message, kind, stack, told = go.message, go.kind or kind, go.stacktrace, go.location
        named = go.name if go.kind == go_package.KIND else ""  # gotestsum's `TestMain` case
    elif message.lower() in _GENERIC_MESSAGES:
        if not body.strip():  # ctest's: the test's own output is all it says of it
            body = own_output(case.text)
            told_by_output = bool(body)
        message = message_from_body(body) or message
    phase = _PYTEST_PHASE_RE.match(outcome.get("message", "")) if tag == "error" else None
    if phase:  # pytest's `<error message="failed on setup with …">`: a fixture's error
        details["phase"] = phase.group(1)
    if not kind or kind in ("error", "failure") or kind.endswith(TESTTOOLS_WRAPPER):
        typed = _TYPED_RE.match(message) or _TYPED_RE.match(body.strip())
        kind = typed.group("type").rsplit(".", 1)[-1] if typed else kind or tag
    if body.strip():
        details["text"] = clip(body.strip("\n"), MAX_FIELD)
    causes = caused_by(f"{body}\n{tail}")
    if causes:
        details["caused_by"] = clip("\n".join(causes), MAX_FIELD)
    for stream in ("system-out", "system-err"):
        captured = "".join(case.text.get(stream, [])).strip()
        if captured and not told_by_output:
            details[stream] = clip(captured, MAX_FIELD)
    for key in ("time", "file", "line"):
        if attrib.get(key):
            details[key] = attrib[key]
    if not attrib.get("file") and case.suite_file:
        # mocha-junit-reporter names the file on the suite only: the same title in two
        # files is two tests (the file is part of a test's identity in the history)
        details["file"] = case.suite_file
    location = case_location(
        attrib,
        case.suite_file,
        fields.location if fields is not None else told,
        (body, tail),
        pytest=pytest,
        input_name=input_name,
    )
    return Failure(
        source="junit",
        name=hook_name(body) or named or attrib.get("name", "") or "(no name)",
        group=attrib.get("classname", "") or in_group(case.suite, attrib.get("group")),
        location=location,
        kind=kind,
        message=clip(message or body.strip().split("\n", 1)[0], MAX_FIELD),
        details=details,
        stacktrace=fields.stacktrace if fields is not None else stack,
        context=()
        if told_by_output
        else crash_context_of(
            {k: "".join(case.text.get(k, ())) for k in ("system-err", "system-out")},
            case.text_line,
        ),
        input_file=input_name,
        line_start=case.line,
        line_end=line_end,
    )
