"""`node --test` under its spec reporter, killed before its end (real captures:
tests/fixtures/src/capture_node_killed.sh, node 20): its failures printed inline as their tests
ended, and neither its counts (`ℹ fail 2`) nor its closing section, where they are read. Before:
alone, "format not recognised" (exit 2); after a clean pytest run, a clean log (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

KILLED = Path(__file__).parent / "fixtures" / "mixed" / "node_killed"


@pytest.mark.parametrize("log", ["spec_killed.log", "pytest_then_spec_killed.log"])
def test_inline_failures_with_no_counts_after_them_are_a_stopped_run(log: str) -> None:
    parsed = read_logs([str(KILLED / log)])
    node = parsed.summaries[-1]
    assert (node.source, node.failures, node.read) == ("node --test", 2, 0)
    assert "the run stopped before its end" in node.text
    lines = (KILLED / log).read_text().splitlines()
    assert lines[node.start - 1].startswith("✖ bridge answers (")  # the first failure inline
    assert lines[node.line - 1].startswith("✖ worker reply (")


def test_the_stopped_run_fails_the_triage(capsys: pytest.CaptureFixture[str]) -> None:
    log = str(KILLED / "pytest_then_spec_killed.log")
    code, out, _ = run(capsys, "triage", log, "--no-history", "--format", "json")
    assert code == 1
    assert json.loads(out)["summary"]["unread"] == 2
