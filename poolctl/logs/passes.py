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

import functools
import re
from collections.abc import Generator, Iterator
from itertools import islice
from typing import Any, BinaryIO, NamedTuple

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.exunit_block import PARAMETERS, parameterized
from poolctl.logs.junit_node import is_node_suite, path_of
from poolctl.logs.junit_reruns import PytestTries
from poolctl.logs.prefixes import strip_prefixes

CHUNK = 1 << 20
MAX_PASSES = 200_000  # per input: a pathological log cannot fill the memory

# a literal each line that can name a pass holds; in a chunk holding pytest-rerunfailures' RERUN,
# its failed tries' lines too
_PYTEST_LITERALS = (b"PASSED",)
_RERUN_LITERALS = (b"PASSED", b"RERUN")
_EXUNIT_LITERALS = (b"[L#", b".exs]")  # a test that ran; the module heading its tests
# ... and the parameters its next tests ran with, looked for only in a chunk holding those (a
# log without `--trace` has none: no pass more over it)
_EXUNIT_BESIDE = PARAMETERS.encode()
# a node id: `path::Class::test`, and its parameters in brackets (which may hold spaces)
NODEID = r"(?P<nodeid>[^\s\[]+::[^\s\[]+(?:\[.*?\])?)"
# what pytest's `console_output_style` prints after a progress line's outcome: the share of tests
# run (`[ 50%]`, the default), their count (`count`: `[3/5]`, `[ 3/10]`), the test's duration
# (`times`: `394.3us`, `1.250s`, `1m 5s`); `classic` prints nothing
PROGRESS_INFO = r"(?:\[ *\d+%\]|\[ *\d+/\d+\]|\d+(?:\.\d+)?(?:us|ms|s)|\d+m \d+s)"
# ... where pytest-xdist prints it, between the worker and the outcome (`[gw0] [3/5] FAILED …`)
_XDIST = rf"\[gw\d+\](?: {PROGRESS_INFO})?"
_FIXTURES_USED = r"(?: \(fixtures used: [^()]*\))?"


def outcome_lines(word: str) -> dict[str, re.Pattern[str]]:
    """The lines pytest names a test's outcome `word` (PASSED, RERUN…) on, by kind: `-v`'s
    `t.py::test_a PASSED [ 50%]`, the short summary's `PASSED t.py::test_a`, and
    pytest-xdist's `[gw0] [ 50%] PASSED t.py::test_a` (each matched on a stripped line)."""
    return {
        # (`--setup-show` names the fixtures between: `t.py::test_a (fixtures used: pool) FAILED`)
        "verbose": re.compile(rf"^{NODEID}{_FIXTURES_USED} {word}(?:\s|$)"),
        "summary": re.compile(rf"^{word} {NODEID}$"),
        "xdist": re.compile(rf"^{_XDIST} {word} {NODEID}$"),
    }


# the three forms at once, over a chunk's picked lines (each stripped, as `outcome_lines` reads
# them): one scan in C instead of three matches a line
_BLANK = r"[^\S\n]*"
_PASSED_IN_TEXT = re.compile(
    rf"^{_BLANK}(?:{NODEID.replace('nodeid', 'v')} PASSED(?=\s|$)"
    rf"|PASSED {NODEID.replace('nodeid', 's')}{_BLANK}$"
    rf"|{_XDIST} PASSED {NODEID.replace('nodeid', 'x')}{_BLANK}$)",
    re.MULTILINE,
)
# ... and pytest-rerunfailures' `RERUN` lines: a try whose call passed and whose teardown failed
# prints its PASSED line, then a RERUN line of the same test
_OUTCOME_IN_TEXT = re.compile(
    rf"^{_BLANK}(?:{NODEID.replace('nodeid', 'v')} (?P<vw>PASSED|RERUN)(?=\s|$)"
    rf"|(?P<sw>PASSED|RERUN) {NODEID.replace('nodeid', 's')}{_BLANK}$"
    rf"|{_XDIST} (?P<xw>PASSED|RERUN) {NODEID.replace('nodeid', 'x')}{_BLANK}$)",
    re.MULTILINE,
)
# ... and a `-v` progress line alone, its node id's first `::` its first colon (a test file's path
# holds none): most picked lines of a `-v` log. Where each line of a chunk's picked text is one,
# these are the node ids `_PASSED_IN_TEXT` finds, found without a match object a line and with no
# backtracking to a path's last `::` (a third of the regex's CPU on 200,000 passes)
_VERBOSE_PASSED = re.compile(r"^([^\s\[:]+::[^\s\[]+(?:\[.*?\])?) PASSED(?=\s|$)", re.MULTILINE)
# live logging: a test's node id alone on its line (a space after it), and its outcome alone
# after its live log; looked for only in a chunk holding a live log's heading
_LIVE_LOG = b"live log "
_NODE_IDS = b"::"
_LIVE_START = re.compile(rf"^{NODEID} $")
_PASSED_ALONE = re.compile(rf"^PASSED(?: +{PROGRESS_INFO})?{_BLANK}$")
# under `-s -v` a test's node id is followed by what it printed (`t.py::test_a pool up`), and its
# outcome comes after its output: alone on a later line, or glued to output that ended with no
# newline (`t.py::test_a worker upPASSED`, `last linePASSED`)
_PRINTED_START = re.compile(rf"^{NODEID} (?P<text>.*)$")
_PASSED_AFTER_TEXT = re.compile(rf"^(?:.*\S)? ?PASSED(?: +{PROGRESS_INFO})?{_BLANK}$")
_OUTCOME_WORD = re.compile(
    rf"(?:FAILED|ERROR|XPASS|RERUN)(?: +{PROGRESS_INFO})?{_BLANK}$|\b(?:SKIPPED|XFAIL)\b"
)
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


def _picked(chunk: bytes, literals: tuple[bytes, ...], beside: bytes = b"") -> bytes:
    """The lines of `chunk` holding one of `literals` (or `beside`, where one of them is), in
    order, joined: found one by one where they are few, by splitting the chunk where they are
    many (a `-v` log's every line)."""
    found = sum(chunk.count(literal) for literal in literals)
    if not found:
        return b""
    if beside:
        literals = (*literals, beside)
    if found < len(chunk) >> 12:
        return b"\n".join(_line_at(chunk, start) for start in _line_starts(chunk, literals))
    if len(literals) == 1:  # a test of one literal a line: a third of `any`'s cost
        (literal,) = literals
        return b"\n".join(ln for ln in chunk.split(b"\n") if literal in ln)
    return b"\n".join(ln for ln in chunk.split(b"\n") if any(x in ln for x in literals))


def _texts(stream: BinaryIO, literals: tuple[bytes, ...], beside: bytes = b"") -> Iterator[str]:
    """Each chunk's lines holding one of `literals` (or `beside`: see `_picked`), decoded and
    cleaned together: a line redrawn after a carriage return (`--trace`'s) is what it shows
    last."""
    for chunk in _chunks(stream):
        picked = _picked(chunk, literals, beside)
        if picked:
            yield _cleaned(picked)


def _cleaned(picked: bytes) -> str:
    text = strip_prefixes(strip_ansi(picked.decode("utf-8", "replace")))
    if "\r" in text:
        text = "\n".join(ln.rstrip("\r").rsplit("\r", 1)[-1] for ln in text.split("\n"))
    return text


def _lines(stream: BinaryIO, literals: tuple[bytes, ...], beside: bytes = b"") -> Iterator[str]:
    """The lines holding one of `literals` (or `beside`: see `_picked`)."""
    for text in _texts(stream, literals, beside):
        yield from text.split("\n")


def nodeid_parts(nodeid: str) -> list[str]:
    """A pytest node id's `::` parts: file, classes, test. A parameter id keeps its own `::`
    (`test_a[x::y]` is one part)."""
    head, bracket, params = nodeid.partition("[")
    parts = head.split("::")
    parts[-1] += bracket + params
    return parts


@functools.lru_cache(maxsize=4096)
def _owner(prefix: str) -> tuple[str, str]:
    """A node id's head without its test (`file::Class`): its file and its classes, dotted;
    a suite's tests share a few, worked out once."""
    parts = prefix.split("::")
    return parts[0], ".".join(parts[1:])


def pytest_fields(nodeid: str) -> tuple[str, str, str, str]:
    """A node id (`file::Class::test[params]`) as the pytest parser names its test, as a plain
    tuple (source, name, group, file): `Class.test` in group `file::Class`. (The history's
    reading makes 200,000 of them: a `PassedTest` each cost a fifth more.)"""
    head, bracket, params = nodeid.partition("[")
    prefix, _, test = head.rpartition("::")
    file, owner = _owner(prefix)
    name = test + bracket + params
    return ("pytest", f"{owner}.{name}" if owner else name, prefix, file)


def pytest_test(nodeid: str) -> PassedTest:
    """A node id as the pytest parser names its test (`pytest_fields`)."""
    return PassedTest(*pytest_fields(nodeid))


def _pytest(stream: BinaryIO) -> Iterator[PassedTest]:
    return map(pytest_test, _pytest_nodeids(stream))


def _pytest_nodeids(stream: BinaryIO) -> Iterator[str]:
    """The node ids of the tests that passed, in order."""
    started = ""  # live logging: the last test's start, its outcome to come alone
    for chunk in _chunks(stream):
        reruns = b"RERUN" in chunk  # (the one-literal pick is a third of two's cost)
        # a live log, or a PASSED with no space before it: alone on its line or glued to what a
        # test printed under `-s -v` (two counts at memory speed; `-v` puts a space before each)
        live = not reruns and (
            _LIVE_LOG in chunk or chunk.count(b"PASSED") != chunk.count(b" PASSED")
        )
        literals = _RERUN_LITERALS if reruns else _PYTEST_LITERALS
        picked = _picked(chunk, (*literals, _NODE_IDS) if live else literals)
        if not picked:
            continue
        text = _cleaned(picked)
        if reruns:
            yield from _passes_between_tries(text)
            continue
        if live:
            started = yield from _passes_after_live_logs(text, started)
            continue
        yield from passed_nodeids(text)


def passed_nodeids(text: str) -> list[str]:
    """The node ids of the passes `_PASSED_IN_TEXT` finds in `text`'s lines, in order: those
    of `-v`'s progress lines at once (`_VERBOSE_PASSED`) when every line is one."""
    verbose = _VERBOSE_PASSED.findall(text)
    if len(verbose) == text.count("\n") + 1:  # a match a line, each its line's (anchored)
        return verbose
    return [found["v"] or found["s"] or found["x"] for found in _PASSED_IN_TEXT.finditer(text)]


def _passes_after_live_logs(text: str, started: str) -> Generator[str, None, str]:
    """The passes in `text`, where live logging (`--log-cli-level`) prints a test's node id
    alone (`t.py::test_a `), its live log, then its outcome alone (`PASSED  [ 33%]`), and `-s -v`
    prints a test's node id, what it printed, then its outcome, alone or glued to that output:
    that outcome is the test's started last (`started`, from the chunk before; returned for the
    next)."""
    for line in text.split("\n"):
        found = _PASSED_IN_TEXT.match(line)
        if found:
            yield found["v"] or found["s"] or found["x"]
            started = ""
        elif start := _LIVE_START.match(line):
            started = start["nodeid"]
        elif printed := _PRINTED_START.match(line):
            started = printed["nodeid"]
            if _PASSED_AFTER_TEXT.match(printed["text"]):
                yield started  # `t.py::test_a worker upPASSED`
                started = ""
            elif _OUTCOME_WORD.search(printed["text"]):
                started = ""  # `-v`'s other outcomes (`FAILED  [ 50%]`, `SKIPPED (why)`)
        elif started and _PASSED_AFTER_TEXT.match(line):
            yield started
            started = ""
    return started


def _passes_between_tries(text: str) -> Iterator[str]:
    """The passes in `text`, where pytest-rerunfailures reran tests: a PASSED line followed by
    a RERUN line of the same test, of the same form, is a try whose teardown failed (its call
    passed), not a pass."""
    held: dict[str, str] = {}  # each form's last PASSED test, not yet given
    for found in _OUTCOME_IN_TEXT.finditer(text):
        form = "v" if found["v"] else "s" if found["s"] else "x"
        nodeid, word = found[form], found[form + "w"]
        before = held.pop(form, None)
        if before is not None and not (word == "RERUN" and before == nodeid):
            yield before
        if word == "PASSED":
            held[form] = nodeid
    yield from held.values()


def _exunit(stream: BinaryIO) -> Iterator[PassedTest]:
    module, file, parameters = "", "", ""
    for line in _lines(stream, _EXUNIT_LITERALS, _EXUNIT_BESIDE):
        header = EXUNIT_MODULE_RE.match(line.strip())
        if header:
            module, file, parameters = header["module"], header["file"], ""
            continue
        if line.startswith(PARAMETERS):  # (a failure block's own line is indented)
            parameters = line[len(PARAMETERS) :].strip()
            continue
        ran = _EXUNIT_RAN.match(line)
        if ran and module:
            yield PassedTest("exunit", parameterized(ran["name"], parameters), module, file)


class _JUnitCases:
    """An expat target keeping only each test case's name and whether it failed or skipped."""

    def __init__(self) -> None:
        self.suites: list[str] = []
        self.nodes: list[bool] = []  # whether each open suite is node's (`junit_node`)
        self.files: list[str] = []  # each open suite's `file` (mocha-junit-reporter's)
        self.case: dict[str, str] | None = None
        self.spoiled = False
        self.passed: list[PassedTest] = []
        # pytest-rerunfailures writes a failed try as an empty test case, right before the
        # test's next try (`junit_reruns`): that pass is no pass
        self.pytest = False
        self.tries = PytestTries()
        self.kept_last = False  # the last test case was kept as a pass

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = tag.rsplit("}", 1)[-1]
        if tag == "testsuite":
            self.pytest = self.pytest or attrib.get("name", "").startswith("pytest")
            self.suites.append(attrib.get("name", ""))
            self.nodes.append(is_node_suite(attrib))
            self.files.append(attrib.get("file", ""))
        elif tag == "testcase":
            self.case, self.spoiled = dict(attrib), False
        elif tag in ("failure", "error", "skipped") and self.case is not None:
            self.spoiled = True

    def end(self, tag: str) -> None:
        tag = tag.rsplit("}", 1)[-1]
        if tag == "testsuite" and self.suites:
            self.suites.pop()
            self.nodes.pop()
            self.files.pop()
        elif tag == "testcase" and self.case is not None:
            case, self.case = self.case, None
            empty = not self.spoiled
            retry = self.pytest and self.tries.see(
                case.get("classname", ""), case.get("name", ""), empty
            )
            if retry and self.kept_last:
                self.passed.pop()  # a failed try of this test, not a pass
            self.kept_last = False
            if empty and len(self.passed) < MAX_PASSES:
                group = case.get("classname", "") or (self.suites[-1] if self.suites else "")
                file = case.get("file", "") or (self.files[-1] if self.files else "")
                suites = list(zip(self.suites, self.nodes, strict=True))
                name = path_of(case.get("name", ""), case.get("classname", ""), suites)
                self.passed.append(PassedTest("junit", name, group, file))
                self.kept_last = True

    def data(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def _junit(stream: BinaryIO) -> Iterator[PassedTest]:
    # the XML parser only for a JUnit file: a pytest or ExUnit log's triage does without it
    from defusedxml.ElementTree import DefusedXMLParser

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


def iter_pass_fields(stream: BinaryIO, fmt: str) -> Iterator[tuple[str, str, str, str]]:
    """`iter_passes`' tests as plain tuples (source, name, group, file): what the history's
    forked reading pickles and stores, without a `PassedTest` made for each of a pytest log's
    passes."""
    if fmt != "pytest":
        return map(tuple, iter_passes(stream, fmt))  # type: ignore[arg-type]
    return map(pytest_fields, iter_pytest_nodeids(stream))


def iter_pytest_nodeids(stream: BinaryIO) -> Iterator[str]:
    """The node ids of a pytest log's passes, `MAX_PASSES` at most: `iter_pass_fields`' tests
    before they are named (`pytest_fields`)."""
    return islice(_pytest_nodeids(stream), MAX_PASSES)


def read_passes(stream: BinaryIO, fmt: str) -> list[PassedTest]:
    """The passing tests in one input of format `fmt` (exunit, pytest or junit)."""
    return list(iter_passes(stream, fmt))
