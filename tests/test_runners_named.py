"""A log of other runners' output alone (RSpec, bats, cargo test…: `poolctl.model.OtherRunner`)
is said to be of the runners read, by name, wherever the read lines are told: the terminal's
`read 82 lines (RSpec)`, the Markdown job summary's, JSON's `formats`; a log of several lists
them. It was said to be of `other runners' verdicts`, the runner named only in a note. The
history store keeps no format (its runs and outcomes tables have none), so a store written when
the log was said to be of `other runners' verdicts` keeps its rows matched. Real captures:
`tests/fixtures/src/capture_rspec.sh`, `capture_go_runs.sh`, `capture_cargo_runs.sh`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.history.recorder import HistoryRecorder
from poolctl.logs import read_logs
from poolctl.model import TriageDetails
from poolctl.patterns import load_patterns
from poolctl.triage import triage

MIXED = Path(__file__).parent / "fixtures" / "mixed"
RSPEC = MIXED / "rspec_runs" / "progress.txt"


def _out(capsys: pytest.CaptureFixture[str], path: Path, fmt: str) -> str:
    assert main(["triage", str(path), "--no-history", "--format", fmt]) == 1
    return capsys.readouterr().out


def test_an_rspec_log_alone_is_said_to_be_rspecs_in_every_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert "read 82 lines (RSpec)" in _out(capsys, RSPEC, "term")
    assert "- read 82 lines (RSpec)" in _out(capsys, RSPEC, "md")
    report = json.loads(_out(capsys, RSPEC, "json"))
    assert report["extra"]["formats"] == {str(RSPEC): "RSpec"}


def test_a_log_of_several_runners_alone_lists_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """One CI job's log: a failed `go test` run, then a failed `cargo test` run (the two
    captures one after the other, as a job running both prints them)."""
    log = tmp_path / "job.log"
    go, cargo = MIXED / "go_runs" / "go_test.txt", MIXED / "cargo_runs" / "cargo_test.txt"
    log.write_bytes(go.read_bytes() + cargo.read_bytes())
    parsed = read_logs([str(log)])
    assert {s.source for s in parsed.summaries} == {"go test", "cargo test"}
    assert parsed.formats == {str(log): "cargo test, go test"}
    assert "lines (cargo test, go test)" in _out(capsys, log, "term")


def test_a_store_written_when_it_was_said_other_runners_verdicts_keeps_its_rows_matched(
    tmp_path: Path,
) -> None:
    """The run recorded with the format said before (`other runners' verdicts`, which no
    passes are read for, as none are for `RSpec`), then the same suite's next run recorded as
    it is said now: each of its failures is known, none new."""
    store = str(tmp_path / "history.sqlite")
    patterns = load_patterns([])
    first = triage(read_logs([str(RSPEC)]), patterns)
    assert isinstance(first.details, TriageDetails)
    said_before = {str(RSPEC): "other runners' verdicts"}
    first = dataclasses.replace(
        first, details=dataclasses.replace(first.details, formats=said_before)
    )
    recorder = HistoryRecorder(store)
    recorded = recorder.record(first)
    recorder.finish()
    assert [f.history.status for f in recorded.findings if f.history] == ["new"] * 7
    again = tmp_path / "next_run.txt"  # the next run's log: other bytes, not the same run
    again.write_bytes(RSPEC.read_bytes() + b"\n")
    second = triage(read_logs([str(again)]), patterns)
    assert isinstance(second.details, TriageDetails)
    assert second.details.formats == {str(again): "RSpec"}
    recorder = HistoryRecorder(store)
    recorded = recorder.record(second)
    recorder.finish()
    assert [f.history.status for f in recorded.findings if f.history] == ["known"] * 7
