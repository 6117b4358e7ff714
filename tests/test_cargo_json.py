"""libtest's JSON format (`cargo test -- -Z unstable-options --format json`, as cargo2junit and
the like run it; stable libtest takes it under RUSTC_BOOTSTRAP=1): each `{ "type": "test",
"name": …, "event": "failed", "stdout": … }` event is read as its `---- NAME stdout ----` block
is (a should_panic test's `message` as its `note:`), grouped by the target cargo's `Running` line
names, counted by the suite's `{ "type": "suite", "event": "failed", … }`; a suite's `ok` event
is a clean run. Before, each log was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_cargo_json.sh`: src/cargo_blocks_suite, a real worker process)."""

from __future__ import annotations

import pytest

from poolctl.logs import read_logs
from tests.test_cargo_blocks import CARGO, TESTS
from tests.test_logs_formats import triage_json


def test_each_failed_event_is_read_as_its_block(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read_logs([str(CARGO / "json.txt")])
    assert {f.name: (f.kind, f.location) for f in parsed.failures} == TESTS
    assert len(parsed.failures) == 5
    assert {(f.source, f.group, f.details["runner"]) for f in parsed.failures} == {
        ("cargo", "pool_blocks: src/lib.rs", "cargo test")
    }
    [cargo] = parsed.summaries
    assert (cargo.source, cargo.failures, cargo.read) == ("cargo test", 5, 5)
    code, report = triage_json(capsys, CARGO / "json.txt")
    assert code == 1
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["tests::request_is_answered"] == "port-no-response"
    assert patterns["tests::second_checkout_waits"] == "checkout-timeout-waiters"
    assert patterns["tests::start_without_program_id"] == "required-field-missing"


def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, CARGO / "json_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
