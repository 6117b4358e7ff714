"""`make -k` running `mix test`, killed mid-run (no `Finished in`, no closing line), then
`pytest -q` (no session header), in one log (real capture:
tests/fixtures/src/capture_make_k_killed_mix.sh). The log read as pytest's alone: mix test's two
failure blocks were lost, and its last progress dot glued to the shell's `Killed` (`.Killed`)
read as a killed `pytest -q` run with a failure unread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
KILLED = MIXED / "make_k_killed_mix_then_pytest_q.log"


def test_a_killed_mix_test_before_pytest_q_has_its_failures_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parsed = read_logs([str(KILLED)])
    assert parsed.formats == {str(KILLED): "exunit+pytest"}
    mix = [(f.name, f.line_start) for f in parsed.failures if f.source == "exunit"]
    assert mix == [("test checkout times out", 4), ("test a linked worker is killed", 15)]
    assert len(parsed.failures) == 24  # and pytest's 22
    assert not any(s.line == 19 for s in parsed.summaries)  # `.Killed`: no pytest run
    code, out, _ = run(capsys, "triage", str(KILLED), "--no-history", "--format", "json")
    summary = json.loads(out)["summary"]
    assert code == 1 and summary["unread"] == 0


@pytest.mark.parametrize("log", ["make_k_mix_then_pytest_q.log", KILLED.name])
def test_no_line_of_pytest_q_is_read_into_the_mix_test_run_before_it(log: str) -> None:
    """ExUnit's run ends at pytest's session header, and `pytest -q` prints none: whether mix
    test closed its run or was killed, its run and its failures end before the recipe line
    that starts `pytest -q`."""
    path = MIXED / log
    pytest_starts = next(
        n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith("cd python")
    )
    parsed = read_logs([str(path)])
    mix_runs = [s for s in parsed.summaries if s.start < pytest_starts]
    assert mix_runs and all(s.line < pytest_starts for s in mix_runs)
    mix = [f for f in parsed.failures if f.source == "exunit"]
    assert mix and all(f.line_end < pytest_starts for f in mix)
