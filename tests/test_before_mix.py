"""Another runner's step before `mix test` in one log (real captures:
tests/fixtures/src/capture_before_mix.sh): the ExUnit parser reads the log, and reads the other
runner's failure blocks before mix test's run as it does after one. Before, they were counted by
their runner's verdict and none read (`a cargo test run's verdict …: its own failure blocks are
not read`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs

BEFORE_MIX = Path(__file__).parent / "fixtures" / "mixed" / "before_mix"


@pytest.mark.parametrize(
    ("log", "source", "runs"),
    [
        ("cargo_then_mix.log", "cargo", [("cargo test", 2), ("cargo test", 1), ("cargo test", 1)]),
        ("jest_then_mix.log", "jest", [("Jest", 1)]),
        ("vitest_tap_then_mix.log", "tap", [("TAP", 5)]),
    ],
)
def test_another_runners_failures_before_mix_test_are_read(
    capsys: pytest.CaptureFixture[str], log: str, source: str, runs: list[tuple[str, int]]
) -> None:
    parsed = read_logs([str(BEFORE_MIX / log)])
    assert parsed.formats == {str(BEFORE_MIX / log): "exunit"}
    theirs = [(s.source, s.failures) for s in parsed.summaries if s.source != "closing line"]
    assert theirs == runs
    assert all(s.read == s.failures for s in parsed.summaries)
    counted = sum(n for _, n in runs)
    read = Counter(f.source for f in parsed.failures)
    # (Jest reads the file that failed to run beyond its tests' count)
    assert read == {source: counted + (source == "jest"), "exunit": 4}
    assert not any("not read" in note for note in parsed.skipped)
    assert main(["triage", str(BEFORE_MIX / log), "--no-history"]) == 1
    assert "not read" not in capsys.readouterr().out
