"""`--run-dir DIR` naming a folder that holds something else: poolctl wrote its report.md,
report.json, junit.xml and markers over and beside another tool's files. A non-empty folder
that is no poolctl run folder is refused, one line, exit 2; an earlier run's folder is reused
as README's "the run folder" says (its earlier run's files removed first)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli

LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"


def _foreign(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    other = tmp_path / "coverage"
    other.mkdir()
    (other / "report.md").write_text("# coverage: 93%\n")
    (other / "data.csv").write_text("file,lines\n")
    return other, {p.name: p.read_bytes() for p in other.iterdir()}


def _refused(other: Path) -> list[str]:
    return [
        f"poolctl: error: --run-dir: {other} is not empty and is no poolctl run folder (it "
        "holds data.csv, report.md): give a new or empty folder, or an earlier run's"
    ]


def test_a_folder_of_another_tool_is_refused_and_left_as_it_was(
    cli: RunCli, tmp_path: Path
) -> None:
    """Before: exit 1, its report.md overwritten with poolctl's, `.poolctl-run` and
    `workers/` added beside its files."""
    other, before = _foreign(tmp_path)
    code, _, err = cli("triage", str(LOG), "--no-history", "--run-dir", str(other))
    assert code == 2, err
    assert err.strip().splitlines() == _refused(other)
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before


def test_run_scenario_refuses_it_too_and_reuses_its_own_earlier_folder(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`run-scenario --run-dir` into another tool's folder: refused before any worker starts;
    into the folder of its own earlier run: run again there (README: "--run-dir DIR reuses
    DIR"), its trace holding this run alone."""
    other, before = _foreign(tmp_path)
    code, _, err = run_cli("run-scenario", "p3-checkout-timeout", "--run-dir", str(other), "-q")
    assert code == 2, err
    assert err.strip().splitlines() == _refused(other)
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before
    run = tmp_path / "scenario"
    for _ in range(2):
        code, _, err = run_cli("run-scenario", "p3-checkout-timeout", "--run-dir", str(run), "-q")
        assert code == 0, err
        assert json.loads((run / "report.json").read_text())["kind"] == "scenario"
    assert (run / "events.jsonl").read_text().count('"type":"scenario_start"') == 1


def test_an_earlier_run_s_folder_and_an_empty_one_are_used(cli: RunCli, tmp_path: Path) -> None:
    """An earlier triage's folder is reused (its report replaced by this run's, a file of the
    user's beside it left alone, as README says); an empty folder is used."""
    run = tmp_path / "run"
    assert cli("triage", str(LOG), "--no-history", "--run-dir", str(run))[0] == 1
    (run / "notes.txt").write_text("mine\n")
    code, _, err = cli("triage", str(LOG), "--no-history", "--run-dir", str(run))
    assert code == 1, err
    assert json.loads((run / "report.json").read_text())["kind"] == "triage"
    assert (run / "notes.txt").read_text() == "mine\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("triage", str(LOG), "--no-history", "--run-dir", str(empty))[0] == 1
    assert (empty / "report.json").is_file()


def test_a_folder_with_only_a_link_named_as_a_run_s_file_is_used(
    cli: RunCli, tmp_path: Path
) -> None:
    """`events.jsonl` or a report linked elsewhere on purpose (/dev/null, as the full-disk tests
    link it to /dev/full) is poolctl's layout, not another tool's file."""
    run = tmp_path / "run"
    run.mkdir()
    (run / ".report.md.partial").symlink_to(tmp_path / "elsewhere.md")
    (run / "events.jsonl").symlink_to("/dev/null")
    code, _, err = cli("triage", str(LOG), "--no-history", "--run-dir", str(run))
    assert code == 1, err
