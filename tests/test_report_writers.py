"""Every writer over one shared Report, compared whole with golden files (tests/golden/).

Run `pytest --update-golden` to rewrite the golden files after an intended change, and review
the diff. A missing golden file fails its test.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from poolctl.model import (
    Check,
    ContextLine,
    Diagnosis,
    Evidence,
    Failure,
    FailureGroup,
    Finding,
    Hypothesis,
    PingDetails,
    Report,
    TracebackItem,
    TriageDetails,
    Unclassified,
)
from poolctl.report import (
    WRITERS,
    Format,
    HtmlWriter,
    JsonWriter,
    JUnitWriter,
    MarkdownWriter,
    TerminalWriter,
    render,
)
from poolctl.report.github import render_annotations
from poolctl.report.markdown import block, code, prose, text
from tests.conftest import Golden

LOG = "/ci/logs/run.log"


def _p3(name: str, line: int, pool: str) -> Finding:
    failure = Failure(
        source="exunit",
        name=name,
        group="PoolV2Test",
        location="test/pool_v2_test.exs:178",
        kind="match (=) failed",
        message="match (=) failed",
        details={"right": f"{{:error, {{:timeout, {{NimblePool, :checkout, [:{pool}]}}}}}}"},
        context=(ContextLine(line - 20, "Session pool V2 started with 2 workers", "nearby"),),
        input_file=LOG,
        line_start=line,
        line_end=line + 8,
    )
    diagnosis = Diagnosis(
        pattern_id="checkout-timeout-waiters",
        pattern_number=3,
        title="Checkout timed out with callers waiting",
        confidence=0.9,
        evidence=(
            Evidence(failure.details["right"], f"{LOG}:{line + 4}", "the checkout timed out"),
            Evidence(
                "Session pool V2 started with 2 workers", f"{LOG}:{line - 20}", "pool_size = 2"
            ),
        ),
        facts={"pool": pool, "pool_size": 2, "waiters": 5, "oversubscribed": True},
        cause="More callers than workers (the log shows: waiters 5 > pool size 2)",
        remediation="Give the pool at least as many workers as callers (5 waiting on 2).",
        reproduce="poolctl run-scenario p3-checkout-timeout",
        hypotheses=(
            Hypothesis("more-callers", "More callers than workers.", "confirmed", (), "5 > 2"),
            Hypothesis(
                "leak",
                "A caller never checks its worker in.",
                "ruled-out",
                (Evidence("busy 0 after the test", f"{LOG}:{line + 9}"),),
                "the log shows otherwise",
            ),
            Hypothesis(
                "short-timeout",
                "The checkout timeout is too short.",
                "untested",
                (),
                "no evidence for or against it in the log; to tell: compare the hold time",
            ),
        ),
    )
    return Finding(failure, diagnosis)


def sample_report() -> Report:
    """A report holding every kind of content a writer must render."""
    p1 = Failure(
        source="pytest",
        name="test_ping | pipes `and` <module>",
        group="check_port.py",
        kind="TimeoutError",
        message="TimeoutError: no response from worker (pid 42) to 'ping' within 0.5s",
        input_file=LOG,
        line_start=3,
        line_end=9,
    )
    d1 = Diagnosis(
        pattern_id="port-no-response",
        pattern_number=1,
        title="Worker started but never answered",
        confidence=0.6,
        evidence=(Evidence(p1.message, f"{LOG}:8", "no answer arrived within the timeout"),),
        facts={"timeout": "0.5s", "os_pid": 42},
        cause="not determined from the log: none of the 2 candidate causes has evidence here",
        remediation="Run `poolctl ping --stderr merge -- <cmd>`; keep stdout for frames | only.",
        reproduce="poolctl run-scenario p1-merged-stderr",
        hypotheses=(
            Hypothesis("crashed", "The worker crashed.", "untested", (), "to tell: exit status"),
            Hypothesis("buffered", "Stdout is buffered.", "untested", (), "to tell: use -u"),
        ),
    )
    lost = Failure(
        source="exunit",
        name="test graceful shutdown",
        group="SessionPoolTest",
        kind="EXIT from",
        message="shutdown",
        input_file=LOG,
        line_start=40,
        line_end=42,
    )
    plain = Failure(
        source="exunit",
        name="test arithmetic",
        kind="ExUnit.AssertionError",
        message="Assertion with == failed",
        input_file=LOG,
        line_start=50,
        line_end=55,
    )
    return Report(
        kind="triage",
        title=f"triage of {LOG}",
        inputs=(LOG,),
        findings=(
            Finding(p1, d1),
            _p3("test error handling", 129, "test_pool_8770_pool"),
            _p3("test worker death", 208, "test_pool_9218_pool"),
            Finding(
                lost,
                Unclassified(
                    "pool-shutdown-during-checkout",
                    0.2,
                    "set aside: the test stopped a linked process",
                ),
            ),
            Finding(plain, Unclassified(None, 0.0, "no pattern's signals fire on this failure")),
        ),
        checks=(
            Check("python", "interpreter", "ok", "Python 3.11.7"),
            Check(
                "worker",
                "answers ping",
                "fail",
                "no answer in 5 s",
                "run `poolctl ping`",
                (Evidence("Warn", "stdout bytes 0-3", "read as a frame length"),),
            ),
        ),
        environment={"python": "3.11.7"},
        notes=("skipped: run.log:12: invalid UTF-8, decoded with replacement characters",),
        run_dir="reports/20260101T000000Z-triage",
        details=TriageDetails(
            lines_read=420,
            formats={LOG: "exunit"},
            run_summaries=(f"{LOG}:416: 45 doctests, 563 tests, 17 failures",),
            tracebacks=(
                TracebackItem(
                    f"{LOG}:47-50",
                    "ValueError: Program not found: nonexistent",
                    "Traceback (most recent call last):\n"
                    '  File "w.py", line 1, in <module>\n'
                    "ValueError: Program not found: nonexistent",
                ),
            ),
            tracebacks_omitted=3,
        ),
    )


CASES = {
    "report.term.txt": lambda r: TerminalWriter(width=100).render(r),
    "report.verbose.term.txt": lambda r: TerminalWriter(width=100, verbose=True).render(r),
    "report.quiet.term.txt": lambda r: TerminalWriter(width=100, quiet=True).render(r),
    "report.top1.term.txt": lambda r: TerminalWriter(width=100, top=1).render(r),
    "report.md": lambda r: MarkdownWriter().render(r),
    "report.json": lambda r: JsonWriter().render(r),
    "report.junit.xml": lambda r: JUnitWriter().render(r),
    "report.html": lambda r: HtmlWriter().render(r),
    "report.annotations.txt": lambda r: render_annotations(r, workspace="/ci"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(golden: Golden, name: str) -> None:
    golden(name, CASES[name](sample_report()))


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_has_a_writer_and_renders(fmt: Format) -> None:
    out = render(sample_report(), fmt)
    assert fmt in WRITERS
    assert "port-no-response" in out and "test error handling" in out


@pytest.mark.parametrize("fmt", [f for f in Format if f is not Format.JUNIT])
def test_the_fix_plan_comes_before_the_details(fmt: Format) -> None:
    """Verdict first, in every format: the summary, then the fix plan, then what backs it."""
    out = render(sample_report(), fmt)
    fix = "Give the pool at least as many workers as callers"
    detail = "Session pool V2 started with 2 workers"  # a piece of evidence
    assert fix in out
    summary = out.find("failures") if fmt is not Format.JSON else out.find('"summary"')
    assert 0 <= summary < out.find(fix)
    if detail in out:  # JSON and Markdown always hold the evidence; the terminal with -v
        assert out.find(fix) < out.find(detail)
    verbose = TerminalWriter(width=100, verbose=True).render(sample_report())
    assert verbose.find(fix) < verbose.find(detail)


def test_junit_puts_the_fix_first_in_each_failure() -> None:
    body = JUnitWriter().render(sample_report())
    failure = body[body.index("test error handling") :]
    assert failure.index("fix: Give the pool") < failure.index("evidence:")


def test_top_keeps_the_biggest_groups_and_says_how_many_more() -> None:
    grouped = dataclasses.replace(
        sample_report(),
        details=TriageDetails(
            groups=(
                FailureGroup("a", "port-no-response", (0,)),
                FailureGroup("b", "checkout-timeout-waiters", (1, 2)),
            )
        ),
    )
    out = TerminalWriter(width=100, top=1).render(grouped)
    assert "━━ Pattern 3" in out and "━━ Pattern 1" not in out  # 2 failures beat 1
    assert "1 more group(s) past --top 1" in out
    assert "1. resolves 2 failures" in out and "2. resolves 1 failure" in out  # plan whole
    # ungrouped (a scenario run): each failure is a group, pattern order breaks the tie
    ungrouped = TerminalWriter(width=100, top=1).render(sample_report())
    assert "━━ Pattern 1" in ungrouped and "2 more group(s) past --top 1" in ungrouped


def test_quiet_stops_after_the_fix_plan() -> None:
    out = TerminalWriter(width=100, quiet=True).render(sample_report())
    assert out.splitlines()[1].startswith("5 failures")
    assert "Give the pool at least" in out and "━━" not in out and "run folder" not in out


def test_json_is_versioned_and_complete() -> None:
    doc = json.loads(JsonWriter().render(sample_report()))
    assert doc["schema_version"] == 1 and doc["kind"] == "triage"
    assert doc["summary"]["failures"] == 5 and doc["summary"]["unclassified"] == 2
    assert doc["summary"]["by_pattern"] == {"port-no-response": 1, "checkout-timeout-waiters": 2}
    first = doc["fix_plan"][0]
    assert first["resolves"] == 2 and first["findings"] == [1, 2]
    statuses = {c["id"]: c["status"] for c in doc["patterns"][1]["causes"]}
    assert statuses == {
        "more-callers": "confirmed",
        "leak": "ruled-out",
        "short-timeout": "untested",
    }
    assert doc["findings"][3]["outcome"]["type"] == "unclassified"


def test_terminal_has_no_colour_by_default_and_colour_when_asked() -> None:
    assert "\x1b[" not in TerminalWriter().render(sample_report())
    assert "\x1b[" in TerminalWriter(color=True).render(sample_report())


def test_other_report_kinds_render() -> None:
    ping = Report(
        kind="ping",
        title="ping python3 w.py",
        findings=sample_report().findings[:1],
        details=PingDetails(ok=False),
    )
    doctor = Report(kind="doctor", title="doctor", checks=sample_report().checks)
    for report in (ping, doctor, Report(kind="scenario", title="empty")):
        for fmt in Format:
            assert render(report, fmt)
    assert "0 failures" in render(Report(kind="triage", title="t"), Format.TERM)
    assert "answers ping" in render(doctor, Format.MD)


def test_markdown_escaping() -> None:
    assert text("a|b <x> *y*") == "a\\|b &lt;x&gt; \\*y\\*"
    # a pipe in a code span is escaped in a table cell only: elsewhere `\|` shows the backslash
    assert code("a `b` c|d") == "``a `b` c|d``"
    assert code("a `b` c|d", cell=True) == "``a `b` c\\|d``"
    assert prose("run `a|b` then <c>") == "run `a|b` then &lt;c&gt;"
    assert prose("run `a|b` then <c>", cell=True) == "run `a\\|b` then &lt;c&gt;"
    # a lone carriage return is a line break to CommonMark (and to a CI runner reading stdout)
    assert text("a\rb") == "a b" and code("a\rb") == "`a b`"
    assert block("x\ry") == "```\nx\ny\n```"
