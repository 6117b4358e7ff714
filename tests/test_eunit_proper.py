"""PropEr's properties under EUnit: the failed property's test is read (named without PropEr's
progress dots, `checkouts_within_size_test....*failed*`; under [verbose] from its `..*failed*`
after PropEr's lines, named by the test's line above), its message EUnit's `{badmatch,false}`
and PropEr's counterexample and shrink. Before, the plain run named it
`checkouts_within_size_test.` with no counterexample, and the verbose run left it unread. Real
captures (`tests/fixtures/src/capture_proper.sh`: Debian's PropEr 1.2, OTP 25, a pool of real
worker processes; the counterexamples are PropEr's random draws)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "proper_runs"


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt"])
def test_the_failed_property_is_read_with_its_counterexample(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    assert finding_rows(report, "name", "group", "location", "kind") == [
        ("checkouts_within_size_test", "ppool_tests", "ppool_tests.erl:26", "error")
    ]
    message = report["findings"][0]["failure"]["message"]
    # EUnit's reason, then PropEr's: the case that failed, its shrinks, the case shrunk to (a
    # pool of 2 fails at 3 checkouts)
    proper = r"Failed: After \d+ test\(s\)\.\n[3-6]\nShrinking \.*\(\d+ time\(s\)\)\n3"
    assert re.fullmatch(rf"\{{badmatch,false\}}\n{proper}", message), message
