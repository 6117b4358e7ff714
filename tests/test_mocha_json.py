"""Mocha's JSON reporter (`--reporter json`: one object, `stats` and each failed test's
`fullTitle`, `file` and `err`) and its json-stream reporter (`--reporter json-stream`: a
`["fail",{…}]` line each, then `["end",{stats}]`) are read as its spec reporter's failure list
is. Before, each log was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_mocha_json.sh`: mocha 10.8.2, node 20, a pool of real node
workers)."""

from __future__ import annotations

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json
from tests.test_mocha_blocks import ENTRIES, MOCHA

# the JSON keeps no suite apart from another: a nested suite's tests are grouped by their
# suites' titles together (the spec reporter's list groups them by the outermost one)
READ = [
    (name, "Pool jobs" if name.startswith("Pool jobs") else group, place, kind)
    for name, group, place, kind in ENTRIES
]
PATTERNS = {
    "Pool request is answered": "port-no-response",
    "Pool second checkout waits": "checkout-timeout-waiters",
    "Pool jobs start without program_id": "required-field-missing",
    'Broker "before each" hook for "publishes"': "dependency-not-started",
}


@pytest.mark.parametrize(
    ("log", "verdict"),
    [("json.txt", '"stats": {"failures": 6}'), ("json_stream.txt", None)],
)
def test_each_failed_test_is_read_as_the_spec_reporters(
    capsys: pytest.CaptureFixture[str], log: str, verdict: str | None
) -> None:
    parsed = read_logs([str(MOCHA / log)])
    assert [(f.name, f.group, f.location, f.kind) for f in parsed.failures] == READ
    assert {(f.source, f.details["runner"]) for f in parsed.failures} == {("mocha", "Mocha")}
    settings, *_, shape, _ = parsed.failures
    assert settings.message == "Expected values to be strictly equal:\nundefined !== '4'"
    assert settings.details["code"] == "ERR_ASSERTION"
    assert shape.stacktrace[0] == "Context.<anonymous> (test/pool.test.js:25:14)"
    [run] = parsed.summaries
    assert (run.source, run.tests if verdict else None, run.failures, run.read) == (
        "Mocha",
        6 if verdict else None,
        6,
        6,
    )
    if verdict:
        assert run.text == verdict
    else:  # (its `end` line)
        assert run.text.startswith('["end",{"suites":3,"tests":6,"passes":1,"pending":0,')
    code, report = triage_json(capsys, MOCHA / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert {name: patterns[name] for name in PATTERNS} == PATTERNS


@pytest.mark.parametrize("log", ["json_clean.txt", "json_stream_clean.txt"])
def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, MOCHA / log)
    assert (code, report["summary"]["failures"]) == (0, 0)
    assert [(s.source, s.failures) for s in read_logs([str(MOCHA / log)]).summaries] == [
        ("Mocha", 0)
    ]
