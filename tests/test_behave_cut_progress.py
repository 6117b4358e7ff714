"""A behave run under its progress formatter (`--format progress`: a line for each feature, a
letter for each scenario as the next begins, a worker's stderr glued onto the letters) cut off
in a scenario (a CI job's time limit: no `Failing scenarios:` list, no count) was refused as of
no format, exit 2. It is read from its letters: each scenario that failed (`F`) or errored
(`E`), named by its feature and its number among those run there (the formatter prints no
name), and the scenario the run was cut in, of kind `stopped`. Real captures
(`tests/fixtures/src/capture_behave_cut_progress.sh`, behave 1.3.3 killed by `timeout -s KILL
5` in a step waiting on a silent worker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "behave_runs"
CUT = [
    ("(scenario 1 run in features/cut.feature)", "error", 3),
    ("(scenario 3 run in features/cut.feature)", "failed", 6),
    ("(scenario 4 run in features/cut.feature)", "stopped", 6),
]
# misc.feature's letters `FE.F` then `SE` (its lists in progress.txt: the same scenarios)
MISC = [
    ("(scenario 1 run in features/a_misc.feature)", "failed", 4),
    ("(scenario 2 run in features/a_misc.feature)", "error", 4),
    ("(scenario 4 run in features/a_misc.feature)", "failed", 4),
    ("(scenario 6 run in features/a_misc.feature)", "error", 5),
]


def _read(capsys: pytest.CaptureFixture[str], log: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    return code, json.loads(out)


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("cut_progress.txt", CUT),
        ("cut_progress_two.txt", MISC + [(n, k, i + 4) for n, k, i in CUT]),
    ],
)
def test_a_progress_run_cut_in_a_scenario_is_read_from_its_letters(
    capsys: pytest.CaptureFixture[str], name: str, read: list[tuple[str, str, int]]
) -> None:
    code, report = _read(capsys, RUNS / name)
    assert code == 1
    failures = [f["failure"] for f in report["findings"]]
    assert [(f["name"], f["kind"], f["line_start"]) for f in failures] == read
    assert {f["source"] for f in failures} == {"behave"}
    assert all(f["group"] == f["location"] == f["name"].split(" run in ")[1][:-1] for f in failures)
    assert failures[-1]["message"].startswith("the run ended in this scenario")
    assert any("the run ended before its summary" in note for note in report["notes"])
    assert "(behave, no verdict)" in run(capsys, "triage", str(RUNS / name), "--no-history")[1]


def test_a_closed_progress_run_is_read_from_its_lists_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Its letters are not read again: its lists name the 9 scenarios."""
    _, report = _read(capsys, RUNS / "progress.txt")
    assert report["summary"]["failures"] == 9
    assert not [f for f in report["findings"] if f["failure"]["name"].startswith("(scenario")]


def test_a_progress_run_cut_after_another_runners_run_is_noted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """make's pytest run (53 failures, its count), then the cut behave run, in one log."""
    pytest_run = RUNS.parent / "make_k_mix_then_pytest_q.log"
    log = tmp_path / "ci.log"
    log.write_bytes(pytest_run.read_bytes() + (RUNS / "cut_progress.txt").read_bytes())
    code, report = _read(capsys, log)
    assert code == 1
    assert report["summary"]["failures"] == 53 + 3
    behave = [
        f["failure"]["kind"] for f in report["findings"] if f["failure"]["source"] == "behave"
    ]
    assert behave == ["error", "failed", "stopped"]
    assert any("behave's run ended in its features" in note for note in report["notes"])


def test_a_run_cut_in_its_first_scenario_run_is_said_so(capsys: pytest.CaptureFixture[str]) -> None:
    """`--name "A silent worker"`: the scenarios the filter leaves out print no letter, and the
    one it runs, the file's fourth, hangs first: the log ends after the feature's line."""
    code, report = _read(capsys, RUNS / "cut_progress_named.txt")
    assert code == 1
    [stopped] = [f["failure"] for f in report["findings"]]
    assert (stopped["name"], stopped["kind"], stopped["line_start"]) == (
        "(scenario 1 run in features/cut.feature)",
        "stopped",
        2,
    )
    assert stopped["message"].startswith("the run ended in this feature's first scenario")
    assert "a --name or --tags filter left out" in stopped["details"]["note"]


def test_behave_1_2_6s_progress_run_is_read_as_1_3s(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """behave 1.2.6 prints no `USING RUNNER` line and `F` for any exception a step raised
    (capture_behave_progress_126.sh). Cut, its letters are read as 1.3's, each `F` said to be
    any exception; whole, its lists name its failures as 1.3's do. Before, the cut run was
    refused as of no format (exit 2), and after a pytest run its letters were not read."""
    code, report = _read(capsys, RUNS / "cut_progress_126.txt")
    assert code == 1
    failures = [f["failure"] for f in report["findings"]]
    assert [(f["name"], f["kind"], f["line_start"]) for f in failures] == [
        ("(scenario 1 run in features/cut.feature)", "failed", 2),
        ("(scenario 3 run in features/cut.feature)", "failed", 5),
        ("(scenario 4 run in features/cut.feature)", "stopped", 5),
    ]
    assert "an assert and for any other exception alike" in failures[0]["message"]
    assert any("the run ended before its summary" in note for note in report["notes"])
    _, report = _read(capsys, RUNS / "progress_126.txt")
    assert report["summary"]["failures"] == 9
    assert not [f for f in report["findings"] if f["failure"]["name"].startswith("(scenario")]
    pytest_run = RUNS.parent / "make_k_mix_then_pytest_q.log"
    log = tmp_path / "ci.log"
    log.write_bytes(pytest_run.read_bytes() + (RUNS / "cut_progress_126.txt").read_bytes())
    code, report = _read(capsys, log)
    assert (code, report["summary"]["failures"]) == (1, 53 + 3)
