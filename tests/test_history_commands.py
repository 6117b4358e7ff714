"""What each command records, and what `poolctl history` answers, on the embedded store (the
PostgreSQL cases of the same behaviour are in tests/test_history_store.py):

- `ping`, `doctor` and `run-scenario` runs are recorded with their verdict, timings and the
  patterns they found (a scenario's reproduced patterns);
- every `history` subcommand answers in every `--format`;
- the flaky window: 14 days unless `POOLCTL_FLAKY_WINDOW` or `--window` says otherwise;
- a test that passed then failed on one commit is flaky in CI, and a new failure on a
  developer's machine (whose work tree may hold edits the commit does not);
- a `--history` or `POOLCTL_HISTORY` value that names no store: the report, then one line, exit 2.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from poolctl.history.location import parse_location
from poolctl.history.recorder import HistoryRecorder
from poolctl.history.runmeta import PROVIDERS
from poolctl.history.schema import runs
from poolctl.history.store import HistoryStore
from poolctl.model import Report
from tests.conftest import RunCli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios"
FLAKY = [FIXTURES / "junit" / "flaky" / f"run{n}.xml" for n in (1, 2, 3)]
REFERENCE = (sys.executable, "-m", "poolctl.workers.reference")


def recorded_runs(run_cli: RunCli) -> list[dict[str, Any]]:
    """The store's runs, oldest first, as `history runs -f json` lists them."""
    code, out, err = run_cli("history", "runs", "-f", "json")
    assert code == 0, err
    listed: list[dict[str, Any]] = json.loads(out)["runs"]
    return listed[::-1]


def statuses(run_cli: RunCli, log: Path) -> dict[str, str]:
    code, out, err = run_cli("triage", str(log), "-f", "json")
    assert code == 1, err
    return {f["failure"]["name"]: f["history"]["status"] for f in json.loads(out)["findings"]}


def age_runs(store: Path, ids: list[int], days: float) -> None:
    """Move runs `days` back in time, as if they had been recorded then."""
    with HistoryStore(parse_location(str(store))) as opened, opened.writing() as conn:
        when = datetime.now(UTC) - timedelta(days=days)
        conn.execute(update(runs).where(runs.c.id.in_(ids)).values(started_at=when))


# --- ping, doctor, run-scenario ---------------------------------------------------------------
def test_ping_records_its_verdict_and_round_trip_times(run_cli: RunCli) -> None:
    code, _, err = run_cli("ping", "--count", "5")
    assert code == 0, err
    crash = ("--", *REFERENCE, "--crash-on-start", "3")
    for _ in range(2):
        code, out, err = run_cli("ping", "--no-experiments", "--timeout", "1", "--json", *crash)
        assert code == 1, err
    assert json.loads(out)["findings"][0]["history"]["status"] == "known"
    ok, failed, again = recorded_runs(run_cli)
    assert (ok["kind"], ok["verdict"], ok["failures"], ok["patterns"]) == ("ping", "ok", 0, [])
    assert ok["timings"]["round_trips"] == 5
    assert 0 < ok["timings"]["min"] <= ok["timings"]["median"] <= ok["timings"]["max"]
    assert ok["seconds"] > 0 and ok["seconds"] == round(ok["seconds"], 3)
    assert (failed["verdict"], failed["patterns"], failed["new"]) == (
        "failed",
        ["port-no-response"],
        1,
    )
    assert (again["new"], again["known"]) == (0, 1)


def test_doctor_records_its_verdict_and_each_check_s_time(run_cli: RunCli) -> None:
    code, out, err = run_cli("doctor", "--timeout", "5", "--json")
    assert code in (0, 1), err
    checks = {c["name"]: c["status"] for c in json.loads(out)["checks"]}
    [run] = recorded_runs(run_cli)
    statuses = set(checks.values())
    expected = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"
    assert (run["kind"], run["verdict"]) == ("doctor", expected)
    assert set(run["timings"]["checks"]) == set(checks)
    assert run["timings"]["seconds"] > 0


def test_run_scenario_records_its_outcome_and_the_patterns_it_reproduced(
    run_cli: RunCli,
) -> None:
    files = [str(SCENARIOS / "healthy.yaml"), str(SCENARIOS / "p5-required-field.yaml")]
    code, _, err = run_cli("run-scenario", "-q", *files, "-f", "json")
    assert code == 0, err
    healthy, p5 = recorded_runs(run_cli)
    assert (healthy["kind"], healthy["verdict"], healthy["patterns"]) == ("scenario", "passed", [])
    assert (p5["verdict"], p5["patterns"], p5["title"]) == (
        "passed",  # it reproduced what it expects
        ["required-field-missing"],
        "scenario p5-required-field: passed",
    )
    assert p5["timings"]["events"] > 0 and p5["timings"]["seconds"] > 0
    code, _, err = run_cli("run-scenario", "--check", *files)  # runs nothing: records nothing
    assert code == 0, err
    assert len(recorded_runs(run_cli)) == 2


def test_an_interrupted_run_is_not_recorded(history_in_tmp: Path) -> None:
    """Its outcomes are partial (tests/test_scenario_run.py interrupts a real one: its own
    report is saved in the moment poolctl has left after the signal)."""
    cut_short = Report(kind="scenario", title="scenario stubborn", interrupted="SIGINT")
    recorder = HistoryRecorder(str(history_in_tmp))
    assert recorder.record(cut_short) is cut_short
    recorder.finish()
    with HistoryStore(parse_location(str(history_in_tmp))) as store, store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(runs)).scalar_one() == 0


# --- poolctl history, every subcommand in every format ----------------------------------------
SUBCOMMANDS = {
    "runs": ["runs"],
    "test": ["test", "test_checkout_under_load"],
    "flaky": ["flaky"],
    "patterns": ["patterns"],
    "prune": ["prune", "--older-than", "90d"],
}
# what each subcommand's answer holds, in every format
SHOWS = {
    "runs": "triage of",
    "test": "checkout-timeout-waiters",
    "flaky": "test_checkout_under_load",
    "patterns": "fixture-key-mismatch",
    "prune": "90",
}


@pytest.mark.parametrize("fmt", ["term", "md", "json", "html"])
def test_every_history_subcommand_answers_in_every_format(cli: RunCli, fmt: str) -> None:
    for log in FLAKY:
        assert cli("triage", str(log), "-f", "json")[0] == 1
    for name, argv in SUBCOMMANDS.items():
        code, out, err = cli("history", *argv, "--format", fmt)
        assert code == 0 and err == "", (name, err)
        assert SHOWS[name] in out.replace("\\_", "_"), (name, fmt, out)  # Markdown escapes _
        if fmt == "json":
            doc = json.loads(out)
            assert doc["store"].endswith("history.sqlite"), name
        elif fmt == "md":
            assert out.startswith("# ") and "\n|---" in out, name
        elif fmt == "html":
            assert out.startswith("<!doctype html>") and "<table>" in out, name
        else:
            assert out.splitlines()[1].split()[0] in {"run", "flip", "pattern", "runs"}, name


# --- the flaky window ---------------------------------------------------------------------------
def test_the_flaky_window_is_14_days_unless_set(
    cli: RunCli, history_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail, pass (10 days ago), fail (now): flaky within 14 days, not within 7."""
    statuses(cli, FLAKY[0])
    statuses(cli, FLAKY[1])
    age_runs(history_in_tmp, [1, 2], days=10)
    monkeypatch.setenv("POOLCTL_FLAKY_WINDOW", "7d")
    assert statuses(cli, FLAKY[2])["test_checkout_under_load"] == "known"  # seen, not flipping
    monkeypatch.delenv("POOLCTL_FLAKY_WINDOW")
    assert statuses(cli, FLAKY[2])["test_checkout_under_load"] == "flaky"
    code, out, _ = cli("history", "flaky", "-f", "json")
    assert [t["test"] for t in json.loads(out)["tests"]] == ["test_checkout_under_load"]
    assert json.loads(out)["window_days"] == 14
    code, out, _ = cli("history", "flaky", "--window", "7d", "-f", "json")
    assert json.loads(out)["tests"] == []  # only the two failures of today
    monkeypatch.setenv("POOLCTL_FLAKY_WINDOW", "7d")
    code, out, _ = cli("history", "flaky", "-f", "json")
    assert json.loads(out)["window_days"] == 7
    monkeypatch.setenv("POOLCTL_FLAKY_WINDOW", "a fortnight")
    code, out, err = cli("triage", str(FLAKY[0]))
    assert code == 2 and "Pattern 3" in out  # the report, then the problem
    assert err.count("\n") == 1 and "POOLCTL_FLAKY_WINDOW: 'a fortnight' is not a duration" in err


def _one_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: bool) -> None:
    """Run in a work tree at one commit, in CI (`CI=true`) or not."""
    git = tmp_path / "repo" / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text("5e1f" * 10 + "\n")
    monkeypatch.chdir(git.parent)
    for provider in PROVIDERS:
        monkeypatch.delenv(provider.marker, raising=False)
    if ci:
        monkeypatch.setenv("CI", "true")


@pytest.mark.parametrize(("ci", "status"), [(True, "flaky"), (False, "new")])
def test_a_pass_then_a_failure_on_one_commit_is_flaky_in_ci_only(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: bool, status: str
) -> None:
    _one_commit(tmp_path, monkeypatch, ci)
    statuses(cli, FLAKY[1])  # test_checkout_under_load passes
    assert statuses(cli, FLAKY[0])["test_checkout_under_load"] == status
    code, out, _ = cli("history", "flaky", "-f", "json")
    assert code == 0
    flaky = json.loads(out)["tests"]
    assert [(t["test"], t["same_commit"]) for t in flaky] == (
        [("test_checkout_under_load", True)] if ci else []
    )


# --- a location that names no store -----------------------------------------------------------
@pytest.mark.parametrize("where", ["--history", "POOLCTL_HISTORY"])
def test_a_history_location_naming_no_store_loses_no_report(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    bad = "mysql://ci:My-Secret-881@db/pool"
    argv = ["triage", str(FLAKY[0])]
    if where == "--history":
        argv += ["--history", bad]
    else:
        monkeypatch.setenv("POOLCTL_HISTORY", bad)
    code, out, err = cli(*argv)
    assert code == 2
    assert "Pattern 3" in out and "Fix plan" in out
    assert err.count("\n") == 1
    assert f"{where}: unknown history URL scheme 'mysql://'" in err
    assert "My-Secret-881" not in out + err


def test_the_runs_table_cuts_a_long_title_not_the_counts(run_cli: RunCli, tmp_path: Path) -> None:
    """A log under a deep path makes a long title: the table cut the run number and the
    new, known and flaky columns, the ones it is for, and kept the title."""
    deep = tmp_path / ("a_rather_long_folder_name_" * 4) / "nested" / "run1.xml"
    deep.parent.mkdir(parents=True)
    deep.write_text(FLAKY[0].read_text())
    assert run_cli("triage", str(deep), "-q")[0] == 1
    code, out, _ = run_cli("history", "runs")
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("run"))
    assert header.split()[:3] == ["run", "when", "(UTC)"]
    assert all(word in header.split() for word in ("new", "known", "flaky", "title"))
    assert "…" in out and all(len(line) <= 120 for line in out.splitlines())


@pytest.mark.slow  # three scenario runs, each waiting out its init timeout
def test_a_scenario_s_failure_is_known_from_its_own_runs_not_another_scenario_s(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Two scenarios that fail alike are two targets: the second's failure is new (it was told
    "known: 1 earlier run" for the first's), and a run of the same scenario again, from another
    path to its file, knows it."""
    body = (SCENARIOS / "p1-stdout-noise.yaml").read_text().split("\n", 2)[2]
    files = {}
    for name in ("noisy-a", "noisy-b"):
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(f"name: {name}\n{body}")

    def status(path: str) -> dict[str, Any]:
        code, out, err = run_cli("run-scenario", "-q", "-f", "json", path)
        assert code == 0, err  # it reproduced the pattern it expects
        [finding] = json.loads(out)["findings"]
        history: dict[str, Any] = finding["history"]
        return history

    assert status(str(files["noisy-a"]))["status"] == "new"
    assert status(str(files["noisy-b"]))["status"] == "new"
    again = status(str(tmp_path / ".." / tmp_path.name / "noisy-a.yaml"))
    assert (again["status"], again["seen_before"]) == ("known", 1)


def test_a_ping_s_failure_is_known_from_pings_of_the_same_command_only(run_cli: RunCli) -> None:
    crash = ("--no-experiments", "--timeout", "1", "--json", "--", *REFERENCE)
    for code_after, expected in (("3", "new"), ("4", "new"), ("3", "known")):
        code, out, err = run_cli("ping", *crash, "--crash-on-start", code_after)
        assert code == 1, err
        assert json.loads(out)["findings"][0]["history"]["status"] == expected
