"""Robot Framework's `--console dotted` is read: each failed test under a rule of dashes by its
long name (`FAIL: Robot.Pool.Worker Answers Ping`) and its message, named by the long name's
last part, grouped by its suites', classified as its default console's blocks are. Before, its
count (`10 tests, 1 passed, 8 failed, 1 skipped`) was read and none of its failures ('8 of the
8 failures the runner counted were not read'). Real captures
(`tests/fixtures/src/capture_robot_dotted.sh`: Robot Framework 7.5) of src/robot_pool_suite,
whose default console is mixed/robot_runs/console.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "robot_runs"
POOL, ADAPTERS = "Robot.Pool", "Robot.Nested.Adapters"


@pytest.mark.parametrize("log", ["dotted.txt", "dotted_after_pytest.txt"])
def test_each_failed_test_is_read_as_the_default_console_reads_it(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (8, 0)
    _, console = triage_json(capsys, RUNS / "console.txt")
    fields = ("name", "kind", "message", "pattern")
    assert finding_rows(report, *fields) == finding_rows(console, *fields)
    groups = {f["failure"]["name"]: f["failure"]["group"] for f in report["findings"]}
    assert groups["Adapter Is Port"] == ADAPTERS
    assert groups["Worker Answers Ping"] == POOL
    assert set(groups.values()) == {POOL, ADAPTERS}
