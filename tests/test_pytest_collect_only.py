"""`pytest --co -q` lists node ids and closes with `30 tests collected in 0.74s`, and no
session header: a clean log (real captures: tests/fixtures/src/capture_collect_only.sh). Before,
"format not recognised", exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

COLLECT_ONLY = Path(__file__).parent / "fixtures" / "pytest" / "collect_only"


@pytest.mark.parametrize(
    ("log", "closing"),
    [
        ("co_quiet.txt", "30 tests collected in"),
        ("co_quiet_k.txt", "2/30 tests collected (28 deselected) in"),
    ],
)
def test_a_collect_only_log_is_a_clean_pytest_run(
    log: str, closing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parsed = read_logs([str(COLLECT_ONLY / log)])
    assert parsed.failures == [] and parsed.formats == {str(COLLECT_ONLY / log): "pytest"}
    [collected] = parsed.summaries
    assert collected.text.startswith(closing) and collected.failures == 0
    code, _, _ = run(capsys, "triage", str(COLLECT_ONLY / log), "--no-history", "--format", "json")
    assert code == 0
