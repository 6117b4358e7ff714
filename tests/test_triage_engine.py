"""The classifier and the engine on hand-built failures (copies of the corpus's blocks)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.records import IdentifierIndex, LogLine, ParsedLog, RunSummary, WorkerTraceback
from poolctl.model import ContextLine, Diagnosis, Failure, TriageDetails, Unclassified
from poolctl.patterns import load_patterns
from poolctl.patterns.loader import Signal
from poolctl.triage import locate, triage
from poolctl.triage.classifier import render_template
from poolctl.triage.facts import map_keys, nearest_key

KB = load_patterns()
LOG = "run.log"


def failure(line: int, **fields: object) -> Failure:
    base: dict[str, object] = {"source": "exunit", "name": f"test at {line}", "input_file": LOG}
    base.update(fields)
    base.setdefault("line_start", line)
    base.setdefault("line_end", line + 5)
    return Failure(**base)  # type: ignore[arg-type]


# the DSPex corpus's blocks, as the ExUnit parser gives them
SHUTDOWN = failure(
    60,
    kind="match (=) failed",
    message="match (=) failed",
    details={
        "code": "assert :ok = adapter.health_check.()",
        "left": ":ok",
        "right": "{:error, {:shutdown, {NimblePool, :checkout, [:test_pool_8706]}}}",
    },
)
SHUTDOWN_SEEN = failure(
    163,
    kind="MatchError",
    message='no match of right hand side value: {:error, "Checkout failed: '
    '{:shutdown, {NimblePool, :checkout, [:test_pool_8962]}}"}',
)
LINKED_EXIT = failure(
    40,
    name="test graceful shutdown shuts down pool gracefully",
    kind="EXIT from",
    message="shutdown",
    details={"exit_from": "#PID<0.918.0>"},
)
TIMING = failure(
    275,
    kind="assertion <",
    message="Assertion with < failed",
    details={"code": "assert d < 1000", "left": "5339", "right": "1000"},
)
NIL_CHECK = failure(
    221,
    kind="assertion !=",
    message="Assertion with != failed, both sides are exactly equal",
    details={"code": "assert pool_supervisor != nil", "left": "nil"},
)
CONTEXT_KEYS = failure(
    191,
    location="test/pool_v2_test.exs:50",
    kind="FunctionClauseError",
    message='no function clause matching in PoolV2Test."test pool starts"/1',
    details={
        "arguments": "# 1\n%{async: false, line: 50, module: PoolV2Test, pid: #PID<0.1019.0>, "
        'registered: %{}, test: :"test pool starts", pool_size: 2, genserver_name: :p, '
        "pool_name: :p_pool, test_pid: #PID<0.1017.0>}",
        "code": 'test "pool starts", %{',
    },
)


def parsed(*failures: Failure, **more: object) -> ParsedLog:
    log = ParsedLog(inputs=[LOG], formats={LOG: "exunit"}, failures=list(failures), lines_read=420)
    for key, value in more.items():
        setattr(log, key, value)
    return log


def outcome(report_findings: object, line: int) -> Diagnosis | Unclassified:
    for f in report_findings:  # type: ignore[attr-defined]
        if f.failure.line_start == line:
            return f.outcome  # type: ignore[no-any-return]
    raise AssertionError(line)


def test_precision_cases_stay_unclassified_with_the_nearest_pattern_and_why() -> None:
    report = triage(parsed(LINKED_EXIT, TIMING, NIL_CHECK), KB, quote_lines=False)
    linked = outcome(report.findings, 40)
    assert isinstance(linked, Unclassified)
    assert linked.nearest == "pool-shutdown-during-checkout"
    assert "linked" in linked.why and "EXIT from: shutdown" in linked.why
    for line in (275, 221):
        u = outcome(report.findings, line)
        assert isinstance(u, Unclassified) and u.nearest is None
        assert u.why == "no pattern's signals fire on this failure"


def test_shutdown_names_the_pool_and_whether_the_log_shows_it() -> None:
    index = IdentifierIndex()
    for n, text in [
        (154, "Attempting to checkout from pool: :test_pool_8962"),
        (71, "Attempting to checkout from pool: :test_pool_8770_pool"),
    ]:
        pool = text.rsplit(" ", 1)[1]
        index.add(pool, LogLine(LOG, n, f"21:39:02.545 [debug] {text}"))
    report = triage(parsed(SHUTDOWN, SHUTDOWN_SEEN, identifiers=index), KB, quote_lines=False)
    unseen = outcome(report.findings, 60)
    seen = outcome(report.findings, 163)
    assert isinstance(unseen, Diagnosis) and isinstance(seen, Diagnosis)
    assert unseen.facts["pool"] == "test_pool_8706"
    assert unseen.facts["pool_seen"] is False and unseen.facts["wrong_process"] is True
    assert unseen.facts["pools_seen"] == ["test_pool_8770_pool", "test_pool_8962"]
    # absence from the log is a hint, not evidence: the cause stays untested, checked first
    wrong = next(h for h in unseen.hypotheses if h.id == "wrong-process")
    assert wrong.status == "untested" and "worth checking first" in wrong.reason
    assert "worth checking first: The call is addressed" in unseen.cause
    assert "may be addressed to the wrong process" in unseen.remediation
    assert seen.facts["pool_seen"] is True and "wrong_process" not in seen.facts
    # the config-ignored theory of the seed analysis stays untested: nothing in the log shows it
    assert all(h.status == "untested" for h in seen.hypotheses)
    assert {e.origin for e in seen.evidence} >= {f"{LOG}:154"}


def test_waiters_and_pool_size_from_the_context() -> None:
    waits = [
        ContextLine(
            100 + i,
            '21:39:01.248 [warning] Unexpected message during init: {:"$gen_call",'
            f" {{#PID<0.99{i}.0>, #Reference<0.1.2.{i}>}}, {{:checkout, {{:session, "
            f'"error_test_{i}"}}, -5}}}}, continuing to wait...',
        )
        for i in range(5)
    ]
    size = ContextLine(
        147, "21:39:02.341 [info] Session pool V2 started with 2 workers, 0 overflow"
    )
    timeout = failure(
        129,
        kind="match (=) failed",
        message="match (=) failed",
        details={
            "right": "{:error, {:pool_timeout, {:timeout, "
            "{NimblePool, :checkout, [:test_pool_8770_pool]}}}}"
        },
        context=(*waits, size),
    )
    d = outcome(triage(parsed(timeout), KB, quote_lines=False).findings, 129)
    assert isinstance(d, Diagnosis) and d.pattern_number == 3
    assert (d.facts["waiters"], d.facts["pool_size"], d.facts["overflow"]) == (5, 2, 0)
    assert d.facts["oversubscribed"] is True
    assert "5 waiting on 2 worker(s), overflow 0" in d.remediation
    more = next(h for h in d.hypotheses if h.id == "more-callers-than-workers")
    assert more.status == "confirmed" and more.reason == "waiters 5 > pool size 2"


def test_key_mismatch_lists_the_provided_keys_and_reads_a_cut_off_head(tmp_path: Path) -> None:
    d = outcome(triage(parsed(CONTEXT_KEYS), KB, quote_lines=False).findings, 191)
    assert isinstance(d, Diagnosis) and d.pattern_id == "fixture-key-mismatch"
    assert d.facts["provided_keys"] == ["pid", "pool_size", "genserver_name", "pool_name"]
    assert "missing_key" not in d.facts and "does not show the expected key" in d.remediation
    source = tmp_path / "test" / "pool_v2_test.exs"
    source.parent.mkdir()
    lines = ["defmodule PoolV2Test do"] * 49 + [
        'test "pool starts successfully with lazy workers", %{',
        "  pool_pid: pool_pid,",
        "  genserver_name: genserver_name",
        "} do",
    ]
    source.write_text("\n".join(lines) + "\n")
    d = outcome(
        triage(parsed(CONTEXT_KEYS), KB, source_roots=[tmp_path], quote_lines=False).findings, 191
    )
    assert isinstance(d, Diagnosis)
    assert d.facts["expected_keys"] == ["pool_pid", "genserver_name"]
    assert (d.facts["missing_key"], d.facts["nearest_key"]) == ("pool_pid", "pid")
    assert "expects `pool_pid` but its setup provides `pid`" in d.remediation
    assert any(e.origin == f"{source}:50" for e in d.evidence)


def test_a_pattern_that_raises_is_reported_not_fatal() -> None:
    class Boom:
        pattern = "boom"

        def search(self, text: str) -> None:
            raise RuntimeError("bad rule")

    broken = dataclasses.replace(
        KB.get("port-no-response"),
        signals=(Signal("any", Boom(), 0.9, "explodes"),),  # type: ignore[arg-type]
    )
    kb = dataclasses.replace(KB, patterns=(broken, *list(KB)[1:]))
    report = triage(parsed(SHUTDOWN, TIMING), kb, quote_lines=False)
    assert isinstance(outcome(report.findings, 60), Diagnosis)
    note = next(n for n in report.notes if "port-no-response" in n)
    assert "raised an error and was skipped for 2 failure(s)" in note and "bad rule" in note


def test_report_carries_skips_tracebacks_and_the_unread_count() -> None:
    log = parsed(
        SHUTDOWN,
        skipped=[f"{LOG}:12: invalid UTF-8, decoded with replacement characters"],
        tracebacks=[WorkerTraceback(LOG, 47, 56, "Traceback ...\nValueError: x", "ValueError: x")],
        summaries=[RunSummary(LOG, 416, "563 tests, 17 failures", 563, 17, start=1, read=1)],
    )
    report = triage(log, KB, quote_lines=False)
    assert report.kind == "triage" and report.inputs == (LOG,)
    assert report.notes[0].startswith("skipped: run.log:12: invalid UTF-8")
    assert isinstance(report.details, TriageDetails)
    coverage = report.details.coverage
    assert coverage is not None
    assert (coverage.counted, coverage.read, coverage.unread) == (17, 1, 16)
    [region] = coverage.regions  # no line looks like a failure: the whole run
    assert (region.start, region.end) == (1, 415) and "17 counted, 1 read" in region.why
    assert report.details.tracebacks[0].origin == f"{LOG}:47-56"


def test_evidence_is_quoted_with_its_input_line(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_text(
        "noise\n"
        "  1) test health (PoolV2Test)\n"
        "     test/pool_v2_test.exs:289\n"
        "     match (=) failed\n"
        "     right: {:error, {:shutdown, {NimblePool, :checkout, [:p]}}}\n"
    )
    f = dataclasses.replace(
        SHUTDOWN,
        input_file=str(path),
        line_start=2,
        line_end=5,
        details={"right": "{:error, {:shutdown, {NimblePool, :checkout, [:p]}}}"},
    )
    d = triage(parsed(f), KB).findings[0].outcome
    assert isinstance(d, Diagnosis)
    assert d.evidence[0].origin == f"{path}:5"
    assert d.evidence[0].text == "{:error, {:shutdown, {NimblePool, :checkout, [:p]}}}"


@settings(max_examples=60)
@given(
    lines=st.lists(st.text(alphabet="ab \x1b[0m", max_size=30), min_size=1, max_size=40),
    wanted=st.lists(st.tuples(st.integers(1, 45), st.integers(0, 4)), min_size=1, max_size=5),
    chunk=st.integers(1, 20),
)
def test_block_reader_keeps_exactly_the_wanted_lines(
    tmp_path_factory: object, lines: list[str], wanted: list[tuple[int, int]], chunk: int
) -> None:
    path = Path(str(tmp_path_factory.mktemp("scan"))) / "log"  # type: ignore[attr-defined]
    content = "\n".join(lines)
    path.write_text(content)
    lines = content.split("\n")[:-1] if content.endswith("\n") or not content else lines
    ranges = locate._merge([(a, a + n) for a, n in wanted])
    old = locate.CHUNK
    locate.CHUNK = chunk
    try:
        got = locate.BlockLines._scan(path, ranges)
    finally:
        locate.CHUNK = old
    expect = {
        i + 1: strip_ansi(text)
        for i, text in enumerate(lines)
        if any(lo <= i + 1 <= hi for lo, hi in ranges)
    }
    assert got == expect


def test_map_keys_and_nearest_key() -> None:
    assert map_keys('%{a: 1, b: %{c: 2}, "d" => [1, 2], e: "x, y: z"}') == ["a", "b", "d", "e"]
    assert map_keys("{'pid': 1, 'pool_name': 'p'}") == ["pid", "pool_name"]
    assert nearest_key("pool_pid", ["pid", "pool_name", "pool_size"]) == "pid"
    assert nearest_key("worker_pid", ["pid", "worker", "pool"]) == "worker"
    assert nearest_key("currency", ["amount", "unit"]) is None


def test_remediation_templates() -> None:
    facts = {"a": 1, "l": ["x", "y"], "t": True, "z": 0}
    assert render_template("{a} {l} {missing} {missing|other}", facts) == "1 x, y the missing other"
    assert render_template("{missing|l|none}", facts) == "x, y"
    assert render_template("{?t:yes {a}}{!t:no}{?missing: never}{?z: zero}", facts) == "yes 1 zero"


def test_a_dropped_parsed_log_is_freed_at_once_not_by_the_garbage_collector() -> None:
    import gc
    import weakref

    from poolctl.triage.engine import Triage

    log = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log"
    job = Triage(load_patterns())
    parsed = job.read([str(log)])
    job.report(parsed)
    alive = weakref.ref(parsed)
    was = gc.isenabled()
    gc.disable()
    try:
        del parsed, job  # as `poolctl triage` does once the report is built
        assert alive() is None  # a 1 GB log's 70 MB stayed until the next full collection
    finally:
        if was:
            gc.enable()


def test_a_cause_without_evidence_is_one_shared_hypothesis_for_every_failure() -> None:
    from poolctl.triage.engine import Triage

    log = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log"
    job = Triage(load_patterns())
    report = job.report(job.read([str(log)]))
    untested: dict[str, list[object]] = {}
    for finding in report.findings:
        if isinstance(finding.outcome, Diagnosis):
            for h in finding.outcome.hypotheses:
                if h.reason.startswith("no evidence for or against it in the log"):
                    untested.setdefault(h.id, []).append(h)
    shared = [hs for hs in untested.values() if len(hs) > 1]
    assert shared  # the fixture has causes the log is silent about, in several failures
    assert all(all(h is hs[0] for h in hs) for hs in shared)  # one object, not a copy each
