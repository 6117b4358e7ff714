"""What a report shows of the run history, in every format: each finding new, known (with
how often and since when) or flaky; the summary's counts; the fix plan with the fixes of new
failures first and flaky failures marked. Terminal and Markdown are compared whole with golden
files (`pytest --update-golden`); JSON is validated against the shipped schema and read back.
"""

from __future__ import annotations

import dataclasses
import json

from poolctl.model import Diagnosis, Evidence, Failure, Finding, FindingHistory, Report
from poolctl.report import HtmlWriter, JsonWriter, MarkdownWriter, TerminalWriter
from poolctl.report.load import from_dict
from poolctl.report.view import summary_counts, summary_line
from tests.conftest import Golden
from tests.test_report_formats import valid_json

LOG = "/ci/logs/run.log"


def _finding(name: str, line: int, pattern: int, history: FindingHistory | None) -> Finding:
    ids = {3: "checkout-timeout-waiters", 4: "fixture-key-mismatch"}
    failure = Failure(
        source="junit",
        name=name,
        group="check_flaky",
        kind="CheckoutTimeout" if pattern == 3 else "KeyError",
        message="timed out waiting for a worker" if pattern == 3 else "KeyError: 'pool_pid'",
        input_file=LOG,
        line_start=line,
        line_end=line + 4,
    )
    diagnosis = Diagnosis(
        pattern_id=ids[pattern],
        pattern_number=pattern,
        title=f"pattern {pattern}",
        confidence=0.9,
        evidence=(Evidence(failure.message, f"{LOG}:{line + 1}"),),
        remediation=f"the fix for pattern {pattern}",
    )
    return Finding(failure, diagnosis, history)


def history_report() -> Report:
    """Three known failures of one fix; a new one and a flaky one of another."""
    known = FindingHistory("known", 2, "2026-11-01T08:00:00+00:00", "2026-11-20T09:30:00+00:00")
    return Report(
        kind="triage",
        title=f"triage of {LOG}",
        inputs=(LOG,),
        findings=(
            _finding("test_context_a", 10, 4, known),
            _finding("test_context_b", 20, 4, known),
            _finding("test_context_c", 50, 4, known),
            _finding(
                "test_checkout_under_load",
                30,
                3,
                FindingHistory(
                    "flaky", 1, "2026-11-28T10:00:00+00:00", "2026-11-28T10:00:00+00:00"
                ),
            ),
            _finding("test_checkout_fresh", 40, 3, FindingHistory("new")),
        ),
    )


def test_terminal_view(golden: Golden) -> None:
    golden("history.report.term.txt", TerminalWriter(width=100).render(history_report()))


def test_markdown_view(golden: Golden) -> None:
    golden("history.report.md", MarkdownWriter().render(history_report()))


def test_summary_counts_new_known_and_flaky() -> None:
    report = history_report()
    counts = summary_counts(report)
    assert (counts["new"], counts["known"], counts["flaky"]) == (1, 3, 1)
    assert summary_line(report).endswith("· 1 new, 3 known, 1 flaky")
    without = dataclasses.replace(
        report, findings=tuple(dataclasses.replace(f, history=None) for f in report.findings)
    )
    assert "new" not in summary_counts(without) and "new" not in summary_line(without)


def test_the_fix_plan_puts_new_failures_first_and_flaky_ones_last() -> None:
    plan = history_report().fix_plan()
    # the fix of pattern 3 resolves fewer failures, but one of them is new; within it the new
    # failure comes before the flaky one, which the log has first
    assert [remediation for remediation, _ in plan] == [
        "the fix for pattern 3",
        "the fix for pattern 4",
    ]
    assert [f.failure.name for f in plan[0][1]] == [
        "test_checkout_fresh",
        "test_checkout_under_load",
    ]
    plain = dataclasses.replace(
        history_report(),
        findings=tuple(dataclasses.replace(f, history=None) for f in history_report().findings),
    )
    assert [r for r, _ in plain.fix_plan()] == ["the fix for pattern 4", "the fix for pattern 3"]


def test_html_marks_each_finding_and_the_flaky_fix() -> None:
    page = HtmlWriter().render(history_report())
    assert page.count('<small class="fail">new</small>') == 1
    assert page.count('<small class="warn">flaky</small>') == 1
    assert page.count('<small class="muted">known: 2 earlier runs since 2026-11-01</small>') == 3
    assert "1 new, 3 known, 1 flaky</p>" in page
    # the fix plan: the fix with a new failure first, its flaky failure marked and last
    start = page.index("<h2>Fix plan</h2>")
    plan = page[start : page.index("</table>", start)]
    rows = [row for row in plan.split("<tr>") if row.startswith('<td class="n">')]
    assert [row.split("</td>")[1] for row in rows] == [
        '<td class="n">2 (1 new)',
        '<td class="n">3',
    ]
    assert rows[0].endswith(
        '<td>run.log:<b class="ln">40-44</b>, run.log:<b class="ln">30-34</b> (flaky)</td></tr>\n'
    )
    assert "(flaky)" not in rows[1]


def test_json_carries_each_finding_s_history_and_reads_back() -> None:
    text = JsonWriter().render(history_report())
    valid_json(text)
    doc = json.loads(text)
    assert doc["findings"][0]["history"] == {
        "status": "known",
        "seen_before": 2,
        "first_seen": "2026-11-01T08:00:00+00:00",
        "last_seen": "2026-11-20T09:30:00+00:00",
    }
    assert [f["history"]["status"] for f in doc["findings"]] == [
        "known",
        "known",
        "known",
        "flaky",
        "new",
    ]
    assert (doc["summary"]["new"], doc["summary"]["known"], doc["summary"]["flaky"]) == (1, 3, 1)
    again = from_dict(doc)
    assert [f.history for f in again.findings] == [f.history for f in history_report().findings]
    assert TerminalWriter().render(again) == TerminalWriter().render(history_report())
