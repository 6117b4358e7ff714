"""A behave run cut off in its scenarios (a CI job's time limit, a killed run: no `Failing
scenarios:` list, no count) was refused as of no format, exit 2, the failures it printed counted
nowhere. It is read for what it printed: each scenario whose block shows its failure, and the
scenario the log ends in, of kind `stopped`; a note says the run ended before its summary. Real
captures (`tests/fixtures/src/capture_behave_cut.sh`, behave 1.3.3 killed by `timeout -s KILL 5`
in a step waiting on a silent worker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "behave_runs"

READ = [
    ("A second caller checks out within 200 ms", "CheckoutTimeout", "checkout-timeout-waiters"),
    ("The pool counts its workers", "AssertionError", "-"),
    ("A silent worker answers in the end", "stopped", "-"),
]


@pytest.mark.parametrize("name", ["cut_pretty.txt", "cut_plain.txt"])
def test_a_run_cut_in_a_scenario_is_read_for_what_it_printed(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 3
    read = [
        (f["failure"]["name"], f["failure"]["kind"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
    ]
    assert read == READ
    assert {f["failure"]["source"] for f in report["findings"]} == {"behave"}
    assert "expected 3 workers, counted 2" in report["findings"][1]["failure"]["message"]
    stopped = report["findings"][2]["failure"]["message"]
    assert stopped.startswith("the run ended in this scenario")
    assert any("the run ended before its summary" in note for note in report["notes"])
    assert "(behave, no verdict)" in run(capsys, "triage", str(RUNS / name), "--no-history")[1]


def test_the_step_it_stopped_in_is_named_where_the_formatter_printed_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(
        capsys, "triage", str(RUNS / "cut_pretty.txt"), "--no-history", "--format", "json"
    )
    stopped = json.loads(out)["findings"][2]["failure"]
    assert stopped["location"] == "features/cut.feature:18"
    assert stopped["message"].endswith(
        'the last step printed under it: When a caller sends "ping" and waits for its answer'
    )
    _, out, _ = run(
        capsys, "triage", str(RUNS / "cut_plain.txt"), "--no-history", "--format", "json"
    )
    stopped = json.loads(out)["findings"][2]["failure"]
    assert "the step that was running is not shown" in stopped["message"]
    assert 'passed (Given a pool "pool_e" of 1 worker in mode "silent")' in stopped["message"]


def test_a_run_cut_after_another_runners_run_is_noted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """make's pytest run (53 failures, its count), then the cut behave run, in one log."""
    pytest_run = RUNS.parent / "make_k_mix_then_pytest_q.log"
    log = tmp_path / "ci.log"
    log.write_bytes(pytest_run.read_bytes() + (RUNS / "cut_pretty.txt").read_bytes())
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 53 + 3
    behave = [
        f["failure"]["kind"] for f in report["findings"] if f["failure"]["source"] == "behave"
    ]
    assert behave == ["CheckoutTimeout", "AssertionError", "stopped"]
    assert any("behave's run ended in its scenarios" in note for note in report["notes"])
