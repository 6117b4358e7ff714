"""`poolctl report RUN_DIR...` prints what the live command printed, for every kind of run.

Each test runs a real command (real workers, real pools), then `poolctl report` on the run
folders it wrote, and compares the two outputs whole, timings normalised; the other formats
are compared with the files the live command wrote into its run folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.rundir import BASE_ENV, run_folders
from tests.conftest import REFERENCE, Processes
from tests.test_report_formats import valid_json

SCENARIOS = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios"
PYTEST_LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
TIMING = re.compile(r"\d[\d,]*(?:\.\d+)? ?(?:ms|s)\b")


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the run folders of a command without `--run-dir` go to."""
    base = tmp_path / "runs"
    monkeypatch.setenv(BASE_ENV, str(base))
    return base


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def untimed(text: str) -> str:
    """`text` with every duration (`0.218 ms`, `(0.12 s)`, `in 1.2 s`) replaced by `T`."""
    return TIMING.sub("T", text)


def same_view(
    capsys: pytest.CaptureFixture[str], live: str, folders: list[Path], *options: str
) -> str:
    """Asserts that `poolctl report FOLDERS...` prints `live`; returns the live view."""
    code, again, err = cli(capsys, "report", *map(str, folders), *options)
    assert code == 0, err
    assert untimed(again) == untimed(live)
    return live


def same_files(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    """`poolctl report` in Markdown, JSON and JUnit gives the files the live run wrote (the
    JSON valid against the shipped schema; a triage writes report.json alone)."""
    valid_json((folder / "report.json").read_text())
    for fmt, name in (("md", "report.md"), ("json", "report.json"), ("junit", "junit.xml")):
        if not (folder / name).exists():
            continue
        code, again, err = cli(capsys, "report", str(folder), "-f", fmt)
        assert code == 0, err
        assert again == (folder / name).read_text(), fmt


def test_ping_that_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    code, live, err = cli(capsys, "ping", "--count", "3", "--run-dir", str(run))
    assert code == 0, err
    view = same_view(capsys, live, [run])
    assert view.startswith("✓ ") and "answered 'ping' in" in view and "3 round trips:" in view
    assert "result: {" in view and view.endswith(f"run folder: {run}\n")
    same_files(capsys, run)


def test_ping_with_a_diagnosis(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    argv = ["ping", "--timeout", "2", "--run-dir", str(run)]
    code, live, err = cli(capsys, *argv, "--", *REFERENCE, "--stdout-noise", "Warming up")
    assert code == 1, err
    view = same_view(capsys, live, [run])
    assert view.startswith("✗ The worker prints text to its framed stdout")
    assert "— pattern 1 (port-no-response)" in view
    for heading in ("Evidence", "Remediation", "Hypotheses"):
        assert f"\n{heading}\n" in view
    assert "✓ confirmed  Prints to stdout" in view and "supported" not in view
    assert "diagnosed in" in view
    same_files(capsys, run)


def test_ping_that_tried_every_framing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    argv = ["ping", "--framing", "auto", "--run-dir", str(run)]
    code, live, err = cli(capsys, *argv, "--", *REFERENCE, "--framing", "line")
    assert code == 0, err
    view = same_view(capsys, live, [run])
    assert view.startswith("--framing auto: line gets an answer, using it (packet-4: ")


def test_doctor(capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes) -> None:
    run = tmp_path / "run"
    argv = ["doctor", "--timeout", "2", "--run-dir", str(run)]
    code, live, err = cli(capsys, *argv, "--", *REFERENCE, "--stdout-noise", "Warming up")
    assert code == 1, err
    view = same_view(capsys, live, [run])
    assert view.startswith("Doctor summary for ")
    assert "[✗] Output hygiene" in view and "Doctor found issues in" in view
    assert view.endswith(f"run folder: {run}\n")
    same_files(capsys, run)


@pytest.mark.parametrize("options", [(), ("-v",), ("-q",), ("--top", "2")])
def test_triage(capsys: pytest.CaptureFixture[str], tmp_path: Path, options: tuple[str]) -> None:
    run = tmp_path / "run"
    code, live, err = cli(capsys, "triage", str(PYTEST_LOG), "--run-dir", str(run), *options)
    assert code == 1, err
    view = same_view(capsys, live, [run], *options)
    assert view.startswith("poolctl triage — ")
    assert ("✓ confirmed" in view) is (options == ("-v",))  # the causes behind -v
    assert "supported" not in view.replace("also supported:", "")  # the cause's prose keeps it
    same_files(capsys, run)
    # the formats the run folder does not keep: rendered from report.json as triage prints them
    for fmt in ("md", "junit"):
        other = tmp_path / fmt
        code, live, err = cli(capsys, "triage", str(PYTEST_LOG), "-f", fmt, "--run-dir", str(other))
        assert code == 1, err
        code, again, err = cli(capsys, "report", str(other), "-f", fmt)
        assert code == 0, err
        assert untimed(again) == untimed(live), fmt


def test_one_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    scenario = SCENARIOS / "p3-checkout-timeout.yaml"
    code, live, err = cli(capsys, "run-scenario", str(scenario), "--run-dir", str(run))
    assert code == 0, err
    view = same_view(capsys, live, [run])
    assert view.startswith(
        "✓ scenario p3-checkout-timeout passed in T: expected checkout-timeout-waiters; "
        "got checkout-timeout-waiters\n"
    ) or untimed(view).startswith(
        "✓ scenario p3-checkout-timeout passed in T: expected checkout-timeout-waiters; "
        "got checkout-timeout-waiters\n"
    )
    assert view.endswith(f"run folder: {run}\n")
    same_files(capsys, run)


def test_several_scenarios(
    capsys: pytest.CaptureFixture[str], runs: Path, processes: Processes
) -> None:
    files = [SCENARIOS / "healthy.yaml", SCENARIOS / "p5-required-field.yaml"]
    code, live, err = cli(capsys, "run-scenario", *map(str, files))
    assert code == 0, err
    folders = run_folders(runs)
    assert len(folders) == 2
    view = same_view(capsys, live, folders)
    assert view.count("✓ scenario ") == 2 and view.count(" passed in ") == 2
    assert view.endswith("✓ 2 of 2 scenario(s) produced what they expect\n")


@pytest.mark.parametrize("keep", [False, True])
def test_the_tour_one_run_folder_a_scenario(
    capsys: pytest.CaptureFixture[str],
    runs: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep: bool,
    processes: Processes,
) -> None:
    names = ("healthy", "p3-checkout-timeout", "p5-required-field")
    tour = [SCENARIOS / f"{name}.yaml" for name in names]
    monkeypatch.setattr("poolctl.scenario.bundled_scenarios", lambda: tour)
    options = ["--keep-secrets"] if keep else []
    code, live, err = cli(capsys, "run-scenario", *options)
    assert code == 0, err
    folders = run_folders(runs)  # the order they ran in
    assert [f.name.split("-", 1)[1] for f in folders] == list(names)
    view = same_view(capsys, live, folders, *options)
    lines = view.splitlines()
    assert len(lines) == 4 + keep
    assert (
        lines[1].startswith("✓ p3-checkout-timeout ") and "reproduced checkout-timeout" in lines[1]
    )
    assert lines[3] == "✓ 3 of 3 scenario(s) produced what they expect"
    assert ("secrets were NOT redacted" in view) is keep


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("ping", "interrupted by SIGINT before its verdict"),
        ("doctor", "Doctor was interrupted by SIGINT before it finished its checks"),
        ("triage", "not triaged: interrupted by SIGINT while the logs were read"),
    ],
)
@pytest.mark.parametrize("quiet", [False, True])
def test_a_run_a_signal_cut_short_reads_as_one_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, said: str, quiet: bool
) -> None:
    """What an interrupted ping, doctor or triage leaves (the report of a run cut short): it
    read as "✓ … answered 'ping' in 0 µs (pid None, None)", "No issues found" and "0 failures"
    (a triage of a whole log, interrupted while it waited on a pipe)."""
    from poolctl.report.publish import save_interrupted
    from poolctl.rundir import create_run_dir

    run = create_run_dir(kind, base=tmp_path, kind=kind)
    save_interrupted(run, "SIGINT")
    run.release()
    main(["report", *(["-q"] if quiet else []), str(run.path)])
    out = capsys.readouterr()[0]
    assert said in out, out
    assert "answered" not in out and "No issues found" not in out and "0 failures" not in out
