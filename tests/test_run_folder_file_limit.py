"""A run folder that takes no more of a picture of the run (a file-size limit, `ulimit -f`, or a
full disk) keeps its report: the picture is left out and said so. Before, the write of the
run's trace.json (227 KB for the bundled `healthy` scenario) failed under a 200 KB limit,
EFBIG, before report.json (176 KB) was written: the command said 'cannot write …: File too
large' and exited 2, its verdict printed nowhere and saved nowhere, a cut trace.json left."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="no prlimit (util-linux)")
def test_a_picture_past_a_file_size_limit_is_left_out_and_the_report_kept(
    tmp_path: Path, processes: Processes
) -> None:
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "poolctl", "run-scenario", "healthy", "--json", "--no-history"]
    limited = ["prlimit", f"--fsize={200 * 1024}", "--", *argv, "--run-dir", str(run)]
    done = processes.run(limited, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((run / "report.json").read_text())
    assert report == json.loads(done.stdout)
    (note,) = [n for n in report["notes"] if n.startswith("trace.json was not written")]
    assert note.startswith("trace.json was not written (File too large): the run folder took")
    assert not (run / "trace.json").exists()  # no cut picture left
    assert (run / "timeline.html").exists() and (run / "events.jsonl").exists()


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="no prlimit (util-linux)")
def test_a_history_store_past_a_file_size_limit_is_said_so_after_a_whole_report(
    tmp_path: Path, processes: Processes
) -> None:
    """A 4 KiB limit: the report (3 KB) is written whole, the store cannot be. Before, its one
    line said only SQLite's words, 'cannot open it: disk I/O error', which name no limit."""
    log = Path(__file__).parent / "fixtures" / "pytest" / "deselected_all.txt"
    run, store = tmp_path / "run", tmp_path / "history.sqlite"
    argv = [sys.executable, "-m", "poolctl", "triage", str(log), "--run-dir", str(run)]
    done = processes.run(
        ["prlimit", "--fsize=4096", "--", *argv],
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "POOLCTL_HISTORY": str(store)},
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"poolctl: error: history store {store}: cannot open it: "), line
    # the file SQLite stopped at: the database, or its -shm (each 4 KiB, one page, here)
    assert re.search(
        r" \(history\.sqlite(-shm|-wal)? is 4 KiB, at or past the file-size limit \(`ulimit -f`\) "
        r"of 4 KiB: raise it \(`ulimit -f unlimited`\), or POOLCTL_HISTORY elsewhere\)$",
        line,
    ), line
    assert json.loads((run / "report.json").read_text())["summary"]
