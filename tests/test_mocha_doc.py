"""Mocha's doc reporter (`--reporter doc`: HTML, each failed test's title, file, code and error)
is read as its spec reporter's failure list is, and its markdown reporter (the passed tests
alone, nothing of a failed one) is refused in one line naming it. Before, each log was refused
as of no format. Real captures (`tests/fixtures/src/capture_mocha_doc.sh`: mocha 10.8.2, node 20,
the pool of real node workers `tests/test_mocha_blocks.py` reads)."""

from __future__ import annotations

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run, triage_json
from tests.test_mocha_blocks import ENTRIES, MOCHA
from tests.test_mocha_json import PATTERNS


def test_each_failed_test_of_the_doc_reporter_is_read_as_the_spec_reporters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parsed = read_logs([str(MOCHA / "doc.txt")])
    # named and grouped as the spec reporter's list; placed at the test's file (no line printed)
    assert [(f.name, f.group, f.kind) for f in parsed.failures] == [
        (name, group, kind) for name, group, _, kind in ENTRIES
    ]
    assert {f.location for f in parsed.failures} == {"test/pool.test.js"}
    assert {(f.source, f.details["runner"]) for f in parsed.failures} == {("mocha", "Mocha")}
    settings, answered, *_, shape, broker = parsed.failures
    assert settings.message == "Expected values to be strictly equal:\nundefined !== '4'"
    assert settings.details["code"] == "ERR_ASSERTION"
    assert settings.details["source"] == "assert.strictEqual(process.env.POOL_SIZE_NOT_SET, '4');"
    assert answered.message.startswith("No response received from worker pid ")
    assert shape.message.startswith("Expected values to be strictly deep-equal:\n+ actual")
    # each failure spans its four elements: its title's line to its error's last
    assert (broker.line_start, broker.line_end) == (53, 56)
    [run_] = parsed.summaries
    assert (run_.source, run_.failures, run_.read) == ("Mocha", 6, 6)
    assert parsed.formats == {str(MOCHA / "doc.txt"): "Mocha doc"}
    code, report = triage_json(capsys, MOCHA / "doc.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert {name: patterns[name] for name in PATTERNS} == PATTERNS


def test_a_doc_reporters_run_of_passed_tests_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read_logs([str(MOCHA / "doc_clean.txt")])
    assert not parsed.failures
    [run_] = parsed.summaries
    assert (run_.source, run_.failures) == ("Mocha", 0)
    code, report = triage_json(capsys, MOCHA / "doc_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_the_markdown_reporter_is_refused_in_one_line_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = MOCHA / "markdown.md"
    assert "Error" not in log.read_text()  # (the run failed 6 tests: none of them is in it)
    code, out, err = run(capsys, "triage", str(log), "--no-history")
    assert (code, out) == (2, "")
    assert err == (
        f"poolctl: error: nothing could be read from the logs: {log}:1: Mocha's markdown reporter"
        " (--reporter markdown), which prints the tests that passed and nothing of those that"
        " failed: nothing to triage; run Mocha with --reporter spec or json\n"
    )
