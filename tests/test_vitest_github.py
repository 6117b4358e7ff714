"""Vitest's github-actions reporter alone (`vitest run --reporter=github-actions`: an `::error
file=…,title=…,line=…,column=…::…` workflow command for each error, its message the console's
block with `%0A` for each line's end) is read as Vitest's console is: each failed test, suite
that did not load and unhandled error named, grouped, placed and classified as `vitest.txt`, the
same suite's run under its default reporter, reads them. Before, it was refused as of no format
(exit 2). A real capture (`tests/fixtures/src/capture_vitest_github.sh`: vitest 4.1.12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "vitest_runs"
FIELDS = ("source", "name", "group", "location", "kind", "pattern")


def test_each_error_is_read_as_the_consoles_block(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "github_actions.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    _, console = triage_json(capsys, RUNS / "vitest.txt")
    # (the reporter does not say an unhandled error was a promise's rejection, as the console)
    read = sorted(r for r in finding_rows(report, *FIELDS) if r[1] != "Unhandled Error")
    alike = sorted(r for r in finding_rows(console, *FIELDS) if r[1] != "Unhandled Rejection")
    assert read == alike
    assert len(read) == 5
    unhandled = [
        f["failure"] for f in report["findings"] if f["failure"]["name"] == "Unhandled Error"
    ]
    assert [(u["group"], u["message"]) for u in unhandled] == [
        ("test/unhandled.test.js", "worker w1 exited with code 1")
    ]
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    arithmetic = failures["pool > arithmetic"]
    assert arithmetic["message"] == "expected 2 to be 3 // Object.is equality"
    assert arithmetic["line_start"] == 10  # its command's line
    parsed = read_logs([str(RUNS / "github_actions.txt")])
    assert parsed.formats == {str(RUNS / "github_actions.txt"): "Vitest github-actions"}


def test_its_commands_after_other_lines_are_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """npm's lines before the run's (`npm test`), as a CI step prints them."""
    log = tmp_path / "step.log"
    npm = "\n> pool@1.0.0 test\n> vitest run --reporter=github-actions\n"
    log.write_text(npm + (RUNS / "github_actions.txt").read_text())
    code, report = triage_json(capsys, log)
    assert (code, report["summary"]["failures"], report["summary"]["unread"]) == (1, 6, 0)


def test_a_projects_titles_read_as_its_consoles_headers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A workspace project's titles begin `[unit] `, its console's headers `|unit| `."""
    _, report = triage_json(capsys, RUNS / "github_actions_projects.txt")
    _, console = triage_json(capsys, RUNS / "console_projects.txt")
    assert report["summary"]["failures"] == 4
    assert sorted(finding_rows(report, *FIELDS)) == sorted(finding_rows(console, *FIELDS))
