"""Inputs read whole by a reader of their own, not by a text parser's scan: other runners'
reports (JSON, XML), each told by how it begins, and a log of TeamCity's service messages alone
(`poolctl.logs.teamcity`). Each reader's module is imported only once its input is seen."""

from __future__ import annotations

import importlib
import re
from dataclasses import replace
from types import ModuleType

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.archive import open_input
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.records import STDIN_NAME, ParsedLog
from poolctl.logs.unpack import readable_input

# Boost.Test's XML log: its report on stderr, piped with it, can make it sniff as Boost's
# console, so it is looked for before a format is chosen
_BOOST_XML = re.compile(r"^(?:<\?xml[^>]*\?>\s*)?<TestLog>", re.M)
_AGAIN = 1 << 20  # bytes of a log read again for its TeamCity messages (the most sniffed)

# the reports read once no format was found: Jest's and Vitest's JSON, GoogleTest's JSON (their
# first keys, in order), Catch2's XML, C++ doctest's XML, Mocha's JSON (its first keys),
# pytest-json-report's, Cucumber's, RSpec's and Playwright's JSON, Cucumber's messages, Vitest's
# github-actions reporter's commands, Mocha's doc reporter's HTML, RSpec's failure list; each at
# the input's start or, after other lines (a tool's before the step, what the runner printed on
# stderr), at the start of a line
_REPORTS = tuple(
    (re.compile(pattern, re.M), module)
    for pattern, module in (
        (r'^\{"num(?:Failed|Total)TestSuites":', "jest_json"),
        (r'^\{\s*"tests": \d+,\s*"failures": \d+,', "gtest_json"),
        (r'^(?:<\?xml[^>]*\?>\s*)?<Catch name="', "catch2_xml"),
        (r"^(?:<\?xml[^>]*\?>\s*)?<doctest[ >]", "doctest_cpp_xml"),
        (r'^\{\s*"stats": \{\s*"suites": \d+,', "mocha_json"),
        (r'^\{"created": [\d.]+, "duration": [\d.]+, "exitcode": ', "pytest_json_report"),
        (r'^\[\s*\{\s*"(?:description|elements|id|keyword|line|name|tags|uri)"', "cucumber_json"),
        (r'^\{"version":"\d[^"]*","(?:messages|examples)":', "rspec_json"),
        (r'^\{\s*"config": \{\s*"(?:argv|configFile|forbidOnly)"', "playwright_json"),
        (r'^\{"meta":\{"protocolVersion":"', "cucumber_messages"),
        (r"^::error file=[^,\n]*,title=[^,\n]*,line=\d+,column=\d+::", "vitest_github"),
        # (a suite's section and its title, or a test's title and file at the top level)
        (
            r'^ *(?:<section class="suite">\r?\n *<h1>'
            r'|<dt(?: class="error")?>[^<\n]*</dt>\r?\n *<dt)',
            "mocha_doc",
        ),
        (r"^\./[^\s:]+\.rb:\d+:(?!in [`'])\S", "rspec_failures"),  # (no backtrace's line)
    )
)


def read_boost_xml(name: str, out: ParsedLog, head: bytes) -> bool:
    """A whole input that is Boost.Test's XML log, at its start or a line's: read."""
    text = _cleaned(head)
    found = _BOOST_XML.search(text)
    if found is None:
        return False
    return _read_from(text, found.start(), "boost_test_xml", name, out)


def read(name: str, out: ParsedLog, head: bytes) -> bool:
    """A whole input of no format found that is one of `_REPORTS` (its CI prefixes, colours and
    byte order mark left out), or TeamCity's messages alone: read. A report after other lines is
    read from its first line, what it holds placed at its lines in the input."""
    text = _cleaned(head)
    start = text.lstrip()
    for pattern, module in _REPORTS:
        if pattern.match(start):
            return bool(_reader(module).read(text, name, out))
    for pattern, module in _REPORTS:
        if found := pattern.search(text):
            return _read_from(text, found.start(), module, name, out)
    if b"##teamcity[test" in head:  # (its messages are CI prefixes to `strip_prefixes`)
        return bool(_reader("teamcity").read(head.decode("utf-8", "replace"), name, out))
    return False


def refusal(name: str, head: bytes) -> str | None:
    """The line refusing a whole input of no format found that is a reporter's output holding
    nothing of a failure (Mocha's markdown reporter's), if it is one."""
    if b"# TOC" not in head[:64]:
        return None
    refused: str | None = _reader("mocha_doc").refusal(name, _cleaned(head))
    return refused


def teamcity_beside(name: str, out: ParsedLog, head: bytes, summaries_before: int) -> None:
    """A log read for its runner's verdicts and no failure: its TeamCity test messages' failures
    read as those it counts (`phpunit --teamcity`); a file is read again, as far as a head is
    sniffed at most (standard input: its head)."""
    if name != STDIN_NAME:
        with open_input(name) as again:
            head = readable_input(again, name)[0].read(_AGAIN)
    _reader("teamcity").read_beside(head.decode("utf-8", "replace"), name, out, summaries_before)


def _cleaned(head: bytes) -> str:
    """A whole input's text, its CI prefixes, colours and byte order mark left out."""
    return strip_prefixes(strip_ansi(head.decode("utf-8", "replace"))).lstrip("\ufeff")


def _read_from(text: str, start: int, module: str, name: str, out: ParsedLog) -> bool:
    """The report at `start` of `text` (a line's start) read by `module`'s reader as a whole
    input, then its failures and runs moved down by the lines before it (the readers place a
    one-line report's failures at its line 1, where it begins); those lines are counted read."""
    before = text.count("\n", 0, start)
    failures, summaries = len(out.failures), len(out.summaries)
    if not _reader(module).read(text[start:], name, out):
        return False
    out.lines_read += before
    out.failures[failures:] = [
        replace(f, line_start=f.line_start + before, line_end=f.line_end + before)
        for f in out.failures[failures:]
    ]
    out.summaries[summaries:] = [
        replace(
            s,
            line=s.line + before,
            start=s.start + before,
            output_end=None if s.output_end is None else s.output_end + before,
        )
        for s in out.summaries[summaries:]
    ]
    return True


def _reader(module: str) -> ModuleType:
    return importlib.import_module(f"poolctl.logs.{module}")
