"""A run folder that takes no more of a picture of the run (a file-size limit, `ulimit -f`, or a
full disk) keeps its report: the picture is left out and said so. Before, the write of the
run's trace.json (227 KB for the bundled `healthy` scenario) failed under a 200 KB limit,
EFBIG, before report.json (176 KB) was written: the command said 'cannot write …: File too
large' and exited 2, its verdict printed nowhere and saved nowhere, a cut trace.json left."""

from __future__ import annotations

import json
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
