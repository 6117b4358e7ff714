"""Test-runner output readers: ExUnit, pytest and JUnit XML, each turned into `Failure` records.

`read_logs(paths)` reads every input as a stream (a file, or `-` for standard input), picks each
one's format (sniffed from its first kilobytes unless `fmt` says), and returns one `ParsedLog`.
What could not be read is noted in `ParsedLog.skipped`; only when nothing at all could be read
does it raise `InputError`, or when an input is corrupted past reading on (`UnreadableInput`, a
JUnit file not well-formed with no test case to start again at): then no report could say how
many failures there were. A JUnit file cut short is read up to the cut, its counts partial.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO, Protocol

from poolctl.boundedread import open_readable
from poolctl.errors import InputError, UsageProblem
from poolctl.logs import (
    bats_pretty,
    endless,
    exunit_stopped,
    hspec_block,
    pytest_run_errors,
    rspec_block,
    run_end_lines,
    runners_alone,
    testunit_block,
    verdicts_read,
    whole_reports,
)
from poolctl.logs.ansi import strip_ansi
from poolctl.logs.archive import is_zip, open_input, read_archive
from poolctl.logs.context import attach_context
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.records import (
    STDIN_NAME,
    IdentifierIndex,
    Overflow,
    ParsedLog,
    UnreadableInput,
)
from poolctl.logs.unpack import readable_input

if TYPE_CHECKING:
    from poolctl.logs.search_ahead import SearchAhead

__all__ = [
    "FORMATS",
    "PARSERS",
    "LogParser",
    "ReadObserver",
    "UnreadableInput",
    "detect_format",
    "read_logs",
]

HEAD_SIZE = 64 * 1024  # bytes sniffed to detect the format
MAX_HEAD_SIZE = 1024 * 1024  # sniffing goes on this far when the first bytes say nothing
MAX_MARK_LINE = 64 * 1024  # a longer line holds no format mark (a runner's headers are short)
SNIFF_CHUNKS = 4096  # then, in a file, up to 256 MiB more are looked at (and not kept)
MAX_IDENTIFIERS = 20_000  # identifiers indexed across all inputs (bounds memory)


class ReadObserver(Protocol):
    """Told how far the reading is, after each chunk: bytes read of the total (None when an
    input is standard input, whose size is not known)."""

    def on_read(self, done: int, total: int | None) -> None: ...


class LogParser(Protocol):
    """Reads one input (its first bytes already taken off the stream as `head`) into `out`."""

    def __call__(self, stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
        """Parse the input; return the number of lines read. `InputError`: none of it is usable."""
        ...


# Each parser's modules are imported when a log of its format is read: a pytest log's triage
# does without the ExUnit and JUnit parsers.
def _parse_exunit(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    from poolctl.logs.exunit import ExUnitParser

    return ExUnitParser(name, out).parse(stream, head, out.progress).lines


def _parse_pytest(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    from poolctl.logs.pytest_log import PytestParser

    return PytestParser(name, out).parse(stream, head, out.progress).lines


def _parse_junit(stream: BinaryIO, name: str, out: ParsedLog, head: bytes) -> int:
    from poolctl.logs.junit import parse_junit

    return parse_junit(stream, name, out, head)


PARSERS: dict[str, LogParser] = {
    "exunit": _parse_exunit,
    "pytest": _parse_pytest,
    "junit": _parse_junit,
}
FORMATS: tuple[str, ...] = ("auto", *PARSERS)
_NAMES = {"exunit": "ExUnit", "pytest": "pytest", "junit": "JUnit XML"}  # in a sentence

_XML_START = re.compile(r"^\s*(?:<\?xml|<!--|<testsuites?\b|<testcase\b)")
_PYTEST_MARKS = (
    re.compile(r"^=+ test session starts =+$", re.M),
    re.compile(r"^=+ (?:FAILURES|ERRORS|short test summary info) =+$", re.M),
    re.compile(r"^_+ (?!_ )\S.* _+$", re.M),
    re.compile(r"^=+ .*\b\d+ (?:failed|passed|errors?|skipped)\b.* in [\d.]+s", re.M),
    re.compile(r"^(?:FAILED|ERROR) \S+\.py::", re.M),
    re.compile(r"^E {3}", re.M),
    # a run that failed outside any test (poolctl.logs.pytest_run_errors)
    re.compile(
        r"^(?:ImportError while loading conftest '|INTERNALERROR> |Error while loading plugin \")",
        re.M,
    ),
    re.compile(pytest_run_errors.OWN_USAGE, re.M),
    re.compile(pytest_run_errors.ENTRY, re.M),  # a traceback through pytest's entry point
    re.compile(r"^[.sxXFE,u]+ +\[ *\d+%\]$", re.M),  # a progress line alone (`-qq`)
    # live logging's section of a test's log (`--log-cli-level`; under `-q`, no session header)
    re.compile(
        r"^-+ live log (?:setup|call|teardown|logreport|sessionstart|sessionfinish) -+$", re.M
    ),
    # `-q`'s closing line, with no progress line before it: every test deselected (`-k`), or
    # none collected (`no tests ran`, an empty folder)
    re.compile(
        r"^(?:no tests (?:ran|collected)|(?:no tests collected \()?\d+ deselected\)?) in [\d.]+s$",
        re.M,
    ),
    # `pytest --co -q`'s closing line, after the node ids it lists (`2/30 tests collected (28
    # deselected) in 0.22s`)
    re.compile(
        r"^(?:\d+/)?\d+ tests? collected(?: \(\d+ deselected\))?(?:, \d+ errors?)? in [\d.]+s$",
        re.M,
    ),
    # the shell's job-status line for a pytest a signal ended (`step.sh: line 1: 21919 Killed
    # … pytest … -q`): all a killed `pytest -q` prints besides its letters (dash's bare
    # `Killed` names no runner: no mark)
    re.compile(rf": line \d+: +\d+ {run_end_lines.SIGNALS} .*\bpytest\b", re.M),
    # `-q`'s closing line (no `=` around it: `2 failed, 3 passed, 1 error in 0.50s`), a shell
    # script's or a Makefile's own summary in the same words: pytest's only after the last
    # test's progress letter (glued to what tests printed under `-s`: `Ehalf a lineF.`) or the
    # warnings summary's `-- Docs:` line (a log's end kept by `tail`); the other marks say the rest
    re.compile(
        r"(?:[.FEX][.sxXFE]*|^-- Docs: https://docs\.pytest\.org/\S*)\n"
        r"(?:\d+ (?:failed|passed|skipped|deselected|xfailed|xpassed|warnings?|errors?|rerun), )*"
        r"\d+ (?:failed|passed|skipped|deselected|xfailed|xpassed|warnings?|errors?|rerun)"
        r" in [\d.]+s(?: \(\d+:\d\d:\d\d\))?$",
        re.M,
    ),
    # Python unittest's run: its verdict is read (poolctl.logs.other_verdicts), its blocks not
    re.compile(r"^Ran \d+ tests? in [\d.]+s$", re.M),
)
_EXUNIT_MARKS = (
    re.compile(
        r"^[ \t]*\d+\) (?:test|doctest|property) .* \([A-Z][\w.]*\)[ \t]*$"
        r"|\d\) (?:test|doctest|property) .* \([A-Z][\w.]*\)[ \t]*$",
        re.M,
    ),
    re.compile(r"^Finished in [\d.]+ seconds", re.M),
    re.compile(r"^(?:Result: )?\d+ (?:doctests?|tests?|propert(?:y|ies)), \d+ failures?", re.M),
    re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \[(?:debug|info|notice|warning|warn|error)\] ", re.M),
    re.compile(r"^Randomized with seed \d+", re.M),
    re.compile(r"^ {5}(?:stacktrace:|code: )", re.M),
    re.compile(r"^== Compilation error in file \S+ ==", re.M),  # mix: no test ran
    # `--trace`: a module's line, then each test's start and its result
    re.compile(r"^[A-Z][\w.]* \[\S+\.exs\]$", re.M),
    re.compile(r"^ {2}\* (?:test|doctest|property) .*\[L#\d+\]", re.M),
    re.compile(exunit_stopped.MIX_TEST_FRAME_RE.pattern, re.M),  # the test helper raised
    # a `--partitions` shard with no test; `--stale` with no test stale
    re.compile(r"^(?:There are no tests to run|No stale tests)$", re.M),
    # Mix refusing `mix test`'s arguments before any test: a path of no test file, `--partitions`
    # with no MIX_TEST_PARTITION
    re.compile(
        r'^(?:Paths given to "mix test" did not match any directory/file: '
        r"|\*\* \(Mix\) The MIX_TEST_PARTITION environment variable must be set)",
        re.M,
    ),
)


def detect_format(head: bytes | str) -> str | None:
    """`exunit`, `pytest` or `junit` from the first kilobytes of an input, or None."""
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    if len(text) > MAX_MARK_LINE:
        # no runner writes a header or summary line that long: a huge line is left out, so
        # that a log opening with one is sniffed at the regexes' speed on what follows
        lines = text.split("\n")
        if any(len(line) > MAX_MARK_LINE for line in lines):
            text = "\n".join(line for line in lines if len(line) <= MAX_MARK_LINE)
    text = strip_prefixes(strip_ansi(text.lstrip("\ufeff")).replace("\r\n", "\n"))
    if _XML_START.match(text) and re.search(r"<test(?:suites?|case)\b", text):
        return "junit"
    pytest, exunit = _marks_found(text)
    if exunit and hspec_block.IN_TEXT_RE.search(text):
        # hspec's failed run: its `Finished in 4.3 seconds` and `Randomized with seed 7` are no
        # ExUnit run's; its section and verdict are read beside the pytest parser's own
        exunit = max(0, exunit - 2)
    if not pytest and exunit == 1 and hspec_block.CLEAN_IN_TEXT_RE.search(text):
        # hspec's or RSpec's passed run alone (`3 examples, 0 failures`): its `Finished in` is
        # the one ExUnit mark it shows; a clean log, read by its verdict, unless another
        # runner's failed run is in it too (read beside the pytest parser's own)
        return "pytest" if runners_alone.holds_a_verdict(text) else None
    if not pytest and not exunit:
        # another runner's failed run alone (`go test`, `cargo test`, Vitest…): the pytest
        # parser reads its verdict (poolctl.logs.other_verdicts), its failures counted, unread
        return "pytest" if runners_alone.holds_a_verdict(text) else None
    if (
        not pytest
        and exunit == 1
        and (rspec_block.IN_TEXT_RE.search(text) or bats_pretty.IN_TEXT_RE.search(text))
    ):
        # RSpec's run alone: its `Finished in` is the one ExUnit mark it shows (bats' pretty
        # output: its closing line); its failures and verdict are read beside the pytest
        # parser's own, as other runners' are
        return "pytest"
    if not pytest and exunit == 1 and testunit_block.IN_TEXT_RE.search(text):
        # test-unit's run alone: its `Finished in 1.4 seconds.` is ExUnit's mark; read beside the
        # pytest parser for its blocks and verdict, a clean one by its verdict alone
        return "pytest" if testunit_block.failed_run(text) else None
    if not pytest and exunit == 1 and bats_pretty.clean_run(text):
        return None  # bats' passed run alone (its `✓` lines): a clean log, read by its verdict
    return "pytest" if pytest > exunit else "exunit"


def _marks_found(text: str) -> tuple[int, int]:
    """How many of pytest's and of ExUnit's marks `text` shows. A mark whose required literals
    are all absent is not searched: a text of no runner (set-up steps, junk lines) is sniffed at
    the speed of `in` instead of the regexes' 5 MB/s (a 400 MB archive member of `x` lines took
    a minute and a half to be refused)."""
    folded = ""  # the text casefolded, once a mark that ignores case asks
    counts = [0, 0]
    for side, mark, literals, fold in _gated_marks():
        if literals:
            if fold and not folded:
                folded = text.casefold()
            haystack = folded if fold else text
            if not any(literal in haystack for literal in literals):
                continue
        if mark.search(text):
            counts[side] += 1
    return counts[0], counts[1]


@functools.cache
def _gated_marks() -> tuple[tuple[int, re.Pattern[str], tuple[str, ...], bool], ...]:
    """Each mark (0: pytest's, 1: ExUnit's) with the literals one of which every match holds."""
    from poolctl.patterns.regex import required_literals

    marks = [(0, m) for m in _PYTEST_MARKS] + [(1, m) for m in _EXUNIT_MARKS]
    return tuple((side, m, *required_literals(m.pattern)) for side, m in marks)


def _head(stream: BinaryIO) -> tuple[bytes, str | None]:
    """The first bytes of `stream` and the format they show (reading on while unsure)."""
    head = stream.read(HEAD_SIZE)
    fmt = detect_format(head) if head else None
    while fmt is None and head and len(head) < MAX_HEAD_SIZE:
        # the head doubles each time: it is sniffed whole again, so a few times, not once a chunk
        more = stream.read(min(len(head), MAX_HEAD_SIZE - len(head)))
        if not more:
            break
        head += more
        fmt = detect_format(head)
    if fmt is None and len(head) >= MAX_HEAD_SIZE and stream.seekable():
        fmt = _sniff_further(stream)
        if fmt is not None:  # a file: parse it from the start, with the format found further on
            stream.seek(0)
            head = stream.read(HEAD_SIZE)
        else:  # back to the head's end: a format named with --log-format reads every byte
            stream.seek(len(head))
    return head, fmt


def _lines_made(name: str, packed: str) -> str:
    """The command that gives input `name` (compressed as `packed`) newlines for its CRs."""
    tr = "tr '\\r' '\\n'"
    if name == "<stdin>":
        return f"… | {tr}"  # what printed it, then tr
    unpacker = {"gzip": "zcat", "xz": "xzcat", "bzip2": "bzcat"}.get(packed)
    return f"{unpacker} {name} | {tr}" if unpacker else f"{tr} < {name}"


def _sniff_further(stream: BinaryIO) -> str | None:
    """Look past an undecidable head (a huge first line, binary junk) for the format, chunk by
    chunk, keeping nothing; only for files, which can be read again from the start."""
    tail = b""
    for _ in range(SNIFF_CHUNKS):
        chunk = stream.read(HEAD_SIZE)
        if not chunk:
            return None
        if b"\0" in chunk:  # binary data: no runner's text (sniffing it ran at 4 MB/s)
            tail = b""
            continue
        fmt = detect_format(tail + chunk)
        if fmt is not None:
            return fmt
        tail = chunk[-4096:]  # a mark cut in two by the chunk boundary
    return None


def _read_one(stream: BinaryIO, name: str, fmt: str, out: ParsedLog) -> bool:
    try:
        stream, unpacking = readable_input(stream, name)
    except InputError as refused:
        out.skipped.append(str(refused))
        return False
    try:
        return _parse_one(stream, name, fmt, out, unpacking.kind if unpacking else "")
    finally:
        if unpacking is not None and unpacking.problem:
            out.skipped.append(f"{name}: {unpacking.problem}")


def _parse_one(stream: BinaryIO, name: str, fmt: str, out: ParsedLog, packed: str = "") -> bool:
    """Read one input (`packed`: the compression it was read through, or "")."""
    head, detected = _head(stream)
    if not head:
        out.skipped.append(f"{name}: empty input")
        return False
    if detected is None and b"\n" not in head and head.count(b"\r") > 1:
        # classic Mac line ends: read as one line, the log was "format not recognised" (a
        # runner's lines found further on are a log behind a progress bar's `\r` redraws)
        out.skipped.append(
            f"{name}: its lines end in a CR alone (no newline in its first {len(head):,} bytes),"
            f" which poolctl does not read: {_lines_made(name, packed)} | poolctl triage -"
        )
        return False
    # a stream is sniffed this far: binary bytes to there are no runner's log, and its next
    # bytes are not read (a file is read to its end: its size bounds it)
    streamed = detected is None and len(head) >= MAX_HEAD_SIZE and not stream.seekable()
    if streamed and endless.binary(head):
        out.skipped.append(
            f"{name}: binary data, no text in its first {MAX_HEAD_SIZE >> 20} MiB: not a "
            "runner's log; not read further"
        )
        return False
    if fmt == "auto" and b"<TestLog>" in head:  # Boost.Test's XML log
        head += stream.read(MAX_HEAD_SIZE + 1 - len(head))  # (a parser goes on after the head)
        if len(head) <= MAX_HEAD_SIZE and whole_reports.read_boost_xml(name, out, head):
            return True
    chosen = detected if fmt == "auto" else fmt
    whole = chosen is None and len(head) < MAX_HEAD_SIZE and not stream.read(1)
    if whole and whole_reports.read(name, out, head):
        return True  # another runner's report (JSON, XML), or TeamCity's messages alone
    if whole and _passed_alone(name, out, head):
        return True
    if whole and runners_alone.stopped_in_a_test(_text(head)):
        chosen = detected = "pytest"  # a run killed in a test, none failed before: read so
    if chosen is None and whole and (refused := whole_reports.refusal(name, head)):
        out.skipped.append(refused)  # a reporter's output that holds no failure to read
        return False
    if chosen is None:
        out.skipped.append(
            f"{name}: format not recognised (no output of a runner poolctl reads: ExUnit, pytest,"
            " JUnit XML, TAP, Jest, RSpec, GoogleTest and the others the README lists);"
            " name one (poolctl triage --log-format exunit|pytest|junit)"
        )
        return False
    before = (len(out.failures), len(out.summaries))
    counted_before = sum(k.runs for k in out.runs_counted.values())  # runs past the cap
    try:
        out.lines_read += PARSERS[chosen](stream, name, out, head)
    except UnreadableInput:
        raise  # a cut-short input: its failures cannot be counted, nothing is reported
    except InputError as refused:
        out.skipped.append(str(refused))
        return False
    found = sum(k.runs for k in out.runs_counted.values()) > counted_before
    # (another runner's failures the parser read beside its own, no run of any: none of its own)
    theirs_alone = all("runner" in f.details for f in out.failures[before[0] :])
    if len(out.summaries) == before[1] and theirs_alone and not found and detected != chosen:
        # nothing of the format named was found in it: not a clean run of that runner
        theirs = runners_alone.runner_of(_text(head)) if detected in (None, "pytest") else ""
        if theirs and not any(_marks_found(_text(head))):
            # another runner's failed or stopped run, which the pytest parser reads: not pytest's
            seen = f"it holds {theirs}'s output of a failed run (leave out --log-format to read it)"
        elif detected is not None:
            seen = (
                f"it reads as {_NAMES[detected]} output (leave out --log-format, or give "
                f"--log-format {detected})"
            )
        else:
            seen = "no failure, no summary and no closing line of one"  # junk, prose
        out.skipped.append(f"{name}: no {_NAMES[chosen]} output found in it; {seen}")
        return False
    other = out.also.pop(name, None)
    if other is not None and fmt == "auto" and name != STDIN_NAME:
        # one log of two runners (`mix test`, then `pytest`): read it again as the other's
        with open_input(name) as again:
            again = readable_input(again, name)[0]
            out.lines_read += PARSERS[other](again, name, out, again.read(HEAD_SIZE))
        chosen = "+".join(sorted((chosen, other)))
    elif other is not None:
        why = "standard input is read once" if fmt == "auto" else f"--log-format {fmt}"
        out.skipped.append(f"{name}: its {_NAMES[other]} output was not read ({why})")
    verdicts_read.finish(out, name, *before)
    if fmt == "auto" and b"##teamcity[testFailed" in head and len(out.failures) == before[0]:
        whole_reports.teamcity_beside(name, out, head, before[1])  # (`phpunit --teamcity`)
    unittest = runners_alone.unittest_alone(out, name, *before) if chosen == "pytest" else ""
    if unittest not in ("", runners_alone.UNITTEST):
        chosen = unittest  # trial's, green's or zope.testrunner's blocks alone: named by them
    elif (
        chosen == "pytest"
        and fmt == "auto"
        and (theirs := runners_alone.note_theirs_alone(out, name, *before))
    ):
        chosen = theirs  # no pytest output in it: not said to be, its runners named
    elif (
        chosen == "pytest"
        and fmt == "auto"
        and (alone := runners_alone.note_failures_alone(out, name, *before))
    ):
        chosen = alone  # ... nor any verdict: the runners read are named
    elif unittest:
        chosen = unittest  # unittest's output alone, which the pytest parser reads
    elif (len(out.failures), len(out.summaries)) == before and chosen != "junit":
        # a runner's lines (its logger's, a test's start) and no run's result: a log cut
        # before it, which "0 failures" alone would call clean
        out.skipped.append(
            f"{name}: no run's result in it (no closing line, no failure): the log ends before "
            f"{_NAMES[chosen]} printed one, cut short or stopped; nothing in it says it passed"
        )
    out.formats[name] = chosen
    return True


def _text(head: bytes) -> str:
    """A whole log's text, its CI prefixes and colours left out, as a runner printed it."""
    return strip_prefixes(strip_ansi(head.decode("utf-8", "replace")))


def _passed_alone(name: str, out: ParsedLog, head: bytes) -> bool:
    """A whole log (its head is all of it) of another runner's passed runs alone: clean."""
    read, runners = runners_alone.read_passed_alone(_text(head), name, out)
    if not read:
        return False
    out.lines_read += read
    out.formats[name] = runners
    return True


def _sizes(paths: Sequence[str]) -> int | None:
    """The inputs' total size in bytes, or None when one is standard input or not a file."""
    total = 0
    for path in paths:
        try:
            if path == "-" or not os.path.isfile(path):
                return None
            total += os.path.getsize(path)
        except OSError:
            return None
    return total


def read_logs(
    paths: Sequence[str],
    fmt: str = "auto",
    stdin: BinaryIO | None = None,
    *,
    overflow: Overflow | None = None,
    progress: ReadObserver | None = None,
    ahead: SearchAhead | None = None,
) -> ParsedLog:
    """Read every input in `paths` (`-` is standard input) into one `ParsedLog`; failures past
    the cap go to `overflow` when given, `progress` hears how far the reading is, and `ahead`
    searches an input's chunks ahead of its parse (`poolctl.logs.search_ahead`)."""
    if fmt not in FORMATS:
        raise UsageProblem(f"unknown log format {fmt!r}; use one of: {', '.join(FORMATS)}")
    out = ParsedLog(identifiers=IdentifierIndex(max_identifiers=MAX_IDENTIFIERS))
    out.overflow = overflow
    out.search_ahead = ahead
    total = _sizes(paths) if progress is not None else None
    done = 0
    read_any = False
    stdin_used = False
    for path in paths:
        name = STDIN_NAME if path == "-" else path
        out.inputs.append(name)
        if progress is not None:
            base = done
            out.progress = lambda n, base=base: progress.on_read(base + n, total)
        try:
            if path == "-":
                if stdin_used:
                    out.skipped.append(f"{name}: standard input named twice; read once")
                    continue
                stdin_used = True
                source = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
                if source is None:  # `poolctl triage - <&-`: Python sets sys.stdin to None
                    why = f"{name}: cannot read: standard input is closed"
                    out.skipped.append(why)
                    out.unopened.append(why)
                    continue
                read_any |= _read_one(source, name, fmt, out)
            else:
                try:
                    # a FIFO no process writes to blocked `open` for ever, without a word
                    stream = open_readable(path)
                except OSError as error:
                    why = f"{name}: cannot read: {error.strerror or error}"
                    out.skipped.append(why)
                    out.unopened.append(why)
                    continue
                with stream:
                    if kind := endless.device(stream):
                        why = (
                            f"{name}: {kind}, not a log: its reads may never end (give a file of "
                            "the runner's output, or - for standard input)"
                        )
                        out.skipped.append(why)
                        out.unopened.append(why)
                        continue
                    if is_zip(stream):
                        read_any |= read_archive(path, fmt, out, _read_one)
                        done += os.path.getsize(path)  # its members were read, not `stream`
                    else:
                        if progress is not None:  # in the file's bytes: a compressed log
                            # unpacks to many times its size
                            out.progress = lambda n, base=base, stream=stream: progress.on_read(
                                base + stream.tell(), total
                            )
                        read_any |= _read_one(stream, name, fmt, out)
                        done += stream.tell()
        except OSError as error:
            out.skipped.append(f"{name}: cannot read: {error.strerror or error}")
        except MemoryError:  # pragma: no cover - a parser bug, kept from killing the batch
            out.skipped.append(f"{name}: out of memory while reading")
    # the reading is over: its callbacks go (the overflow comes to hold the parsed log, and a
    # cycle would keep the whole log in memory until the garbage collector found it)
    out.progress = out.overflow = out.search_ahead = None
    if not read_any:
        why = "; ".join(out.skipped) if out.skipped else "no input given"
        raise InputError(f"nothing could be read from the logs: {why}")
    attach_context(out)
    return out
