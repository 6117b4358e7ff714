"""What reading a test log yields: failures, worker tracebacks, and an index of identifiers.

The parsers (`poolctl/logs/`) produce a `ParsedLog`; the classifier (`poolctl/triage/`)
consumes it. Logs are read as a stream, so everything kept here is bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from poolctl.errors import InputError
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.search_ahead import SearchAhead

STDIN_NAME = "<stdin>"  # how standard input is named in evidence and notes
MAX_SUSPECTS = 1_000  # lines kept that may start an unread failure
# runs listed one by one (closing lines, JUnit suites); past them, runs are counted by input
# (`poolctl.triage.coverage`), and a parser may count them as it ends them (`RunsCounted`)
MAX_RUNS = 1_000

Lines = list[tuple[int, str]]  # (line number, text) of consecutive input lines
# Where a failure past the cap goes (with its block's lines): classified and counted, not kept.
Overflow = Callable[[Failure, Lines], None]


class UnreadableInput(InputError):
    """An input corrupted past reading on (a JUnit file not well-formed, with no test case or
    suite to start again at, though more of it follows): what it holds cannot be counted, so the
    whole triage stops on it rather than report fewer failures than there are."""


@dataclass(frozen=True)
class LogLine:
    """One input line and where it stands."""

    file: str
    line: int  # 1-based
    text: str  # ANSI colours removed

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class WorkerTraceback:
    """A traceback a worker wrote into the log (Python, or an Elixir/Erlang crash report)."""

    file: str
    line_start: int
    line_end: int
    text: str
    exception: str  # the `SomeError: message` line, or "" when there is none


@dataclass(frozen=True)
class RunSummary:
    """What a runner counted for one run: its closing line (`N tests, M failures`, `Result: …`,
    pytest's `== 3 failed ==`) or a JUnit suite's `failures`/`errors` attributes, and how many
    of the failures it counted were read, in lines `start`..`line` of `file`."""

    file: str
    line: int
    text: str
    tests: int | None = None
    failures: int | None = None
    # True when the runner printed no closing line for this run (a pasted run cut short, its
    # end seen only because the failure numbering restarts): `failures` counts its blocks.
    inferred: bool = False
    start: int = 1  # the first line of the run (of the suite, for JUnit)
    read: int | None = None  # failures read (and kept) in this run; None: not counted
    source: str = "closing line"  # or "numbering restart", "new run", "next app", "end of input",
    # "suite attributes"
    # the last line of its failures' output, when the runner prints it after the line that
    # counts them (stestr's `Failed 6 tests - output below:`); None: it ends at `line`
    output_end: int | None = None


@dataclass
class RunsCounted:
    """The runs of one input past the first `MAX_RUNS` that a parser counted as it ended them,
    keeping none: each of them read every failure its runner counted (a run with failures not
    read, or with more read than counted, stays a `RunSummary`: it is said where it is)."""

    start: int  # the first line of the first of them
    line: int  # the last line of the last
    runs: int = 0
    counted: int = 0  # the failures their runner counted, all read

    def add(self, start: int, line: int, counted: int) -> None:
        self.merge(start, line, 1, counted)

    def merge(self, start: int, line: int, runs: int, counted: int) -> None:
        """Count `runs` runs between `start` and `line` that counted `counted` failures."""
        self.start, self.line = min(self.start, start), max(self.line, line)
        self.runs += runs
        self.counted += counted


@dataclass
class IdentifierIndex:
    """Lines that name each identifier (pool names, pids, worker ids, sessions, ports).

    Bounded: at most `per_identifier` lines kept per identifier (the first ones seen, then the
    most recent), at most `max_identifiers` identifiers.
    """

    per_identifier: int = 12
    max_identifiers: int = 50_000
    lines: dict[str, list[LogLine]] = field(default_factory=dict)

    def add(self, identifier: str, line: LogLine) -> None:
        kept = self.lines.get(identifier)
        if kept is None:
            if len(self.lines) >= self.max_identifiers:
                return
            self.lines[identifier] = [line]
        elif len(kept) < self.per_identifier:
            kept.append(line)
        else:
            kept[-1] = line  # keep the first ones and the latest

    def naming(self, identifier: str) -> list[LogLine]:
        return self.lines.get(identifier, [])


class Rerun(NamedTuple):
    """A test run again after failing: how many failed tries were rerun, and the first failed
    try's message when the log gives it (Surefire's XML does; pytest-rerunfailures prints none)."""

    times: int
    message: str = ""


@dataclass
class ParsedLog:
    """Everything read from one or more test logs."""

    inputs: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # input -> exunit | pytest | junit
    # input -> the other runner whose output its parser saw in it (`mix test`, then `pytest`)
    also: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    tracebacks: list[WorkerTraceback] = field(default_factory=list)
    summaries: list[RunSummary] = field(default_factory=list)
    identifiers: IdentifierIndex = field(default_factory=IdentifierIndex)
    skipped: list[str] = field(default_factory=list)  # what could not be read, with file:line
    # the named files that could not be opened (not there, a folder, not readable): bad input,
    # said when the rest has been triaged
    unopened: list[str] = field(default_factory=list)
    lines_read: int = 0
    # lines that look like the start of a failure the parsers could not read (bounded)
    suspects: list[LogLine] = field(default_factory=list)
    # each kept failure's block as printed, and the lines after it, by (input, header line):
    # quoted as evidence with their line numbers, read by the `block` and `related` fields
    blocks: dict[tuple[str, int], Lines] = field(default_factory=dict)
    after: dict[tuple[str, int], Lines] = field(default_factory=dict)
    # input -> the lines where a test ended with no failure block (ExUnit's progress dots and
    # `--trace` lines), in order: what is printed after one is a later test's. Only the last
    # before each failure header is kept: the one a failure's region starts after
    test_ends: dict[str, list[int]] = field(default_factory=dict)
    # failures past `MAX_FAILURES` go here when set (else they are noted and dropped)
    overflow: Overflow | None = field(default=None, repr=False, compare=False)
    overflowed: int = 0  # failures given to `overflow`
    # input -> the lines of tests that failed by their subtests alone (`node --test`'s `not ok`
    # with `failureType: 'subtestsFailed'`, no suite): node counts each as a failure, its failed
    # subtests being the ones read
    failed_by_subtests: dict[str, list[int]] = field(default_factory=dict)
    # input -> a top-level TAP buffered subtest's `not ok … {` line -> its `}` line (Vitest's
    # TAP: a test file's): the TAP run counting that line reads its subtests to there
    braced_ends: dict[str, dict[int, int]] = field(default_factory=dict)
    # input -> `node --test`'s spec reporter's inline `✖ NAME (TIME)` lines, and whether each
    # has nothing under it (a failed describe suite's, or a test's failed by its subtests alone,
    # which node counts and leaves out of its closing section) or its error (`node_spec_block`)
    spec_inline: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    # input -> unittest's `-v` results of tests that failed (`test_x (m.C.test_x) ... FAIL`):
    # line, result (`unittest_block.RESULT_RE`), line as printed; a run stopped before its
    # blocks is read from them (`unittest_block.stopped`)
    unittest_results: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    # the last line of each input the identifier index covers whole (its first megabyte)
    indexed_to: dict[str, int] = field(default_factory=dict)
    # tests run again after failing (pytest-rerunfailures, Maven Surefire), by node id
    # (`file::test`, JUnit's `classname::name`): see `poolctl.logs.reruns`
    reruns: dict[str, Rerun] = field(default_factory=dict)
    # a CI service's lines for a failed job: (input, line, text, service), `other_verdicts`
    job_failures: list[tuple[str, int, str, str]] = field(default_factory=list)
    # input -> its runs past the first `MAX_RUNS` counted, not kept (a report of 100,000 suites)
    runs_counted: dict[str, RunsCounted] = field(default_factory=dict)

    def read_whole(self, file: str, text: str, fmt: str, what: str) -> bool:
        """`file`, a runner's whole report (`what`) in `text`, read by its own reader: said so
        among the notes, its format `fmt`, its lines counted. True, for the reader to return."""
        self.skipped.append(f"{file}: {what}, read whole")
        self.formats[file] = fmt
        self.lines_read += text.count("\n") + 1
        return True

    def counted_runs(self) -> int:
        """The runs whose failures a runner counted and were set against those read."""
        kept = [s for s in self.summaries if s.failures is not None and s.read is not None]
        return sum(not s.inferred for s in kept) + sum(k.runs for k in self.runs_counted.values())

    def near(self, failure: Failure) -> Lines:
        """The lines around `failure` past what the identifier index covers: its context
        before the header and the lines after its block (where its pool and pids are named)."""
        covered = self.indexed_to.get(failure.input_file, 1 << 62)
        if failure.line_end <= covered:
            return []
        lines = [(c.line, c.text) for c in failure.context if c.why == "before the header"]
        lines += self.after.get((failure.input_file, failure.line_start), [])
        return [(n, text) for n, text in lines if n > covered]

    # told the bytes of the current input read so far, after each chunk
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)
    # the search of its chunks run ahead of the parse (`poolctl.logs.search_ahead`), while read
    search_ahead: SearchAhead | None = field(default=None, repr=False, compare=False)

    def suspect(self, line: LogLine) -> None:
        """Note a line that may start a failure no parser read (the first `MAX_SUSPECTS`)."""
        if len(self.suspects) < MAX_SUSPECTS:
            self.suspects.append(line)
