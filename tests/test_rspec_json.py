"""RSpec's JSON formatter (`rspec --format json`: one object on one line, its `examples` with
each failed one's `exception`) is read as its console is: each failed example named by its full
description, placed at its backtrace's first frame in a `_spec.rb` file, of its exception's
class (a matcher's `ExpectationNotMetError` AssertionError), a spec file that did not load (its
`messages`) a failure of that file; counted by its `summary`. Piped with stderr, Ruby's report
of a thread's exception comes first: the report is read from the line it begins on. Before,
each log was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_rspec_json.sh`: RSpec 3.12, Ruby 3.1, a pool of real Ruby worker
processes)."""

from __future__ import annotations

from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json
from tests.test_rspec_blocks import READ, RUNS


def _rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (x["name"], x["location"], x["kind"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
        for x in [f["failure"]]
    ]


@pytest.mark.parametrize("log", ["json.txt", "json_out.txt"])
def test_each_failed_example_is_read_as_the_consoles(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    assert sorted(_rows(report)) == sorted(READ)
    assert {f["failure"]["group"] for f in report["findings"]} == {"spec/pool_spec.rb"}
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["Pool counts its workers"] == "expected: 3\ngot: 2\n(compared using ==)"
    parsed = read_logs([str(RUNS / log)])
    [run] = parsed.summaries
    assert (run.text, run.tests, run.failures, run.read) == ("8 examples, 7 failures", 8, 7, 7)
    # (piped with stderr: Ruby's thread report before it, on lines of their own)
    assert (run.line > 1) == (log == "json.txt")


def test_a_spec_file_that_did_not_load_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_load_error.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    [failure] = [f["failure"] for f in report["findings"]]
    assert (failure["name"], failure["location"], failure["kind"], failure["message"]) == (
        "An error occurred while loading ./spec/broken_spec.rb",
        "spec/broken_spec.rb:10",
        "NoMethodError",
        "undefined method `configure!' for Pool:Class",
    )


def test_a_report_of_no_failure_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
