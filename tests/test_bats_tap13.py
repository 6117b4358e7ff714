"""bats' TAP13 formatter (`bats -F tap13`) writes each failed test's diagnostics as a YAML block,
its `message: |` what its TAP formatter prints as `#` comments (`(in test file pool.bats, line
13)`, the command that failed, its output). Before, each block was read with no message, none
of the 5 classified; each is now read as the TAP formatter's comments are (the same message,
place and pattern). Real captures (`tests/fixtures/src/capture_bats_tap13.sh`: Bats 1.8.2, a
pool of real worker processes)."""

from __future__ import annotations

import re
from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Failure
from poolctl.patterns import load_patterns
from poolctl.triage import triage

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "bats_tap13"


def _read(failures: list[Failure]) -> list[tuple[str, str, str, str]]:
    # (pids and the YAML's timing differ between the two runs)
    return [(f.name, f.location, f.kind, re.sub(r"pid \d+", "pid N", f.message)) for f in failures]


def test_its_tap13_blocks_are_read_as_its_tap_comments() -> None:
    tap13 = read_logs([str(RUNS / "tap13.txt")])
    tap = read_logs([str(RUNS / "tap.txt")])
    assert _read(tap13.failures) == _read(tap.failures)
    assert len(tap13.failures) == 5
    assert tap13.failures[0].location == "pool.bats:13"
    report = triage(tap13, load_patterns())
    patterns = sorted(
        f.outcome.pattern_id for f in report.findings if isinstance(f.outcome, Diagnosis)
    )
    assert patterns == [
        "checkout-timeout-waiters",
        "pool-shutdown-during-checkout",
        "port-no-response",
        "required-field-missing",
    ]
