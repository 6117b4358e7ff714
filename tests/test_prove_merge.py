"""`prove --merge` reads each script's stderr into its TAP stream: Test::More's diagnostics
come after each `not ok` line, after a blank line (under a harness Test::More begins them with
one). Each failure was read twice, the `not ok` line with no message and its diagnostics alone
(6 failures of 3, three unclassified); a blank line right after a `not ok` line, then its
diagnostics, are now its block. A real capture (`tests/fixtures/src/capture_prove_merge.sh`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_tap_failures import _triaged

LOG = Path(__file__).parent / "fixtures" / "mixed" / "tap_runs" / "prove_merge.log"


def test_each_failure_is_read_once_with_its_diagnostics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parsed = read_logs([str(LOG)])
    assert [(f.name, f.location) for f in parsed.failures] == [
        ("checkout returns a worker", "yt/pool_diag.t:7"),
        ("python bridge answers ping", "yt/pool_diag.t:9"),
        ("after a resize", "yt/pool_subtest.t:11"),
    ]
    code, patterns = _triaged(capsys, LOG)
    assert code == 1
    assert patterns == {
        "checkout returns a worker": "pool-shutdown-during-checkout",
        "python bridge answers ping": "port-no-response",
        "after a resize": "pool-shutdown-during-checkout",
    }
