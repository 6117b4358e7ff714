"""behave's console output was counted by its `2 scenarios passed, 2 failed, 7 error, 1
skipped` and not read. Each scenario of its closing lists (`Failing scenarios:`, `Errored
scenarios:`) is now a failure of source behave: named as the list names it, placed at its
`features/x.feature:N`, grouped by its feature file, and, where the formatter printed the
scenario's steps (pretty, the default, and plain; progress prints none), what its failed step
said: `ASSERT FAILED: …` of kind AssertionError, the exception a traceback ended with, or the
step nobody wrote. Real captures (`tests/fixtures/src/capture_behave_console.sh`, behave
1.3.3) of src/behave_console_suite, a pool of Python worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "behave_runs"

LISTED = [
    ("The pool counts its workers", "features/misc.feature:3"),
    ("Sizes are formatted -- @1.2", "features/misc.feature:17"),
    ("The retry count comes from the config", "features/misc.feature:7"),
    ("A step nobody wrote", "features/misc.feature:23"),
    ("A second caller checks out within 200 ms", "features/pool.feature:3"),
    ("The worker keeps serving after a request", "features/pool.feature:9"),
    ("A job starts with its program", "features/pool.feature:14"),
    ("A waiting caller is served through shutdown", "features/pool.feature:19"),
    ("A silent worker answers within the request timeout", "features/pool.feature:25"),
]


def _triage(capsys: pytest.CaptureFixture[str], name: str) -> dict:  # type: ignore[type-arg]
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    assert code == 1
    report: dict = json.loads(out)  # type: ignore[type-arg]
    return report


@pytest.mark.parametrize("name", ["pretty.txt", "plain.txt", "pretty_color.txt"])
def test_each_failed_scenario_is_read_with_what_its_step_said(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    report = _triage(capsys, name)
    assert report["summary"]["failures"] == 9 and report["summary"]["unread"] == 0
    failures = [f["failure"] for f in report["findings"]]
    assert [(f["name"], f["location"]) for f in failures] == LISTED
    assert {f["source"] for f in failures} == {"behave"}
    read = [(f["failure"]["kind"], f["outcome"].get("pattern_id", "-")) for f in report["findings"]]
    assert read == [
        ("AssertionError", "-"),
        ("AssertionError", "-"),
        ("KeyError", "-"),
        ("", "-"),
        ("CheckoutTimeout", "checkout-timeout-waiters"),
        ("WorkerExited", "-"),
        ("WorkerError", "required-field-missing"),
        ("PoolShutdown", "pool-shutdown-during-checkout"),
        ("NoResponse", "port-no-response"),
    ]
    assert failures[0]["message"] == "expected 3 workers, counted 2"  # (not stderr's line)
    assert failures[0]["group"] == "features/misc.feature"
    assert failures[2]["message"] == "KeyError: 'retry.count'"
    assert failures[3]["message"] == "undefined step: Given a pool that scales itself"
    assert failures[4]["message"].startswith("pool.CheckoutTimeout: checkout timed out after 0.2s")


def test_progress_prints_no_steps_so_its_lists_alone_are_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _triage(capsys, "progress.txt")
    assert report["summary"]["failures"] == 9 and report["summary"]["unread"] == 0
    failures = [f["failure"] for f in report["findings"]]
    assert [(f["name"], f["location"]) for f in failures] == LISTED
    assert all(not f["message"] and not f.get("pattern_id") for f in failures)
    assert report["summary"]["diagnosed"] == 0  # nothing said what any failed of


@pytest.mark.parametrize("name", ["pretty.txt", "plain.txt", "progress.txt", "pretty_color.txt"])
def test_the_run_counts_each_scenario_read_once(name: str) -> None:
    parsed = read_logs([str(RUNS / name)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("behave", 9, 9)]
    assert len(parsed.failures) == 9
    assert not any("behave run's verdict" in note for note in parsed.skipped)


@pytest.mark.parametrize("name", ["messages_pretty.txt", "messages_plain.txt"])
def test_a_message_of_several_lines_and_a_chain_of_tracebacks(name: str) -> None:
    """src/behave_messages_suite (real worker processes): an assertion's own message of two
    lines, and an exception raised from a BrokenPipeError, printed as two tracebacks with blank
    lines between them: the failure is the last exception, its message whole."""
    parsed = read_logs([str(RUNS / name)])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(3, 3)]
    asserted, raised, _ = parsed.failures
    assert (asserted.kind, raised.kind) == ("AssertionError", "WorkerExited")
    lines = asserted.message.splitlines()
    assert lines[0] == "expected 2 live workers after a restart of pool pool_a"
    # (plain prints it flush left, as a worker's stderr: kept whole, tests/test_behave_versions.py)
    assert lines[1].startswith("counted 1: pids [") and len(lines) == 2
    said = raised.message.splitlines()
    assert said[0].startswith("WorkerExited: worker pid ") and said[0].endswith("its request")
    assert said[1:] == ["was written (its stdin pipe had no reader)"]


@pytest.mark.parametrize("name", ["messages_pretty.txt", "messages_plain.txt"])
def test_a_hooks_error_is_the_failure_of_its_scenario(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """behave 1.3 counts a scenario whose `before_scenario` hook raised apart: `0 scenarios
    passed, 1 failed, 1 error, 1 hook_error, 0 skipped`, which was no verdict poolctl knew (the
    log refused as of no format, exit 2). It counts now, and the scenario's failure is the
    hook's error (`HOOK-ERROR in before_scenario: …`, printed above its heading by pretty and
    below it by plain), not its steps that never ran (a real refused connection, to a port
    nothing listens on)."""
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 3 and report["summary"]["unread"] == 0
    hooked = report["findings"][2]["failure"]
    assert (hooked["name"], hooked["location"]) == (
        "A worker is reached on the pool's port",
        "features/messages.feature:14",
    )
    assert (hooked["kind"], hooked["message"]) == (
        "ConnectionRefusedError",
        "ConnectionRefusedError: [Errno 111] Connection refused",
    )
    assert hooked["details"]["text"].startswith("HOOK-ERROR in before_scenario: ")


@pytest.mark.parametrize("name", ["pretty.txt", "plain.txt", "pretty_color.txt"])
def test_the_shut_down_pool_is_seen_started_by_its_step(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The pool-shutdown remediation said the log 'never shows this pool started' though its
    step `Given a pool "pool_d" of 1 worker` is printed above the failure: the pool's name in
    quotes was not looked up. That line is now the evidence the pool was in use."""
    report = _triage(capsys, name)
    (shut,) = [
        f["outcome"]
        for f in report["findings"]
        if f["outcome"].get("pattern_id") == "pool-shutdown-during-checkout"
    ]
    assert shut["facts"]["pool"] == "pool_d" and shut["facts"]["pool_seen"] is True
    assert "wrong_process" not in shut["facts"]
    assert "never shows" not in shut["remediation"]
    (given,) = [e for e in shut["evidence"] if "pool_seen = yes" in e.get("note", "")]
    assert given["text"].startswith('Given a pool "pool_d" of 1 worker')


@pytest.mark.parametrize("name", ["pretty.txt", "plain.txt", "pretty_color.txt"])
def test_the_shutdown_remediation_names_pythons_calls(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """behave prints a step's traceback as Python does (`File "…/pool.py", line 79, in
    checkout`), no `pool.py:79`: the pool-shutdown remediation took the run for ExUnit's
    (`Task.await_many`, `stop_supervised`). Those frames say Python now."""
    report = _triage(capsys, name)
    (shut,) = [
        f["outcome"]
        for f in report["findings"]
        if f["outcome"].get("pattern_id") == "pool-shutdown-during-checkout"
    ]
    assert shut["facts"]["python"] == ".py"
    assert shut["remediation"].startswith("Do not close or shut down a pool (or an executor)")
    assert "ExUnit" not in shut["remediation"]
