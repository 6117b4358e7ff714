"""A real capture cut at any byte (a CI service's log size limit, a runner killed, a paste cut
short, mid-line or mid-UTF-8 sequence) may lose failures, but never silently: once the cut log
holds the first failure's header line, triage reports a failure, a failure not read, or a note,
and never more failures than the whole log holds. Hypothesis picks the cuts, derandomized so
CI sees the same ones each run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from poolctl.errors import PoolctlError
from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import unread_count
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()
# a capture of each runner and shape, and the first failure header's text in it
CAPTURES = {
    "exunit/services_trace.log": b"  1) test ",
    "exunit/stopped/then_sigkill_trace.log": b"  * test checkout waits",
    "pytest/services_xdist.txt": b"[gw",
    "pytest/run_ends/oom_killed_verbose.txt": b"::test_checkout_times_out FAILED",
    "junit/jest_junit.xml": b"<failure",
}


def said(path: Path) -> tuple[int, bool]:
    """The failures triage reads in `path`, and whether it says anything is wrong or unread:
    a failure, a failure counted but not read, a note, a run with no closing line, or exit 2."""
    try:
        parsed = read_logs([str(path)])
    except PoolctlError:
        return 0, True  # one line, exit 2
    report = triage(parsed, KB, quote_lines=False)
    spoken = bool(
        report.findings
        or unread_count(report)
        or parsed.skipped
        or any(s.inferred for s in parsed.summaries)
    )
    return len(report.findings), spoken


@pytest.mark.parametrize("relative", sorted(CAPTURES))
@settings(
    max_examples=12,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@example(fraction=0.984375)  # services_xdist.txt: inside a FAILED line's test name (a 23rd test)
def test_a_capture_cut_anywhere_past_a_failure_is_never_clean(
    tmp_path: Path, relative: str, fraction: float
) -> None:
    data = (FIXTURES / relative).read_bytes()
    header = data.index(CAPTURES[relative])
    end_of_header = data.index(b"\n", header) + 1
    at = end_of_header + int(fraction * (len(data) - end_of_header))
    cut = tmp_path / Path(relative).name
    cut.write_bytes(data[:at])
    whole, _ = said(FIXTURES / relative)
    found, spoken = said(cut)
    assert spoken, f"cut at byte {at} of {len(data)}: nothing said"
    assert found <= whole
