"""Callers that outnumber the workers, one worker hung (tests/workers/one_hangs.py: `w1` reads
its first request and never answers it, the other answers each in 0.3 s): checkouts time out
(0.5 s) while the hung worker is held. Before, the report named pattern 3 ("4 callers at once
against 2 worker(s)") beside pattern 1, though with the hung worker free no caller would have
waited 0.5 s; now those timeouts are the hang's, in pattern 1's finding. With 8 callers they
would have timed out all the same: pattern 3 stands, and says the hang took a worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

WORKER = Path(__file__).parent / "workers" / "one_hangs.py"
SCENARIO = """\
name: one-hangs
description: callers on two workers, one of which hangs
worker:
  command: ["{python}", "{worker}", "0.3", "w1"]
  framing: packet-4
pool: {{size: 2, max_overflow: 0, lazy: false, checkout_timeout: 0.5, request_timeout: 3,
        stop_grace: 1}}
steps:
  - request: {{command: echo, count: {count}, concurrency: {callers}}}
"""


def run(run_cli: RunCli, tmp_path: Path, callers: int) -> list[dict[str, Any]]:
    path = tmp_path / "one-hangs.yaml"
    text = SCENARIO.format(python=sys.executable, worker=WORKER, count=3 * callers, callers=callers)
    path.write_text(text)
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


def test_checkouts_that_timed_out_only_for_a_hung_worker_are_the_hangs(
    run_cli: RunCli, tmp_path: Path
) -> None:
    (finding,) = run(run_cli, tmp_path, callers=4)
    diagnosis = finding["outcome"]
    assert diagnosis["pattern_id"] == "port-no-response"
    assert diagnosis["cause"].startswith("worker w1 gave caller s1c0 no answer: no response")
    caused = diagnosis["facts"]["checkout_timeouts_caused"]
    assert caused >= 1, diagnosis["facts"]
    said = f"; {caused} checkout(s) timed out meanwhile, worker(s) w1 held all through their wait"
    assert said in diagnosis["cause"], diagnosis["cause"]
    assert diagnosis["cause"].endswith("the hang, not the number of callers, made them wait")
    assert (
        f"{caused} checkout(s) timed out while a hung worker was held"
        in (finding["failure"]["message"])
    )
    assert any(e["text"].startswith("checkout_timeout:") for e in diagnosis["evidence"])


def test_checkouts_that_would_have_timed_out_anyway_stay_pattern_3_with_the_hang_said(
    run_cli: RunCli, tmp_path: Path
) -> None:
    findings = run(run_cli, tmp_path, callers=8)
    by_pattern = {f["outcome"]["pattern_id"]: f["outcome"] for f in findings}
    assert set(by_pattern) == {"port-no-response", "checkout-timeout-waiters"}
    cause = by_pattern["checkout-timeout-waiters"]["cause"]
    assert cause.startswith("8 callers at once against 2 worker(s)"), cause
    assert "worker(s) w1 were held all through" in cause, cause
    assert "past the 0.5 s checkout timeout" in cause, cause
