"""Inputs read whole by a reader of their own, not by a text parser's scan: other runners'
reports (JSON, XML), each told by how it begins, and a log of TeamCity's service messages alone
(`poolctl.logs.teamcity`). Each reader's module is imported only once its input is seen."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from poolctl.logs.archive import open_input
from poolctl.logs.records import STDIN_NAME, ParsedLog
from poolctl.logs.unpack import readable_input

# Boost.Test's XML log: its report on stderr, piped with it, can make it sniff as Boost's
# console, so it is looked for before a format is chosen
BOOST_XML = re.compile(rb"^(?:<\?xml[^>]*\?>\s*)?<TestLog>")
_AGAIN = 1 << 20  # bytes of a log read again for its TeamCity messages (the most sniffed)

# the reports read once no format was found: Jest's and Vitest's JSON, GoogleTest's JSON (their
# first keys, in order), Catch2's XML, C++ doctest's XML, Mocha's JSON (its first keys),
# pytest-json-report's, Cucumber's JSON
_REPORTS = (
    (re.compile(rb'^\{"num(?:Failed|Total)TestSuites":'), "jest_json"),
    (re.compile(rb'^\{\s*"tests": \d+,\s*"failures": \d+,'), "gtest_json"),
    (re.compile(rb'^(?:<\?xml[^>]*\?>\s*)?<Catch name="'), "catch2_xml"),
    (re.compile(rb"^(?:<\?xml[^>]*\?>\s*)?<doctest[ >]"), "doctest_cpp_xml"),
    (re.compile(rb'^\{\s*"stats": \{\s*"suites": \d+,'), "mocha_json"),
    (re.compile(rb'^\{"created": [\d.]+, "duration": [\d.]+, "exitcode": '), "pytest_json_report"),
    (
        re.compile(rb'^\[\s*\{\s*"(?:description|elements|id|keyword|line|name|tags|uri)"'),
        "cucumber_json",
    ),
)

# ... and those read from the line they begin on: RSpec's JSON, on one line, after what Ruby
# printed on stderr (a thread's exception report)
_AFTER_LINES = (
    (re.compile(rb'^\{"version":"\d[^"]*","(?:messages|examples)":', re.M), "rspec_json"),
)


def read_boost_xml(name: str, out: ParsedLog, head: bytes) -> bool:
    """A whole input that is Boost.Test's XML log: read."""
    return bool(_reader("boost_test_xml").read(head.decode("utf-8", "replace"), name, out))


def read(name: str, out: ParsedLog, head: bytes) -> bool:
    """A whole input of no format found that is one of `_REPORTS`, one of `_AFTER_LINES`, or
    TeamCity's messages alone: read."""
    start = head.lstrip()
    for pattern, module in _REPORTS:
        if pattern.match(start):
            return bool(_reader(module).read(head.decode("utf-8", "replace"), name, out))
    for pattern, module in _AFTER_LINES:
        if pattern.search(head):
            return bool(_reader(module).read(head.decode("utf-8", "replace"), name, out))
    if b"##teamcity[test" in head:
        return bool(_reader("teamcity").read(head.decode("utf-8", "replace"), name, out))
    return False


def teamcity_beside(name: str, out: ParsedLog, head: bytes, summaries_before: int) -> None:
    """A log read for its runner's verdicts and no failure: its TeamCity test messages' failures
    read as those it counts (`phpunit --teamcity`); a file is read again, as far as a head is
    sniffed at most (standard input: its head)."""
    if name != STDIN_NAME:
        with open_input(name) as again:
            head = readable_input(again, name)[0].read(_AGAIN)
    _reader("teamcity").read_beside(head.decode("utf-8", "replace"), name, out, summaries_before)


def _reader(module: str) -> ModuleType:
    return importlib.import_module(f"poolctl.logs.{module}")
