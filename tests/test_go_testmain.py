"""A go package whose test binary failed with no test failing (its TestMain stopped it: it could
not reach the database its tests need) is one failure named by its package, its message what it
printed, classified (real captures: capture_go_testmain.sh). Before, its verdict counted one
failure, unread (`have it write JUnit XML`), with nothing to triage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

TESTMAIN = Path(__file__).parent / "fixtures" / "mixed" / "go_testmain"
SAID = "cannot start the test pool: dial tcp 127.0.0.1:5999: connect: connection refused"


@pytest.mark.parametrize("log", ["go_test.txt", "go_test_v.txt", "gotestsum.txt"])
def test_a_package_stopped_by_its_testmain_is_a_failure(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    parsed = read_logs([str(TESTMAIN / log)])
    assert [(f.name, f.group.rsplit("/", 1)[-1], f.kind, f.message) for f in parsed.failures] == [
        ("(package)", "db", "package failed", SAID)
    ]
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(1, 1)]
    code, out, _ = run(capsys, "triage", str(TESTMAIN / log), "--no-history", "-f", "json")
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [f["outcome"]["pattern_id"] for f in findings] == ["dependency-not-started"]
