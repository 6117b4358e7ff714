"""behave's JSON formatter (`behave -f json -o FILE`: Cucumber's shape in behave's dialect, a
`location` for each feature and scenario and no `uri` nor `line`, an exception's step of status
`error`) is read as behave's: its 9 failed scenarios, named, grouped and placed as its console's
are, an assertion's message, an exception's step said (the report holds no error of it). Before,
it was read as Cucumber's: 3 of its 9 failures, none grouped or placed (`:`), and a report of a
feature skipped whole (no `elements`) was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_behave_json.sh`: behave 1.3.3, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "behave_runs"


def test_each_failed_scenario_is_read_as_the_consoles(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_report.json")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (9, 0)
    _, console = triage_json(capsys, RUNS / "pretty.txt")

    def places(found: dict) -> list[tuple[str, str, str, str]]:  # type: ignore[type-arg]
        return sorted(
            (x["source"], x["name"], x["group"], x["location"])
            for f in found["findings"]
            for x in [f["failure"]]
        )

    assert places(report) == places(console)
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    counted = failures["The pool counts its workers"]
    assert (counted["kind"], counted["message"]) == (
        "AssertionError",
        "expected 3 workers, counted 2",
    )
    assert failures["A second caller checks out within 200 ms"]["message"] == (
        "step error: When a second caller checks out"
    )
    assert failures["A step nobody wrote"]["message"] == (
        "step undefined: Given a pool that scales itself"
    )
    parsed = read_logs([str(RUNS / "json_report.json")])
    assert parsed.formats == {str(RUNS / "json_report.json"): "behave JSON"}


def test_a_report_of_a_passing_scenario_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_report_clean.json")
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_a_report_sent_to_stdout_says_what_each_listed_scenario_failed_of(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`behave -f json` with no `-o`: its report among the workers' lines (one glued to the end
    of a feature's line), then its lists and counts. Each listed scenario says what its
    feature's line says it failed of, as the report alone does (before, each message was empty:
    the lists alone were read)."""
    code, report = triage_json(capsys, RUNS / "json_stdout.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (9, 0)
    _, alone = triage_json(capsys, RUNS / "json_report.json")

    def said(found: dict) -> list[tuple[str, str, str, str, str]]:  # type: ignore[type-arg]
        return sorted(
            (x["source"], x["name"], x["location"], x["kind"], x["message"])
            for f in found["findings"]
            for x in [f["failure"]]
        )

    assert said(report) == said(alone)
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    counted = failures["The pool counts its workers"]
    assert (counted["kind"], counted["message"]) == (
        "AssertionError",
        "expected 3 workers, counted 2",
    )
    assert counted["line_start"] == 6  # its feature's line
    parsed = read_logs([str(RUNS / "json_stdout.txt")])
    assert parsed.formats == {str(RUNS / "json_stdout.txt"): "behave"}


@pytest.mark.parametrize("name", ["json_stdout_126.txt", "json_report_126.json"])
def test_behave_126s_tracebacks_are_read_as_its_consoles(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """behave 1.2.6 keeps an exception's traceback as its step's `error_message`: its kind and
    message are the exception it ended with, its frames its `File` lines, as `plain_126.txt`
    (its console) reads them, and the pool's failures are classified (before: no kind, the
    traceback's first line the message, none classified)."""
    code, report = triage_json(capsys, RUNS / name)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (9, 0)
    _, console = triage_json(capsys, RUNS / "plain_126.txt")

    def read(found: dict) -> list[tuple[str, str, str, str]]:  # type: ignore[type-arg]
        return sorted(
            (x["name"], x["location"], x["kind"], str(f["outcome"].get("pattern_id", "-")))
            for f in found["findings"]
            for x in [f["failure"]]
        )

    assert read(report) == read(console)
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    waited = failures["A second caller checks out within 200 ms"]
    assert waited["message"].startswith("pool.CheckoutTimeout: checkout timed out after 0.2s")
    assert waited["stacktrace"][-1].startswith('File "features/pool.py", line ')
