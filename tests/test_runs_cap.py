"""Past the first `MAX_RUNS` runs, a report counts runs by input and never lists them: a JUnit
report of 100,000 suites made a JSON report of 100,000 run summaries and as many coverage
counts (47 MB of text). The report is a real capture: tests/fixtures/junit/node_many_suites.xml
(`node --test` with its JUnit reporter, 1,100 describe blocks written as 1,100 suites, every
100th failing on a checkout that times out)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema_rs

from poolctl.logs import read_logs
from poolctl.logs.records import MAX_RUNS
from poolctl.report.details import from_json
from poolctl.report.findings_view import MAX_RUNNER_LINES
from poolctl.report.json_writer import schema
from tests.conftest import RunCli

MANY = Path(__file__).parent / "fixtures" / "junit" / "node_many_suites.xml"
SUITES = 1_100


def test_runs_past_the_cap_are_counted_by_input_not_listed(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(MANY), "--no-history", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    jsonschema_rs.Draft202012Validator(schema()).validate(doc)
    coverage = doc["coverage"]
    assert (coverage["counted"], coverage["read"], coverage["unread"]) == (11, 11, 0)
    assert len(coverage["runs"]) == MAX_RUNS
    assert coverage["runs"][-1]["text"].startswith('<testsuite name="pool shard 999" ')
    [more] = coverage["more"]
    assert more["file"] == str(MANY)
    assert (more["runs"], more["counted"], more["read"], more["unread"]) == (100, 1, 1, 0)
    summaries = doc["extra"]["run_summaries"]
    assert len(summaries) == MAX_RUNS + 1
    assert summaries[-1].endswith(
        f"{SUITES - MAX_RUNS} more runs, not listed one by one (past the first 1,000): "
        "1 failures counted, 1 read"
    )
    [note] = [n for n in doc["notes"] if n.startswith("runs past the first 1,000")]
    assert f"{SUITES - MAX_RUNS} of them" in note
    details = from_json("triage", doc["extra"], doc)  # read back, the count is kept
    assert details is not None and details.coverage is not None  # type: ignore[union-attr]
    assert details.coverage.more[0].runs == SUITES - MAX_RUNS  # type: ignore[union-attr]


def test_the_markdown_says_the_runs_past_the_cap_are_counted(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(MANY), "--no-history", "--format", "md")
    assert code == 1, err
    runner_lines = [line for line in out.splitlines() if line.startswith("- runner: ")]
    assert len(runner_lines) == MAX_RUNS + 1
    assert "100 more runs, not listed one by one" in runner_lines[-1]
    assert "runs past the first 1,000 are counted by input, not listed one by one" in out


def test_the_parse_keeps_no_run_past_the_cap_that_read_all_it_counted() -> None:
    parsed = read_logs([str(MANY)])
    assert len(parsed.summaries) == MAX_RUNS  # the suites past them are counted, not kept
    assert parsed.summaries[-1].text.startswith('<testsuite name="pool shard 999" ')
    [(file, past)] = parsed.runs_counted.items()
    assert (file, past.runs, past.counted) == (str(MANY), SUITES - MAX_RUNS, 1)
    assert parsed.counted_runs() == SUITES


def test_the_cap_is_on_the_runs_of_every_input_read(tmp_path: Path, run_cli: RunCli) -> None:
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    shutil.copyfile(MANY, first)
    shutil.copyfile(MANY, second)
    code, out, err = run_cli("triage", str(first), str(second), "--no-history", "--format", "json")
    assert code == 1, err
    coverage = json.loads(out)["coverage"]
    assert (coverage["counted"], coverage["read"], coverage["unread"]) == (22, 22, 0)
    assert {run["file"] for run in coverage["runs"]} == {str(first)}
    assert [(m["file"], m["runs"], m["counted"]) for m in coverage["more"]] == [
        (str(first), SUITES - MAX_RUNS, 1),
        (str(second), SUITES, 11),
    ]


def test_the_terminal_lists_the_first_runner_lines_and_counts_the_rest(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(MANY), "--no-history")
    assert code == 1, err
    runner_lines = [line for line in out.splitlines() if line.startswith("runner: ")]
    assert len(runner_lines) == MAX_RUNNER_LINES
    assert runner_lines[0].endswith(
        '<testsuite name="pool shard 0" tests="1" failures="1" errors="0">'
    )
    assert (
        f"… {MAX_RUNS + 1 - MAX_RUNNER_LINES:,} more runner lines in the Markdown and JSON" in out
    )
