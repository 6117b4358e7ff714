"""TAP::Formatter::JUnit (`prove --formatter TAP::Formatter::JUnit`) writes a script's exit
status, of its failed tests, as its suite's own `<error message="Dubious, test returned 2 (wstat
512, 0x200)"/>` and counts it in `errors`: no failure of its own. Before, each suite counted it
and the report said '2 of the 5 failures the runner counted were not read'. A real capture
(`tests/fixtures/src/capture_prove_junit.sh`: the Test::More scripts prove runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

REPORT = Path(__file__).parent / "fixtures" / "junit" / "prove_formatter_junit.xml"


def test_a_scripts_exit_status_is_no_failure_of_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = REPORT.read_text()
    assert text.count('<error message="Dubious, test returned ') == 2
    parsed = read_logs([str(REPORT)])
    assert [(f.name, f.group) for f in parsed.failures] == [
        ("2 - checkout returns a worker", "yt_pool_diag_t"),
        ("3 - python bridge answers ping", "yt_pool_diag_t"),
        ("2 - checkout", "yt_pool_subtest_t"),
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2), (1, 1)]
    code, report = triage_json(capsys, REPORT)
    assert (code, report["summary"]["failures"], report["summary"]["unread"]) == (1, 3, 0)


def test_under_merge_its_failures_are_read_from_test_mores_diagnostics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Under `prove --merge` a `<failure type="TestFailed">`'s text holds the `not ok` line, then
    Test::More's diagnostics (`#   Failed test …`, `#   at FILE line N.`, got and expected): its
    message was the `not ok` line alone, none classified; the diagnostics are now read as a
    `not ok` block's are, its place their `at FILE line N.`."""
    merged = REPORT.with_name("prove_formatter_junit_merge.xml")
    parsed = read_logs([str(merged)])
    checkout, bridge, parent = parsed.failures
    assert checkout.message == (
        "got: '{:shutdown, {NimblePool, :checkout, [:test_pool_9090]}}'\nexpected: '{:ok, worker}'"
    )
    assert (checkout.location, bridge.location) == ("yt/pool_diag.t:7", "yt/pool_diag.t:9")
    assert bridge.message == "Python bridge timed out waiting for a response after 5000 ms"
    assert parent.message == "not ok 2 - checkout"  # (its subtest's diagnostics: not its own)
    code, report = triage_json(capsys, merged)
    assert (code, report["summary"]["unread"]) == (1, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns == {
        "2 - checkout returns a worker": "pool-shutdown-during-checkout",
        "3 - python bridge answers ping": "port-no-response",
        "2 - checkout": None,
    }
