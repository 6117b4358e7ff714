"""The core records every part of poolctl speaks: Failure, Evidence, Diagnosis, Report.

A triaged test log, a scenario run, a failed ping and a doctor run all end as one `Report`,
and every writer (terminal, Markdown, JSON, JUnit, HTML) renders that one model. What only one
kind of run measures is in the report's typed `details` (`PingDetails`, `DoctorDetails`,
`TriageDetails`, `ScenarioDetails`; `RunsDetails` for several runs combined). A run with a trace
keeps its `Timeline`, the picture of its `events.jsonl`, in its details.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, get_args

# the runners whose failure blocks a text parser reads beside its own (`poolctl.logs.other_blocks`):
# TAP (prove, Bats, node's TAP reporter), Vitest, `node --test`'s spec and dot reporters, unittest,
# Jest, Mocha, cargo test, go test, uvu, EUnit's text report, common_test's console, ward, AVA,
# Jasmine
OtherRunner = Literal[
    "tap",
    "vitest",
    "node",
    "unittest",
    "jest",
    "mocha",
    "cargo",
    "go",
    "uvu",
    "eunit",
    "common_test",
    "ward",
    "ava",
    "jasmine",
    "rspec",
    "minitest",
    "phpunit",
    "gtest",
    "ctest",
    "catch2",
    "robot",
    "behave",
    "deno",
    "bats",
    "playwright",
    "test_unit",
    "bun",
    "busted",
    "testthat",
    "hspec",
    "tasty",
    "junit5_console",
    "clojure_test",
    "testng",
    "ounit",
    "tcltest",
    "zig",
    "shunit2",
    "cram",
    "yath",
    "alcotest",
    "surefire",
    "ginkgo",
    "gradle",
    "boost_test",
    "cucumber_js",
    "doctest_cpp",
    "cucumber",
    "teamcity",
]
# where a failure was read: a runner's output, or a run of poolctl's own
Source = Literal["exunit", "pytest", "junit", OtherRunner, "scenario", "ping", "doctor"]
OTHER_RUNNERS: tuple[Source, ...] = get_args(OtherRunner)
# ... of them, those that group a test by a name of theirs, not by its file: unittest by its dotted
# module and class (`test_pool.PoolTests`), Mocha by its outermost describe suite, uvu by its suite,
# EUnit by its module, minitest and PHPUnit by their class, GoogleTest by its test suite
GROUPED_BY_NAME: tuple[Source, ...] = (
    "unittest",
    "mocha",
    "uvu",
    "eunit",
    "minitest",
    "phpunit",
    "gtest",
)
# each failure of these printed whole in one block, its test named by its file: read as pytest's
BLOCK_SOURCES: tuple[Source, ...] = ("pytest", *OTHER_RUNNERS)
HypothesisStatus = Literal["confirmed", "ruled-out", "untested"]
CheckStatus = Literal["ok", "warn", "fail"]
ReportKind = Literal["triage", "scenario", "ping", "doctor"]
HistoryStatus = Literal["new", "known", "flaky"]


@dataclass(frozen=True, slots=True)  # thousands a triage: no dict each
class Evidence:
    """One quoted fact and where it came from."""

    text: str  # the quote: a log line, a byte string, a stderr line, an event
    origin: str  # "run.log:12", "workers/w1.stderr.log", "stdout bytes 0-11", "event 17"
    note: str = ""  # what it shows


@dataclass(frozen=True)
class Hypothesis:
    """One candidate explanation, tested against evidence or reported as untested."""

    id: str
    title: str
    status: HypothesisStatus
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""  # why it is ruled out, or why it could not be tested


@dataclass(frozen=True, slots=True)  # thousands a triage: no dict each
class ContextLine:
    """A log line related to a failure: near it, or naming the same pool, pid or session."""

    line: int
    text: str
    why: str = "nearby"


@dataclass(frozen=True)
class Failure:
    """One failed test, scenario step or ping, and where in the input it came from."""

    source: Source
    name: str
    group: str = ""  # module or class
    location: str = ""  # test file:line
    kind: str = ""  # exception or assertion type
    message: str = ""
    details: Mapping[str, str] = field(default_factory=dict)  # code, left, right, arguments…
    stacktrace: tuple[str, ...] = ()
    context: tuple[ContextLine, ...] = ()
    input_file: str = ""
    line_start: int = 0
    line_end: int = 0

    @property
    def origin(self) -> str:
        """`file:start-end` of the failure in its input."""
        if not self.input_file:
            return ""
        if self.line_end and self.line_end != self.line_start:
            return f"{self.input_file}:{self.line_start}-{self.line_end}"
        return f"{self.input_file}:{self.line_start}"


@dataclass(frozen=True)
class Diagnosis:
    """A failure assigned to a known pattern, with the evidence and the fix."""

    pattern_id: str
    pattern_number: int
    title: str
    confidence: float  # 0..1
    evidence: tuple[Evidence, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)
    cause: str = ""  # the likely root cause among the candidates, and why
    remediation: str = ""
    reproduce: str = ""  # how to reproduce: a bundled scenario or a command
    hypotheses: tuple[Hypothesis, ...] = ()


@dataclass(frozen=True)
class Unclassified:
    """A failure no pattern claims: the nearest pattern and why it fell short."""

    nearest: str | None
    score: float
    why: str


@dataclass(frozen=True)
class FindingHistory:
    """What the run history knew of a failure when it was reported: `new` (never seen), `known`
    (seen in `seen_before` earlier runs, first and last at those UTC times), or `flaky` (its
    test's outcomes flip: see `poolctl/history/flaky.py`)."""

    status: HistoryStatus
    seen_before: int = 0
    first_seen: str | None = None  # ISO 8601, UTC
    last_seen: str | None = None


@dataclass(frozen=True)
class Finding:
    """A failure and what poolctl concluded about it (and, when history is kept, whether it is
    new, known or flaky)."""

    failure: Failure
    outcome: Diagnosis | Unclassified
    history: FindingHistory | None = None


@dataclass(frozen=True)
class Check:
    """One `doctor` check: a mark, a one-line summary, a remedy and the evidence behind it."""

    section: str
    name: str
    status: CheckStatus
    summary: str
    remedy: str = ""
    evidence: tuple[Evidence, ...] = ()
    seconds: float = 0.0


# A details field with this metadata is laid out by the writers themselves (or kept for the
# JSON view only); the generic layout lists every other field under "Details".
LAID_OUT: Mapping[str, bool] = MappingProxyType({"laid_out": True})


@dataclass(frozen=True)
class TimeSpan:
    """A lane's state from `start` to `end` (seconds since the trace began); `count` events
    folded into one span where the run was too dense to draw each."""

    start: float
    end: float
    state: str  # starting, init, idle, busy, failed, stopping; waiting, granted, timeout…
    label: str = ""  # what a hover shows: worker, pid, request id, bytes, caller…
    count: int = 1


@dataclass(frozen=True)
class TimeMark:
    """One instant on a lane: a timeout, a death, a fault, the pool stopping, a verdict."""

    t: float
    kind: str  # spawn, timeout, refused, death, kill, stop, init-failed, no-answer, verdict…
    label: str
    seq: int = 0  # its event's number in events.jsonl (the first, when `count` > 1)
    count: int = 1  # marks of one kind folded together where they are too dense to draw


@dataclass(frozen=True)
class Lane:
    """One row of the picture: a worker, the waiting queue, the steps, or an experiment."""

    id: str  # "w1", "queue", "steps", "w1-exp-replay"
    kind: Literal["steps", "queue", "worker", "experiment"]
    title: str
    spans: tuple[TimeSpan, ...] = ()
    marks: tuple[TimeMark, ...] = ()
    folded: int = 0  # spans merged into others because the picture could not show them apart


@dataclass(frozen=True)
class Timeline:
    """A run's `events.jsonl` as lanes over time, bounded in size whatever the run's length:
    what the HTML timeline, the Markdown Mermaid chart and the HTML report draw."""

    end: float  # seconds: the trace's last event
    lanes: tuple[Lane, ...] = ()
    waiting: tuple[tuple[float, int], ...] = ()  # (t, callers waiting) where the count changes
    pattern: str = ""  # "3 checkout-timeout-waiters — Checkout timed out with callers waiting"
    verdict: str = ""  # the likely cause, in a sentence
    deciding: TimeMark | None = None  # the event the verdict rests on
    events: int = 0  # events read from the trace
    notes: tuple[str, ...] = ()  # what was folded to keep the picture readable


@dataclass(frozen=True)
class FramingTrial:
    """One framing tried by `ping --framing auto`: did a fresh process answer in it?"""

    framing: str
    answered: bool
    detail: str


@dataclass(frozen=True)
class FramingAuto:
    """`ping --framing auto`: the framing used, and every framing tried."""

    used: str
    trials: tuple[FramingTrial, ...] = ()


@dataclass(frozen=True)
class ProtocolStep:
    """One message of a protocol session (`initialize`, `ping`, `shutdown`…) and how it went."""

    method: str
    ok: bool
    detail: str  # "answered", "error reply: Method not found (code -32601)", "sent", …
    ms: float | None = None  # round trip of a request
    at_s: float | None = None  # seconds since the worker started, when it ended


@dataclass(frozen=True)
class PingDetails:
    """What a ping measured: the worker, the round trips and the last answer; for a protocol
    with a handshake (mcp, lsp), each step and what the server said about itself."""

    ok: bool = True
    worker: Mapping[str, Any] = field(default_factory=dict)  # pid, framing, exit, transcripts…
    round_trips_ms: tuple[float, ...] = ()
    stats_ms: Mapping[str, float] = field(default_factory=dict)  # min, median, p99, max
    response: Mapping[str, Any] | None = None  # the last answer, as the worker sent it
    framing_auto: FramingAuto | None = None
    command: str = field(default="ping", metadata=LAID_OUT)  # the request's command
    protocol: str = field(default="dspex", metadata=LAID_OUT)
    steps: tuple[ProtocolStep, ...] = field(default=(), metadata=LAID_OUT)
    server: Mapping[str, Any] = field(default_factory=dict, metadata=LAID_OUT)  # name, version…
    server_requests: tuple[str, ...] = field(default=(), metadata=LAID_OUT)  # methods answered
    notifications: tuple[str, ...] = field(default=(), metadata=LAID_OUT)  # "method: params"
    timeline: Timeline | None = field(default=None, metadata=LAID_OUT)  # when it was diagnosed


@dataclass(frozen=True)
class DoctorDetails:
    """How long `doctor` took and what it checked."""

    seconds: float = 0.0
    init_timeout_s: float = 0.0
    worker: tuple[str, ...] = ()  # the worker's argv
    framing: str = ""
    stderr: str = ""
    protocol: str = field(default="dspex", metadata=LAID_OUT)
    timeline: Timeline | None = field(default=None, metadata=LAID_OUT)  # a silent worker's


@dataclass(frozen=True)
class RunCount:
    """One run as its runner counted it (a closing line, a JUnit suite), and what was read."""

    file: str
    start: int  # the run's first line
    line: int  # its closing line (a JUnit suite: its last line)
    text: str
    counted: int
    read: int

    @property
    def unread(self) -> int:
        return max(0, self.counted - self.read)


@dataclass(frozen=True)
class UnreadRegion:
    """Lines of an input where failures a runner counted may be, that were not read."""

    file: str
    start: int
    end: int
    why: str

    @property
    def origin(self) -> str:
        """`file:start-end` (or `file:start`)."""
        span = f"{self.start}" if self.end <= self.start else f"{self.start}-{self.end}"
        return f"{self.file}:{span}"


@dataclass(frozen=True)
class RunsPastCap:
    """The runs of one input past the runs listed one by one (`runs` of them, lines
    `start`..`line`): counted together, not listed."""

    file: str
    start: int  # the first line of the first of them
    line: int  # the closing line of the last
    runs: int
    counted: int
    read: int
    unread: int  # summed run by run: a run that read more than it counted hides none


@dataclass(frozen=True)
class Coverage:
    """The failures the runners counted, how many were read, and where the others may be."""

    counted: int  # the runners' own failure counts, summed over their runs
    read: int  # ... of them read as failures
    runs: tuple[RunCount, ...] = ()  # the first runs, one by one
    regions: tuple[UnreadRegion, ...] = ()
    more: tuple[RunsPastCap, ...] = ()  # the runs past those listed, by input

    @property
    def unread(self) -> int:
        return sum(run.unread for run in self.runs) + sum(m.unread for m in self.more)


@dataclass(frozen=True)
class FailureGroup:
    """Identical failures: the same pattern and the same normalised message."""

    key: str  # a short hash of the normalised message
    pattern_id: str | None
    findings: tuple[int, ...]  # indexes into `Report.findings`: the best diagnosed, then the rest
    more: int = 0  # failures of the group past the triage's cap: counted, not kept

    @property
    def size(self) -> int:
        """How many failures the group holds, listed or only counted."""
        return len(self.findings) + self.more


@dataclass(frozen=True)
class Cluster:
    """Unclassified failures whose messages are the same once numbers, pids, references, hex,
    paths and quoted values are stripped; `id` is a short hash of that text (stable)."""

    id: str
    text: str  # the normalised message
    findings: tuple[int, ...]  # indexes into `Report.findings`, in input order
    nearest: str | None = None  # the pattern most of them came nearest to
    more: int = 0  # failures of the cluster past the triage's cap: counted, not kept

    @property
    def size(self) -> int:
        """How many failures the cluster holds, listed or only counted."""
        return len(self.findings) + self.more


@dataclass(frozen=True)
class TracebackItem:
    """A worker traceback found in a triaged log."""

    origin: str
    exception: str
    text: str


@dataclass(frozen=True)
class TriageDetails:
    """What `triage` read: lines and formats, the runner's closing lines, worker tracebacks;
    the runners' counts against the failures read, identical failures grouped and unclassified
    ones clustered (their indexes are into the report's findings)."""

    formats: Mapping[str, str] = field(default_factory=dict, metadata=LAID_OUT)  # input: format
    lines_read: int = field(default=0, metadata=LAID_OUT)
    run_summaries: tuple[str, ...] = field(default=(), metadata=LAID_OUT)
    tracebacks: tuple[TracebackItem, ...] = field(default=(), metadata=LAID_OUT)
    tracebacks_omitted: int = field(default=0, metadata=LAID_OUT)
    knowledge_base: tuple[str, ...] = field(default=(), metadata=LAID_OUT)  # "1 port-no-…"
    pattern_sources: tuple[str, ...] = field(default=(), metadata=LAID_OUT)
    coverage: Coverage | None = field(default=None, metadata=LAID_OUT)  # counted against read
    groups: tuple[FailureGroup, ...] = field(default=(), metadata=LAID_OUT)  # identical diagnosed
    clusters: tuple[Cluster, ...] = field(default=(), metadata=LAID_OUT)  # unclassified, by text


@dataclass(frozen=True)
class StepSummary:
    """One scenario step: its kind and what went wrong in it."""

    step: int
    kind: str
    errors: tuple[str, ...] = ()
    expectation_failures: int = 0
    call_failures: int = 0


@dataclass(frozen=True)
class ScenarioDetails:
    """A scenario run: what it expects and found, its steps, pool, workers and services."""

    scenario: str
    file: str = ""
    description: str = ""
    expected: tuple[str, ...] = ()  # pattern ids; () when it expects outcome ok
    found: tuple[str, ...] = ()
    passed: bool = False
    interrupted: str | None = None
    events: int = 0
    events_file: str = ""
    pool: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[StepSummary, ...] = ()
    workers: tuple[Mapping[str, Any], ...] = ()
    services: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seconds: float = field(default=0.0, metadata=LAID_OUT)  # the run, as `run-scenario` timed it
    tour: bool = field(default=False, metadata=LAID_OUT)  # run in the bundled tour: one line
    timeline: Timeline | None = field(default=None, metadata=LAID_OUT)


@dataclass(frozen=True)
class RunSlice:
    """One run of a combined report: its own title, folder, notes and details, and the
    `[start, end)` ranges of the combined findings and checks that are its own."""

    kind: ReportKind
    title: str
    inputs: tuple[str, ...] = ()
    run_dir: str | None = None
    findings: tuple[int, int] = (0, 0)
    checks: tuple[int, int] = (0, 0)
    notes: tuple[str, ...] = ()
    details: Details | None = None
    interrupted: str | None = None  # the signal that cut this run short


@dataclass(frozen=True)
class RunsDetails:
    """Several runs combined into one report (a scenario tour as one JSON or JUnit document)."""

    runs: tuple[RunSlice, ...] = field(default=(), metadata=LAID_OUT)


Details: TypeAlias = PingDetails | DoctorDetails | TriageDetails | ScenarioDetails | RunsDetails


@dataclass(frozen=True)
class Report:
    """Everything one poolctl run concluded; the only input of every writer."""

    kind: ReportKind
    title: str
    inputs: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    checks: tuple[Check, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # input skipped, run interrupted, secrets kept…
    run_dir: str | None = None
    details: Details | None = None  # what only this kind of run measures
    interrupted: str | None = None  # the signal that cut the run short ("SIGINT"), if one did

    @property
    def diagnosed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if isinstance(f.outcome, Diagnosis))

    @property
    def unclassified(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if isinstance(f.outcome, Unclassified))

    def by_pattern(self) -> dict[str, list[Finding]]:
        """Diagnosed findings grouped by pattern id, in pattern-number order."""
        groups: dict[str, list[Finding]] = {}
        ordered = sorted(self.diagnosed, key=lambda f: _diagnosis(f).pattern_number)
        for finding in ordered:
            groups.setdefault(_diagnosis(finding).pattern_id, []).append(finding)
        return groups

    def fix_plan(self) -> list[tuple[str, list[Finding]]]:
        """Distinct remediations, each with the failures it resolves: with run history, the
        fixes of new failures first (and a fix's new failures first in it), then the most
        resolved first; flaky failures last within their fix."""
        fixes: dict[str, list[Finding]] = {}
        for finding in self.diagnosed:
            fixes.setdefault(_diagnosis(finding).remediation, []).append(finding)
        for findings in fixes.values():
            findings.sort(key=_history_rank)
        return sorted(
            fixes.items(), key=lambda item: (_history_rank(item[1][0]) != 0, -len(item[1]))
        )


def _history_rank(finding: Finding) -> int:
    """0 new, 1 known or no history, 2 flaky: the order of a fix's failures."""
    status = finding.history.status if finding.history is not None else None
    return {"new": 0, "flaky": 2}.get(status or "", 1)


def _diagnosis(finding: Finding) -> Diagnosis:
    assert isinstance(finding.outcome, Diagnosis)
    return finding.outcome
