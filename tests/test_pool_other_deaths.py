"""Requests unanswered as several workers died, each its own way: the finding is worded from
the first death, and names the others with how each ended."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.conftest import RunCli

ENDS = Path(__file__).parent / "workers" / "ends_as_its_id_says.py"


def test_the_other_workers_that_died_in_a_request_are_named_with_their_ends(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """w1 cuts its answer mid-frame, w2 exits on bytes to its stderr. Before, the one finding
    of both requests was worded from whichever died first: w1's mid-frame exit alone, as if w2
    had done the same, or w2's exit between answers with '2 of 2 worker exit(s) were the
    same', though w1's was in the middle of a frame."""
    scenario = tmp_path / "ends.yaml"
    scenario.write_text(
        f"name: two-ends\nworker:\n  command: {json.dumps([sys.executable, str(ENDS)])}\n"
        "pool: {size: 2, max_overflow: 0}\n"
        "steps:\n  - request: {command: echo, count: 2, concurrency: 2}\n"
        "expect:\n  outcome: ok\n"
    )
    code, out, _ = run_cli(
        "run-scenario", str(scenario), "--json", "--no-history", "--run-dir", str(tmp_path / "r")
    )
    assert code == 1, out
    (finding,) = json.loads(out)["findings"]
    cause = finding["outcome"]["cause"]
    said = re.search(
        r"; 1 other worker\(s\) died in a request otherwise \((w[12]) exited with code 0"
        r"( mid-frame)?\): what is said here is (w[12])'s, theirs is in their worker_exit events",
        cause,
    )
    assert said is not None and said[1] != said[3], cause
    assert bool(said[2]) == (said[1] == "w1"), cause  # w1's exit cut its frame
