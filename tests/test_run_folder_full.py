"""A run folder that can take no new file while the pool starts a worker (a full disk: here a
tmpfs out of inodes): the run ends at that write, one line and exit 2, as when its trace cannot
be written (poolctl/pool.py `_folder_failed`). A history store on a full disk is said so."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli

ANSWERS_ONCE = Path(__file__).parent / "workers" / "answers_once.py"


@pytest.fixture
def small_tmpfs(tmp_path: Path, processes: Processes) -> Iterator[Path]:
    """A tmpfs of 16 inodes: the run folder's own files, and two for each worker it starts."""
    yield from mounted_tmpfs(tmp_path / "small", "size=10m,nr_inodes=16", processes)


@pytest.fixture
def full_tmpfs(tmp_path: Path, processes: Processes) -> Iterator[Path]:
    """A tmpfs of 300 KiB, 288 KiB of it taken by a file: 12 KiB left."""
    for folder in mounted_tmpfs(tmp_path / "full", "size=300k", processes):
        (folder / "filler").write_bytes(bytes(288 * 1024))
        yield folder


def mounted_tmpfs(folder: Path, options: str, processes: Processes) -> Iterator[Path]:
    folder.mkdir()
    mounted = processes.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], 30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        processes.run(["umount", "-l", str(folder)], 30)


def test_a_worker_s_capture_files_on_a_full_disk_end_the_run_in_one_line(
    run_cli: RunCli, tmp_path: Path, small_tmpfs: Path
) -> None:
    """Its workers answer once and exit, and the pool starts another each time, until the fifth
    worker's stderr log cannot be made. Before: the replacement's OSError was raised in the
    pool's callback and in its growth task, their tracebacks printed ('Task exception was never
    retrieved'), and the run went on, each checkout timing out (52 s for 30 requests), until
    its report could not be written."""
    scenario = tmp_path / "quitters.yaml"
    worker = [sys.executable, str(ANSWERS_ONCE)]
    scenario.write_text(
        f"name: quitters\nworker: {{command: {json.dumps(worker)}, framing: packet-4}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 3, "
        "request_timeout: 3}\nsteps:\n  - request: {command: echo, count: 30}\n"
    )
    run = small_tmpfs / "run"
    code, _, err = run_cli("run-scenario", str(scenario), "--run-dir", str(run))
    assert "Traceback" not in err and "Task exception" not in err, err
    assert "checkout timed out" not in err, err
    (line,) = [line for line in err.splitlines() if line.startswith("poolctl: ")]
    assert line.startswith(f"poolctl: error: cannot write {run}/workers/w"), line
    assert line.endswith(": No space left on device (make room, or --run-dir elsewhere)"), line
    assert code == 2


def test_a_history_store_on_a_full_disk_is_said_so_after_a_whole_report(
    tmp_path: Path, processes: Processes, full_tmpfs: Path
) -> None:
    """The store on a file system with 12 KiB left, the run folder elsewhere. Before, its one
    line said only SQLite's words ('cannot open it: disk I/O error', or 'database or disk is
    full'), naming neither the file system nor its room."""
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    run, store = tmp_path / "run", full_tmpfs / "history.sqlite"
    argv = [sys.executable, "-m", "poolctl", "triage", str(log), "--run-dir", str(run)]
    done = processes.run(
        argv, timeout=120, cwd=tmp_path, env={**os.environ, "POOLCTL_HISTORY": str(store)}
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"poolctl: error: history store {store}: cannot "), line
    assert re.search(
        r": (disk I/O error|database or disk is full) \(the file system of "
        + re.escape(str(full_tmpfs))
        + r" has \d+(\.\d)? (B|KiB) free of 300 KiB: make room, or POOLCTL_HISTORY elsewhere\)$",
        line,
    ), line
    assert json.loads((run / "report.json").read_text())["summary"]["failures"]


def test_a_triage_whose_report_the_disk_cannot_take_prints_its_verdict_first(
    tmp_path: Path, processes: Processes, full_tmpfs: Path
) -> None:
    """Its run folder on a file system with 12 KiB left, its report.json 134 KB. Before, the
    triage, which needs no disk, printed nothing: the one line 'cannot write …: No space left
    on device' alone, exit 2, its verdict lost with the folder."""
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    run = full_tmpfs / "run"
    argv = [sys.executable, "-m", "poolctl", "triage", str(log), "--no-history"]
    done = processes.run([*argv, "--run-dir", str(run)], timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert (
        done.stdout.splitlines()[1] == "22 failures · 17 diagnosed in 7 patterns · 5 unclassified"
    )
    assert "run folder:" not in done.stdout  # not kept: not named
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("poolctl: ")]
    assert line == (
        f"poolctl: error: cannot write {run}: No space left on device (make room, or --run-dir "
        "elsewhere)"
    )


def test_a_triage_of_its_standard_input_on_a_full_disk_says_where_the_copy_is_kept(
    tmp_path: Path, processes: Processes, full_tmpfs: Path
) -> None:
    """The log piped in (4.5 KB) fits in the 24 KiB left, its report.json (26 KB) does not:
    its copy, the log's only one, is kept in the run folder and named. Before, the folder was
    kept unsaid, under 'cannot write …'."""
    (full_tmpfs / "filler").write_bytes(bytes(276 * 1024))
    log = Path(__file__).parent / "fixtures" / "pytest" / "shared_pool.txt"
    run = full_tmpfs / "run"
    argv = [sys.executable, "-m", "poolctl", "triage", "-", "--no-history", "--run-dir", str(run)]
    done = processes.run(argv, timeout=120, cwd=tmp_path, input=log.read_text())
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[1].startswith("3 failures · "), done.stdout
    said = [line for line in done.stderr.splitlines() if line.startswith("poolctl: ")]
    assert said == [
        f"poolctl: note: what it read from standard input is kept in {run}/stdin.log",
        f"poolctl: error: cannot write {run}: No space left on device (make room, or --run-dir "
        "elsewhere)",
    ], said
    assert (run / "stdin.log").read_bytes() == log.read_bytes()


def test_a_copy_of_standard_input_the_disk_cut_is_said_cut(
    tmp_path: Path, processes: Processes, full_tmpfs: Path
) -> None:
    """12 KiB left: the run folder's own files take two pages, the copy of the log piped in
    gets one (4 KiB of 4.5 KB) and is said cut where the disk took no more."""
    log = Path(__file__).parent / "fixtures" / "pytest" / "shared_pool.txt"
    run = full_tmpfs / "run"
    argv = [sys.executable, "-m", "poolctl", "triage", "-", "--no-history", "--run-dir", str(run)]
    done = processes.run(argv, timeout=120, cwd=tmp_path, input=log.read_text())
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[1].startswith("3 failures · "), done.stdout
    said = [line for line in done.stderr.splitlines() if line.startswith("poolctl: note: ")]
    assert said == [
        "poolctl: note: what it read from standard input is kept, cut where the disk took no "
        f"more of it, in {run}/stdin.log"
    ], done.stderr
    assert log.read_bytes().startswith((run / "stdin.log").read_bytes())
