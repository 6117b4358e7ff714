"""busted's failures (Lua) are read: each `Failure -> spec/x.lua @ 22` and `Error -> …` block
below its counts, `1 success / 1 failure / 3 errors / 1 pending : 1.8 seconds`, which count
them; its pending specs are no failures. Before, such a log was refused as of no format (exit
2), its failures counted nowhere, and a clean run alone too. Real captures of
`src/busted_suite` (`tests/fixtures/src/capture_busted.sh`: busted 2.1.1, a pool of real worker
processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "busted_runs"
SPEC = "spec/pool_spec.lua"


@pytest.mark.parametrize(
    ("log", "places"),
    [
        ("default.txt", (6, 12, 17)),  # (raised in pool.lua: the spec's line)
        ("plain.txt", (6, 12, 17)),
        ("verbose.txt", (9, 14, 19)),  # its traceback's frame in the spec
    ],
)
def test_each_failed_or_errored_spec_is_read(
    capsys: pytest.CaptureFixture[str], log: str, places: tuple[int, int, int]
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    checkout, silent, exits = places
    assert sorted(read) == sorted(
        [
            (
                "worker pool starts a job",
                f"{SPEC}:25",
                "AssertionError",
                "required-field-missing",
            ),
            (
                "worker pool checks out a second worker within 200ms",
                f"{SPEC}:{checkout}",
                "",
                "checkout-timeout-waiters",
            ),
            (
                "worker pool answers ping from a silent worker",
                f"{SPEC}:{silent}",
                "",
                "port-no-response",
            ),
            ("worker pool keeps its worker after a request", f"{SPEC}:{exits}", "", "-"),
        ]
    )
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["worker pool keeps its worker after a request"] == (
        "./pool.lua:46: worker exited with status 3 before answering"
    )  # (where it was raised kept; the traceback is no message)
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("busted", 4, 4)]


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / "clean.txt"), "--no-history")
    assert code == 0
    assert "read for its runs' verdicts alone (busted): each passed" in out


@pytest.mark.parametrize(
    ("log", "places"),
    [
        ("tap.txt", (6, 12, 17)),  # its `# spec/pool_spec.lua @ 6` line
        ("tap_verbose.txt", (9, 14, 19)),  # its traceback's frame in the spec
    ],
)
def test_busted_tap_is_placed_from_its_diagnostics(
    capsys: pytest.CaptureFixture[str], log: str, places: tuple[int, int, int]
) -> None:
    """busted's TAP (`-o TAP`) says each failed test's spec file and line on the comment below
    its `not ok` line, then `Failure message: …`; under --verbose each test's start line,
    `# spec/pool_spec.lua @ 28: worker pool answers ping`, comes before its own `ok` line. Before,
    no failure had a place and each message began with that line (and, under --verbose, ended
    with the next test's)."""
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    read = {
        f["failure"]["name"]: (f["failure"]["group"], f["failure"]["location"])
        for f in report["findings"]
    }
    checkout, silent, exits = places
    assert read == {
        "worker pool checks out a second worker within 200ms": (SPEC, f"{SPEC}:{checkout}"),
        "worker pool answers ping from a silent worker": (SPEC, f"{SPEC}:{silent}"),
        "worker pool keeps its worker after a request": (SPEC, f"{SPEC}:{exits}"),
        "worker pool starts a job": (SPEC, f"{SPEC}:25"),
    }
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["worker pool keeps its worker after a request"] == (
        "./pool.lua:46: worker exited with status 3 before answering"
    )
    assert messages["worker pool starts a job"].splitlines()[0] == (
        "spec/pool_spec.lua:25: Expected objects to be equal."
    )
