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

Only the lines that can hold a pass are decoded: those holding a literal every such line holds
(`PASSED`; `[L#` in a test's line, `.exs]` in a module's), found in each 1 MiB chunk with
`bytes.find`, which skips a chunk without one at memory speed. A regex gating each chunk ran at
about 500 MB/s (RE2) and Python's `re` finding the lines at 7 MB/s; most chunks hold none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

from defusedxml.ElementTree import DefusedXMLParser

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.prefixes import strip_prefixes

CHUNK = 1 << 20
MAX_PASSES = 200_000  # per input: a pathological log cannot fill the memory

# a literal each line that can name a pass holds
_PYTEST_LITERALS = (b"PASSED",)
_EXUNIT_LITERALS = (b"[L#", b".exs]")  # a test that ran; the module heading its tests
# a node id: `path::Class::test`, and its parameters in brackets (which may hold spaces)
NODEID = r"(?P<nodeid>[^\s\[]+::[^\s\[]+(?:\[.*?\])?)"


def outcome_lines(word: str) -> dict[str, re.Pattern[str]]:
    """The lines pytest names a test's outcome `word` (PASSED, RERUN…) on, by kind: `-v`'s
    `t.py::test_a PASSED [ 50%]`, the short summary's `PASSED t.py::test_a`, and
    pytest-xdist's `[gw0] [ 50%] PASSED t.py::test_a` (each matched on a stripped line)."""
    return {
        "verbose": re.compile(rf"^{NODEID} {word}(?:\s|$)"),
        "summary": re.compile(rf"^{word} {NODEID}$"),
        "xdist": re.compile(rf"^\[gw\d+\] \[ *\d+%\] {word} {NODEID}$"),
    }


_PASSED_LINES = tuple(outcome_lines("PASSED").values())
# `mix test --trace` heads each module's tests with `Module [test/file.exs]`
EXUNIT_MODULE_RE = re.compile(r"^(?P<module>[A-Z][\w.]*) \[(?P<file>[^\]\s]+)\]$")
_EXUNIT_RAN = re.compile(
    r"^\s*\* (?P<name>(?:test|doctest|property|feature|scenario) .*) "
    r"\((?P<time>[\d.]+\s*m?s)\) \[L#\d+\]$"
)


class PassedTest(NamedTuple):
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


def _line_starts(chunk: bytes, literals: tuple[bytes, ...]) -> list[int]:
    """The start offsets of the lines of `chunk` holding one of `literals`, in order."""
    starts: set[int] = set()
    find, rfind = chunk.find, chunk.rfind
    for literal in literals:
        at = find(literal)
        while at >= 0:
            start = rfind(b"\n", 0, at) + 1
            starts.add(start)
            end = find(b"\n", at)
            if end < 0:
                break
            at = find(literal, end)
    return sorted(starts)


def _line_at(chunk: bytes, start: int) -> bytes:
    end = chunk.find(b"\n", start)
    return chunk[start:end] if end >= 0 else chunk[start:]


def _lines(stream: BinaryIO, literals: tuple[bytes, ...]) -> Iterator[str]:
    """The lines holding one of `literals`: a chunk's are decoded and cleaned together."""
    for chunk in _chunks(stream):
        starts = _line_starts(chunk, literals)
        if not starts:
            continue
        picked = b"\n".join(_line_at(chunk, start) for start in starts)
        text = strip_prefixes(strip_ansi(picked.decode("utf-8", "replace")))
        for line in text.split("\n"):
            yield line.rstrip("\r").rsplit("\r", 1)[-1]  # a `--trace` line redrawn after \r


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
    for line in _lines(stream, _PYTEST_LITERALS):
        line = line.strip()
        found = next((m for regex in _PASSED_LINES if (m := regex.match(line))), None)
        if found:
            yield pytest_test(found["nodeid"])


def _exunit(stream: BinaryIO) -> Iterator[PassedTest]:
    module, file = "", ""
    for line in _lines(stream, _EXUNIT_LITERALS):
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
