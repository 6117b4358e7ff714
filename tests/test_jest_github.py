"""Jest's github-actions reporter (`--reporters=github-actions`, GITHUB_ACTIONS=true): an
`::error` annotation for each failed test, then for each test file a `::group::Errors thrown in
FILE` section of Jest's `●` blocks, no count. Alone, its blocks are read as the console's
(`plain.txt`, the same suite's run under the default reporter); before, the log read as an
unfinished pytest run of no failure (exit 0). With the default reporter too, each block is read
once: the group's are the console's again. Real captures
(`tests/fixtures/src/capture_jest_github.sh`: jest 30.5.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "jest_blocks"
FIELDS = ("source", "name", "group", "location", "kind", "pattern")


@pytest.mark.parametrize("name", ["github_actions.txt", "github_actions_default.txt"])
def test_each_block_is_read_once_as_the_consoles(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, report = triage_json(capsys, RUNS / name)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    _, console = triage_json(capsys, RUNS / "plain.txt")
    assert sorted(finding_rows(report, *FIELDS)) == sorted(finding_rows(console, *FIELDS))


def test_alone_its_groups_hold_the_failures(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = triage_json(capsys, RUNS / "github_actions.txt")
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    unloaded = failures["Test suite failed to run"]
    assert (unloaded["group"], unloaded["line_start"]) == ("broken.test.js", 79)
    assert failures["Pool › request is answered"]["message"].startswith(
        "No response received from worker pid "
    )
