"""behave's console output as behave 1.2.6 prints it, a hook's error a cut run ended after, and
an assert's message of several lines under the plain formatter. Real captures
(`tests/fixtures/src/capture_behave_more.sh`: behave 1.3.3 and 1.2.6, src/behave_console_suite's
pool of Python worker processes).

- behave 1.2.6 prints no `USING RUNNER` line, and `Assertion Failed: …` where 1.3 prints `ASSERT
  FAILED: …`: its plain formatter's run cut in a scenario was refused (exit 2), its whole run's
  failures were its lists' names alone, and its asserts were of no kind.
- A `before_scenario` or `before_feature` hook's error with no scenario's heading below it (the
  run killed after it) was dropped.
- plain prints an assert's message flush left, where other processes' stderr may follow it: it
  kept the first line alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "behave_runs"

CUT = [
    ("A second caller checks out within 200 ms", "CheckoutTimeout", "checkout-timeout-waiters"),
    ("The pool counts its workers", "AssertionError", "-"),
    ("A silent worker answers in the end", "stopped", "-"),
]


def _report(capsys: pytest.CaptureFixture[str], name: str) -> dict:  # type: ignore[type-arg]
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    assert code == 1
    report: dict = json.loads(out)  # type: ignore[type-arg]
    return report


@pytest.mark.parametrize("name", ["cut_plain_126.txt", "cut_pretty_126.txt"])
def test_behave_126s_cut_run_is_read_as_13s(capsys: pytest.CaptureFixture[str], name: str) -> None:
    report = _report(capsys, name)
    read = [
        (f["failure"]["name"], f["failure"]["kind"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
    ]
    assert read == CUT
    assert report["findings"][1]["failure"]["message"] == "expected 3 workers, counted 2"
    assert any("the run ended before its summary" in note for note in report["notes"])
    assert "(behave, no verdict)" in run(capsys, "triage", str(RUNS / name), "--no-history")[1]


@pytest.mark.parametrize("version", ["", "_126"])
def test_behave_126s_whole_run_is_read_as_13s(version: str) -> None:
    """plain_126.txt's scenarios were its lists' names alone, no kind nor message."""
    kinds = {
        name: [
            (f.name, f.kind, f.message.splitlines()[0])
            for f in read_logs([str(RUNS / name)]).failures
        ]
        for name in (f"plain{version}.txt", f"pretty{version}.txt")
    }
    plain, pretty = kinds.values()
    assert len(plain) == 9
    assert [(n, k) for n, k, _ in plain] == [(n, k) for n, k, _ in pretty]
    assert (
        "The pool counts its workers",
        "AssertionError",
        "expected 3 workers, counted 2",
    ) in plain
    assert [m for _, _, m in plain if "skip" in m.lower()] == []  # (behave's log of a skip)


@pytest.mark.parametrize("version", ["", "_126"])
@pytest.mark.parametrize("format", ["pretty", "plain"])
@pytest.mark.parametrize("hook", ["scenario", "feature"])
def test_a_hooks_error_the_run_ended_after_is_a_failure(
    capsys: pytest.CaptureFixture[str], hook: str, format: str, version: str
) -> None:
    report = _report(capsys, f"hook_{hook}_cut_{format}{version}.txt")
    assert report["summary"]["failures"] == 2
    counted, hooked = (f["failure"] for f in report["findings"])
    assert (counted["name"], counted["kind"]) == ("The pool counts its workers", "AssertionError")
    assert counted["message"] == "expected 3 workers, counted 2"
    assert hooked["kind"] == "ConnectionRefusedError"
    assert hooked["message"] == "ConnectionRefusedError: [Errno 111] Connection refused"
    # named by the scenario it ran for where its heading is printed, else by its feature
    scenario_shown = hook == "scenario" and format == "plain"
    assert hooked["name"] == (
        "A worker is reached on the pool's port" if scenario_shown else "A pool reached on its port"
    )
    if format == "pretty":
        place = "features/port.feature:" + (
            "8" if scenario_shown else "1" if hook == "scenario" else "2"
        )
        assert hooked["location"] == place
    assert any("the run ended before its summary" in note for note in report["notes"])


def test_a_before_scenario_error_with_no_heading_says_which_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hooked = _report(capsys, "hook_scenario_cut_pretty.txt")["findings"][1]["failure"]
    note = hooked["details"]["note"]
    assert note.startswith("before_scenario's error, for the scenario after 'The pool counts its")
    assert "whose heading the log does not show" in note


@pytest.mark.parametrize("version", ["", "_126"])
def test_plain_keeps_an_asserts_whole_message_as_pretty_does(version: str) -> None:
    """unittest's assertEqual diffs (blank lines among them), and a worker's stderr after the
    message, which is not the message's."""
    messages = [
        [f.message for f in read_logs([str(RUNS / f"diff_{format}{version}.txt")]).failures]
        for format in ("pretty", "plain")
    ]
    pretty, plain = messages
    assert plain == pretty
    assert plain[0].splitlines() == [
        "'1 idle, 1 busy' != '1 idle, 0 busy'",
        "- 1 idle, 1 busy",
        "?         ^",
        "+ 1 idle, 0 busy",
        "?         ^",
    ]
    assert len(plain[1].splitlines()) == 11 and "\n\nFirst differing element 1:\n" in plain[1]
    assert "worker" not in plain[1]


@pytest.mark.parametrize("version", ["", "_126"])
@pytest.mark.parametrize("format", ["pretty", "plain"])
def test_a_before_feature_error_in_a_whole_run_is_a_failure(format: str, version: str) -> None:
    """A whole run (hook_feature_*.txt) whose `before_feature` hook raised: behave counts the
    feature's scenario `untested` ('0 scenarios passed, 1 failed, 0 skipped, 1 untested'), in no
    list. The hook's error was read nowhere: 1 failure of the 2 things that failed. It is now a
    failure of its feature, and the run's count takes it in (2 counted, 2 read), no note that
    the verdict's failures were not read."""
    parsed = read_logs([str(RUNS / f"hook_feature_{format}{version}.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2)]
    counted, hooked = parsed.failures
    assert (counted.name, counted.kind) == ("The pool counts its workers", "AssertionError")
    assert (hooked.name, hooked.kind) == ("A pool reached on its port", "ConnectionRefusedError")
    assert hooked.message == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert hooked.details["note"].startswith("before_feature's error: the feature's scenarios")
    assert hooked.location == ("features/port.feature:2" if format == "pretty" else "")
    assert not any("not read" in note for note in parsed.skipped)
