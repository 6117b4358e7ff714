"""The tests a log says ran and passed: a light second pass, for the run history only.

The triage scan reads failures and nothing else; this pass, run only when history is recorded,
reads each input once more for the names of the tests that passed:

- JUnit XML: every `<testcase>` with no `<failure>`, `<error>` or `<skipped>` (streamed, as the
  JUnit parser reads it: no tree is built);
- pytest: `PASSED path::test` lines of `-rA`'s short summary, and `path::test PASSED [ 50%]`
  lines of `-v` (and pytest-xdist's `[gw0] [ 50%] PASSED path::test`);
- ExUnit with `--trace`: a `* test name (1.2ms) [L#12]` line for each test that ran, under its
  module's `Module [test/file.exs]` line. ExUnit marks no outcome on it: the caller drops the
  tests that failed.

Only the lines that can hold a pass are decoded (one regex over each 1 MiB chunk finds them).
RE2 first tells whether a chunk holds any such line at all, in linear time: Python's `re` runs
the line-anchored candidate regexes at about 7 MB/s on a log without one (it tries each line
from every position), and most chunks of a log hold none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import re2
from defusedxml.ElementTree import DefusedXMLParser

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.prefixes import strip_prefixes

CHUNK = 1 << 20
MAX_PASSES = 200_000  # per input: a pathological log cannot fill the memory

_PYTEST_CANDIDATE = re.compile(rb"^[^\n]*PASSED[^\n]*$", re.M)
# a node id: `path::Class::test`, and its parameters in brackets (which may hold spaces)
NODEID = r"(?P<nodeid>[^\s\[]+::[^\s\[]+(?:\[.*?\])?)"
_PYTEST_SUMMARY = re.compile(rf"^PASSED {NODEID}$")
_PYTEST_VERBOSE = re.compile(rf"^{NODEID} PASSED(?:\s|$)")
_PYTEST_XDIST = re.compile(rf"^\[gw\d+\] \[ *\d+%\] PASSED {NODEID}$")
_EXUNIT_CANDIDATE = re.compile(
    rb"^[^\n]*(?:\* (?:test|doctest|property|feature|scenario) |[A-Z][\w.]* \[)[^\n]*$", re.M
)
# `mix test --trace` heads each module's tests with `Module [test/file.exs]`
EXUNIT_MODULE_RE = re.compile(r"^(?P<module>[A-Z][\w.]*) \[(?P<file>[^\]\s]+)\]$")
_EXUNIT_RAN = re.compile(
    r"^\s*\* (?P<name>(?:test|doctest|property|feature|scenario) .*) "
    r"\((?P<time>[\d.]+\s*m?s)\) \[L#\d+\]$"
)


def _gate_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    return options


_GATE_OPTIONS = _gate_options()


@dataclass(frozen=True)
class PassedTest:
    """A test the log says passed (for ExUnit: ran), named as the failure parsers name it."""

    source: str  # junit | pytest | exunit
    name: str
    group: str
    file: str


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """Complete lines, about a chunk at a time."""
    tail = b""
    while True:
        data = stream.read(CHUNK)
        if not data:
            break
        data = tail + data
        cut = data.rfind(b"\n") + 1
        tail = data[cut:]
        if cut:
            yield data[:cut]
    if tail:
        yield tail


def _lines(stream: BinaryIO, candidate: re.Pattern[bytes]) -> Iterator[str]:
    # RE2's wrapper costs microseconds a match: it only gates the chunk, `re` finds the lines
    gate = re2.compile(b"(?m)" + candidate.pattern, _GATE_OPTIONS)
    for chunk in _chunks(stream):
        if gate.search(chunk) is None:
            continue
        for match in candidate.finditer(chunk):
            line = strip_prefixes(strip_ansi(match.group().decode("utf-8", "replace")))
            yield line.rstrip("\r\n").rsplit("\r", 1)[-1]  # a `--trace` line redrawn after \r


def nodeid_parts(nodeid: str) -> list[str]:
    """A pytest node id's `::` parts: file, classes, test. A parameter id keeps its own `::`
    (`test_a[x::y]` is one part)."""
    head, bracket, params = nodeid.partition("[")
    parts = head.split("::")
    parts[-1] += bracket + params
    return parts


def pytest_test(nodeid: str) -> PassedTest:
    """A node id as the pytest parser names its test: `Class.test` in group `file::Class`."""
    parts = nodeid_parts(nodeid)
    return PassedTest("pytest", ".".join(parts[1:]), "::".join(parts[:-1]), parts[0])


def _pytest(stream: BinaryIO) -> Iterator[PassedTest]:
    for line in _lines(stream, _PYTEST_CANDIDATE):
        line = line.strip()
        found = (
            _PYTEST_SUMMARY.match(line) or _PYTEST_VERBOSE.match(line) or _PYTEST_XDIST.match(line)
        )
        if found:
            yield pytest_test(found["nodeid"])


def _exunit(stream: BinaryIO) -> Iterator[PassedTest]:
    module, file = "", ""
    for line in _lines(stream, _EXUNIT_CANDIDATE):
        header = EXUNIT_MODULE_RE.match(line.strip())
        if header:
            module, file = header["module"], header["file"]
            continue
        ran = _EXUNIT_RAN.match(line)
        if ran and module:
            yield PassedTest("exunit", ran["name"], module, file)


class _JUnitCases:
    """An expat target keeping only each test case's name and whether it failed or skipped."""

    def __init__(self) -> None:
        self.suites: list[str] = []
        self.case: dict[str, str] | None = None
        self.spoiled = False
        self.passed: list[PassedTest] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = tag.rsplit("}", 1)[-1]
        if tag == "testsuite":
            self.suites.append(attrib.get("name", ""))
        elif tag == "testcase":
            self.case, self.spoiled = dict(attrib), False
        elif tag in ("failure", "error", "skipped") and self.case is not None:
            self.spoiled = True

    def end(self, tag: str) -> None:
        tag = tag.rsplit("}", 1)[-1]
        if tag == "testsuite" and self.suites:
            self.suites.pop()
        elif tag == "testcase" and self.case is not None:
            case, self.case = self.case, None
            if not self.spoiled and len(self.passed) < MAX_PASSES:
                group = case.get("classname", "") or (self.suites[-1] if self.suites else "")
                self.passed.append(
                    PassedTest("junit", case.get("name", ""), group, case.get("file", ""))
                )

    def data(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def _junit(stream: BinaryIO) -> Iterator[PassedTest]:
    target = _JUnitCases()
    parser: Any = DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            parser.feed(chunk)
        parser.close()
    except Exception:  # the triage reported what is wrong with the document; keep what was read
        pass
    yield from target.passed


_READERS = {"pytest": _pytest, "exunit": _exunit, "junit": _junit}


def iter_passes(stream: BinaryIO, fmt: str) -> Iterator[PassedTest]:
    """The passing tests in one input of format `fmt` (exunit, pytest or junit), as they are
    read: a log with 200,000 of them is recorded without holding them all."""
    reader = _READERS.get(fmt)
    if reader is None:
        return
    for count, test in enumerate(reader(stream), 1):
        yield test
        if count >= MAX_PASSES:
            break


def read_passes(stream: BinaryIO, fmt: str) -> list[PassedTest]:
    """The passing tests in one input of format `fmt` (exunit, pytest or junit)."""
    return list(iter_passes(stream, fmt))
