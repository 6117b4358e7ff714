"""Run folders: made atomically (100 runs at once get 100 folders), an unusable `--run-dir` is a
usage error, the newest runs of each kind are kept and none in use is deleted, `latest` points
at the newest, and a folder a killed poolctl left unscrubbed is scrubbed by the next command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from poolctl.context import RunContext
from poolctl.errors import UsageProblem
from poolctl.rundir import (
    BASE_ENV,
    KEEP_ENV,
    LATEST,
    UNSCRUBBED,
    create_run_dir,
    kind_of,
    leftovers,
    retain,
    run_folders,
)
from tests.conftest import Processes, RunCli

LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
SECRET = "rd-Secret-5b8e1f0c2a"


def test_a_hundred_runs_at_once_get_a_hundred_folders(tmp_path: Path) -> None:
    base = tmp_path / "reports"
    with ThreadPoolExecutor(max_workers=100) as pool:  # the same second: the same name first
        runs = list(pool.map(lambda _: create_run_dir("ping", base=base, keep=1000), range(100)))
    paths = {run.path for run in runs}
    assert len(paths) == 100 and set(run_folders(base)) == paths
    for run in runs:
        assert (run.path / "workers").is_dir() and kind_of(run.path) == "ping"
        assert (run.path / UNSCRUBBED).stat().st_mode & 0o077 == 0  # it lists secrets
        run.release()
    assert (base / LATEST).resolve() in paths


def test_latest_points_at_the_newest_run(tmp_path: Path) -> None:
    base = tmp_path / "reports"
    first = create_run_dir("ping", base=base)
    second = create_run_dir("triage", base=base)
    assert (base / LATEST).resolve() == second.path
    assert os.readlink(base / LATEST) == second.path.name  # relative: the folder can move
    first.release()
    second.release()


def test_a_folder_of_ones_own_named_latest_is_left_alone(tmp_path: Path) -> None:
    base = tmp_path / "reports"
    (base / LATEST).mkdir(parents=True)
    (base / LATEST / "mine.txt").write_text("kept")
    create_run_dir("ping", base=base).release()
    assert (base / LATEST / "mine.txt").read_text() == "kept"


def test_the_newest_runs_of_each_kind_are_kept_never_one_in_use(tmp_path: Path) -> None:
    base = tmp_path / "reports"
    pings = [create_run_dir("ping", base=base, keep=100) for _ in range(5)]
    doctor = create_run_dir("doctor", base=base, keep=100)
    for run in pings[1:]:
        run.release()
    # pings[0], the oldest, is still in use: its lock is held
    newest = create_run_dir("ping", base=base, keep=3)
    kept = {p for p in run_folders(base) if kind_of(p) == "ping"}
    assert kept == {pings[0].path, pings[3].path, pings[4].path, newest.path}
    assert doctor.path.exists()  # another kind: not counted
    pings[0].release()
    assert retain(base, "ping", 3) == [pings[0].path]
    newest.release()
    doctor.release()


def test_the_number_kept_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "reports"
    monkeypatch.setenv(KEEP_ENV, "2")
    for _ in range(4):
        create_run_dir("triage", base=base).release()
    assert len(run_folders(base)) == 2
    monkeypatch.setenv(KEEP_ENV, "many")
    with pytest.raises(UsageProblem, match="POOLCTL_KEEP_RUNS: not a whole number"):
        create_run_dir("triage", base=base)


def test_triage_keeps_the_newest_runs(cli: RunCli, reports_in_tmp: Path) -> None:
    for _ in range(3):
        code, _, err = cli("triage", str(LOG), "--keep", "2", "-f", "json", "-o", os.devnull)
        assert code == 1, err
    assert len(run_folders(reports_in_tmp)) == 2
    code, _, err = cli("triage", str(LOG), "--keep", "0")
    assert code == 2 and "--keep" in err


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("/proc/sys", "in /proc/sys: /proc/sys/.poolctl-lock: No such file or directory"),
        ("a file", "in FILE: it is there, and it is no folder"),
    ],
)
def test_a_reports_folder_no_run_folder_can_be_made_in_is_named_with_what_failed(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch, where: str, said: str
) -> None:
    # POOLCTL_REPORTS_DIR=/proc/sys was called the run folder itself, and missing: "cannot
    # create the run folder /proc/sys: No such file or directory"; a file, "File exists"
    base = Path(where) if where.startswith("/") else tmp_path / "reports.txt"
    if where == "a file":
        base.write_text("not a folder")
    monkeypatch.setenv("POOLCTL_REPORTS_DIR", str(base))
    code, _, err = cli("ping")
    assert code == 2, err
    assert err == (
        f"poolctl: error: POOLCTL_REPORTS_DIR: cannot create a run folder {said}\n".replace(
            "FILE", str(base)
        )
    )


@pytest.mark.parametrize("where", ["a file", "/proc"])
def test_an_unusable_run_dir_is_one_line_and_exit_2(
    cli: RunCli, tmp_path: Path, where: str
) -> None:
    target = tmp_path / "file" if where == "a file" else Path("/proc/poolctl-run")
    if where == "a file":
        target.write_text("not a folder")
    crashes = set(Path(tempfile.gettempdir()).glob("poolctl-crash-*"))
    code, _, err = cli("triage", str(LOG), "--run-dir", str(target))
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("poolctl: error: --run-dir: cannot create")
    assert str(target) in err and "Traceback" not in err
    assert set(Path(tempfile.gettempdir()).glob("poolctl-crash-*")) == crashes


def test_a_report_json_the_disk_has_no_room_for_blames_the_run_folder(
    cli: RunCli, tmp_path: Path
) -> None:
    """The kernel's own ENOSPC while report.json is written (its partial file is /dev/full, as
    a file system that fills up writes): seen on a 256 KiB tmpfs under `doctor --run-dir`. It
    was "--output: cannot write …", an option nobody gave."""
    run = tmp_path / "run"
    run.mkdir()
    (run / ".report.json.partial").symlink_to("/dev/full")
    code, _, err = cli("triage", str(LOG), "--no-history", "--run-dir", str(run))
    assert code == 2, err
    assert err.startswith(f"poolctl: error: cannot write {run}"), err
    assert "No space left on device (make room, or --run-dir elsewhere)" in err
    assert "--output" not in err and err.count("\n") == 1


def test_a_run_dir_in_use_by_another_poolctl_is_refused(cli: RunCli, tmp_path: Path) -> None:
    busy = create_run_dir("triage", tmp_path / "busy")
    code, _, err = cli("triage", str(LOG), "--run-dir", str(busy.path))
    assert code == 2 and "is in use by another poolctl" in err, err
    busy.release()
    code, _, err = cli("triage", str(LOG), "--run-dir", str(busy.path))
    assert code == 1, err


def test_bad_input_leaves_no_empty_run_folder(cli: RunCli, reports_in_tmp: Path) -> None:
    code, _, err = cli("triage", str(reports_in_tmp.parent / "missing.log"))
    assert code == 2, err
    assert run_folders(reports_in_tmp) == []


def killed_run(base: Path, secret_env: dict[str, str]) -> Path:
    """A run folder as a poolctl killed mid-run leaves it: unscrubbed, its lock free."""
    context = RunContext()
    context.secrets.remember_env(secret_env)
    run = create_run_dir("ping", base=base, context=context)
    (run.workers / "w1.stderr.log").write_text(f"token {SECRET} ghp_{'K' * 36}\n")
    run.release()
    return run.path


def test_the_next_command_scrubs_what_a_killed_poolctl_left(
    cli: RunCli, reports_in_tmp: Path
) -> None:
    folder = killed_run(reports_in_tmp, {"WORKER_API_KEY": SECRET})
    assert SECRET in json.loads((folder / UNSCRUBBED).read_text())["secrets"]
    assert leftovers(reports_in_tmp) == [folder]
    code, _, err = cli("patterns", "list")
    assert code == 0
    assert "scrubbed secrets from 1 run folder(s) left unscrubbed" in err and str(folder) in err
    stderr = (folder / "workers" / "w1.stderr.log").read_text()
    assert stderr == "token [redacted:WORKER_API_KEY] [redacted]\n"
    assert not (folder / UNSCRUBBED).exists() and leftovers(reports_in_tmp) == []
    code, _, err = cli("patterns", "list")
    assert "scrubbed" not in err  # once


def test_report_scrubs_the_folder_before_it_reads_it(cli: RunCli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "ci"  # outside the reports folder: found because it is named
    folder = killed_run(elsewhere, {"WORKER_API_KEY": SECRET})
    code, _, err = cli("report", str(folder))
    assert code == 2 and "scrubbed secrets from 1 run folder(s)" in err, err  # no report.json
    assert SECRET not in (folder / "workers" / "w1.stderr.log").read_text()
    # the folder is a run folder: its run was cut short (it said "is it a poolctl run folder?")
    assert f"{folder}: the ping run was cut short before it wrote its report" in err


def test_a_folder_in_use_is_not_scrubbed_by_another_command(tmp_path: Path) -> None:
    context = RunContext()
    run = create_run_dir("ping", base=tmp_path, context=context)
    assert leftovers(tmp_path) == []  # its poolctl is alive: it scrubs it itself
    run.release()
    assert leftovers(tmp_path) == [run.path]


def test_an_interrupted_ending_waits_for_the_report_the_command_is_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_sleep: Callable[[float], None]
) -> None:
    """The watchdog ends a run 0.7 s after Ctrl-C; on a loaded machine the command may still
    be writing its report then. The ending waits for that write and marks it interrupted,
    instead of writing its own report over the same file (once a JSON with another's tail)."""
    import signal
    import threading

    from poolctl import lifecycle
    from poolctl.model import Report
    from poolctl.report import publish

    halfway, written = threading.Event(), publish.save_json

    def slow_save_json(report: Report, path: Path) -> None:
        written(report, path)
        halfway.set()
        real_sleep(0.5)  # the rest of a big report, on a busy machine

    monkeypatch.setattr(publish, "save_json", slow_save_json)
    context = RunContext()
    run = create_run_dir("scenario", base=tmp_path, context=context)
    report = Report(kind="scenario", title="the command's own report", run_dir=str(run.path))
    writer = threading.Thread(target=publish.write_reports, args=(report, run))
    writer.start()
    assert halfway.wait(10)
    context.interrupt(signal.SIGINT)
    code = lifecycle._Lifecycle(context, program=False).end_interrupted()
    writer.join()
    assert code == 130
    saved = json.loads((run.path / "report.json").read_text())
    assert saved["title"] == "the command's own report"
    assert saved["interrupted"] == "SIGINT"
    assert sorted(p.name for p in run.path.glob(".*partial")) == []


def test_a_watchdog_that_ends_a_stalled_ending_still_says_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The main thread took the ending but stalled (a loaded machine) past the last call: the
    watchdog exits 130 and says why (it exited without a word: an interrupted command that
    looked like one that ended by itself)."""
    import signal

    from poolctl import lifecycle

    exits: list[int] = []
    monkeypatch.setattr(lifecycle, "exit_now", exits.append)
    monkeypatch.setattr(lifecycle, "WATCHDOG", 0.0)
    monkeypatch.setattr(lifecycle, "LAST_CALL", 0.1)
    context = RunContext()
    life = lifecycle._Lifecycle(context, program=False)
    context.interrupt(signal.SIGINT)
    assert life.ending.acquire(blocking=False)  # the main thread's, never let go
    life.watchdog()
    assert exits == [130]
    assert "poolctl: interrupted by SIGINT: every process stopped" in capsys.readouterr().err


KEY = "sk-live-ABCDEF1234567890abcdef1234567890"


@pytest.mark.parametrize("stream", ["2>&1", "2>/dev/null"])
def test_a_reader_that_goes_away_does_not_cut_the_run_short(
    processes: Processes, tmp_path: Path, stream: str
) -> None:
    """`poolctl run-scenario … 2>&1 | head -1`: the progress lines (or the report on standard
    output) meet a pipe nobody reads any more. The run goes on to its end: its report written,
    its folder scrubbed of the worker's key, its own exit code (it exited 1 at the next line,
    leaving no report and the key in the worker's stderr log)."""
    scenario = tmp_path / "secret.yaml"
    scenario.write_text(
        "name: secret-sleepers\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference", "--api-key", '
        f'"{KEY}", "--stderr-noise", "using key {KEY}"]}}\n'
        "pool: {size: 2, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n  - request: {command: sleep, args: {seconds: 1}, count: 2, concurrency: 2}\n"
        "expect: {outcome: ok}\n"
    )
    poolctl = f"{sys.executable} -m poolctl run-scenario --no-history {scenario}"
    script = f"{poolctl} {stream} | head -1; exit ${{PIPESTATUS[0]}}"
    env = {**os.environ, BASE_ENV: str(tmp_path / "reports")}
    done = processes.run(["bash", "-c", script], 120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    [folder] = run_folders(tmp_path / "reports")
    assert (folder / "report.json").exists() and not (folder / UNSCRUBBED).exists()
    kept = [p for p in folder.rglob("*") if p.is_file() and KEY in p.read_text(errors="replace")]
    assert kept == []


def test_a_json_report_to_a_reader_that_went_away_ends_the_run_as_usual(
    processes: Processes, tmp_path: Path
) -> None:
    """`poolctl run-scenario -f json … | true`: the JSON report meets a pipe whose reader has
    gone. The run ends as the terminal report's does: its own exit code (0, it passed), its
    folder scrubbed of the worker's key. The BrokenPipeError reached typer, which exited 1,
    skipping the scrub (the next command scrubbed the folder, "left by a poolctl killed?")."""
    scenario = tmp_path / "secret.yaml"
    scenario.write_text(
        "name: secret-json\n"
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference", "--api-key", '
        f'"{KEY}", "--stderr-noise", "using key {KEY}"]}}\n'
        "pool: {size: 1}\n"
        "steps:\n  - request: {command: ping, count: 2}\n"
        "expect: {outcome: ok}\n"
    )
    env = {**os.environ, BASE_ENV: str(tmp_path / "reports")}
    argv = [sys.executable, "-m", "poolctl", "run-scenario", "--no-history", str(scenario)]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        proc = processes.popen(
            [*argv, "-f", "json"], stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path, env=env
        )
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=120)
    # on a loaded machine a run past 0.5 s says so on stderr ("running secret-json… 0.6 s"):
    # that is progress, not a complaint about the pipe
    said = [line for line in err.decode().splitlines() if not line.startswith("running secret")]
    assert (proc.returncode, said) == (0, [])
    [folder] = run_folders(tmp_path / "reports")
    assert (folder / "report.json").exists() and not (folder / UNSCRUBBED).exists()
    kept = [p for p in folder.rglob("*") if p.is_file() and KEY in p.read_text(errors="replace")]
    assert kept == []


FIXTURE_LOG = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log"


@pytest.mark.parametrize(
    ("redirect", "log", "code", "said"),
    [
        (">&-", str(FIXTURE_LOG), 1, ""),  # failures found: the report is in the folder
        ("2>&-", str(FIXTURE_LOG), 1, ""),
        (
            "<&-",
            "-",
            2,
            "poolctl: error: nothing could be read from the logs: <stdin>: cannot "
            "read: standard input is closed\n",
        ),
    ],
)
def test_a_closed_standard_stream_is_no_internal_error(
    processes: Processes, tmp_path: Path, redirect: str, log: str, code: int, said: str
) -> None:
    """A caller that closes a standard stream (`poolctl triage LOG >&-`, `… - <&-`): the run
    goes to its end as if a reader had gone away, with its own exit code and its report kept;
    standard input closed is named as such (both were `internal error`, exit 3)."""
    script = f"exec {sys.executable} -m poolctl triage --no-history {log} {redirect}"
    env = {**os.environ, BASE_ENV: str(tmp_path / "reports")}
    done = processes.run(["bash", "-c", script], 60, cwd=tmp_path, env=env)
    assert (done.returncode, done.stderr if redirect != "2>&-" else "") == (code, said)
    if code == 1:
        [folder] = run_folders(tmp_path / "reports")
        assert json.loads((folder / "report.json").read_text())["summary"]["failures"] > 0


def test_a_file_size_limit_under_a_pool_run_is_one_line(
    processes: Processes, tmp_path: Path
) -> None:
    """`ulimit -f 16` (16 KiB) under run-scenario: the trace's write failed with EFBIG inside
    the pool's reading callbacks (asyncio printed 'Exception in callback' tracebacks, the run
    went on), then when the run closed it: exit 3, 'internal error', a traceback. Now the run
    ends at the first failed write, every worker stopped, and one line says why (exit 2)."""
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "poolctl", "run-scenario", "healthy", "--run-dir", str(run)]
    # no bytecode written: under the limit CPython renames a cut-short .pyc into place
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    limited = ["bash", "-c", 'ulimit -f 16 && exec "$@"', "-", *argv]
    done = processes.run(limited, 60, env=env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception in" not in done.stderr, done.stderr
    (said,) = [line for line in done.stderr.splitlines() if line.startswith("poolctl:")]
    assert said == (
        f"poolctl: error: cannot write {run}: File too large (a file-size "
        "limit: raise it (`ulimit -f unlimited`), or --run-dir elsewhere)"
    )


def test_a_reused_run_dir_holds_this_run_alone(run_cli: RunCli, tmp_path: Path) -> None:
    """`--run-dir` given twice: the second run's trace was appended to the first's (62 lines,
    seq 1-31 twice; the timeline drew both runs), and an earlier run's files stayed beside
    this one's. A file of the user's own there is left alone."""
    run = tmp_path / "run"
    argv = ("run-scenario", "p3-checkout-timeout", "--no-history", "--run-dir", str(run))
    assert run_cli(*argv)[0] == 0
    first = [json.loads(line)["seq"] for line in (run / "events.jsonl").read_text().splitlines()]
    (run / "workers" / "w9.stderr.log").write_text("an earlier run's worker\n")
    (run / "stack-w9.txt").write_text("an earlier run's stacks\n")
    (run / "mine.txt").write_text("the user's own\n")
    assert run_cli(*argv)[0] == 0
    again = [json.loads(line)["seq"] for line in (run / "events.jsonl").read_text().splitlines()]
    assert again == list(range(1, len(again) + 1)) and len(again) == len(first)
    report = json.loads((run / "report.json").read_text())
    assert report["extra"]["timeline"]["events"] == len(again)
    assert not (run / "workers" / "w9.stderr.log").exists()
    assert not (run / "stack-w9.txt").exists()
    assert (run / "mine.txt").read_text() == "the user's own\n"
