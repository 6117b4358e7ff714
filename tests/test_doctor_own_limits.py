"""doctor's Limits check reads the limits the worker itself runs under, from its process as it
answered the probe: a worker whose command lowers one (`ulimit -n`, `ulimit -t`, `ulimit -v`)
gets a line for it, with what it used. Before, the check read poolctl's own limit alone
('open files: limit 20000 … ✓'), and doctor found no issue in a worker started under
`ulimit -n 16` that keeps a file open for each request (EMFILE on its 14th) or under
`ulimit -t` (killed once its CPU time reaches the limit, whatever it serves)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REFERENCE, RunCli

DIES = Path(__file__).resolve().parent / "workers" / "dies_on_second_request.py"


def worker_limits(run_cli: RunCli, tmp_path: Path, limit: str, argv: list[str]) -> dict[str, Any]:
    """doctor's Limits line on the worker's own limits, the worker started under `limit`."""
    command = f"ulimit {limit}; exec {shlex.join(argv)}"
    code, out, err = run_cli(
        "doctor", "--json", "--run-dir", str(tmp_path / "run"), "--", "/bin/sh", "-c", command
    )
    assert code in (0, 1), err
    (line,) = [c for c in json.loads(out)["checks"] if c["name"] == "worker-limits"]
    assert line["section"] == "Limits"
    assert isinstance(line, dict)
    return line


def test_a_file_kept_open_for_each_request_under_a_low_limit_is_warned_of(
    run_cli: RunCli, tmp_path: Path
) -> None:
    line = worker_limits(run_cli, tmp_path, "-n 16", [sys.executable, str(DIES), "leak"])
    assert line["status"] == "warn"
    assert line["summary"].startswith(
        "open files: the worker may hold 16 (set by its command; poolctl's: "
    )
    # its first answer is the start-up's ping, its second the timed one: one more file each
    assert "after its first answer, " in line["summary"]
    assert ": if each request keeps 1 open, it runs out after about " in line["summary"]
    assert "EMFILE" in line["remedy"]
    texts = [e["text"] for e in line["evidence"]]
    assert "Max open files: 16 (hard 16) files" in texts


def test_a_cpu_time_limit_is_warned_of(run_cli: RunCli, tmp_path: Path) -> None:
    line = worker_limits(run_cli, tmp_path, "-t 600", list(REFERENCE))
    assert line["status"] == "warn"
    assert line["summary"].startswith("CPU time: the worker runs under a limit of 600 s")
    assert "counted over its whole life" in line["summary"]


def test_a_low_limit_with_room_to_spare_is_said_without_a_warning(
    run_cli: RunCli, tmp_path: Path
) -> None:
    line = worker_limits(run_cli, tmp_path, "-n 64", list(REFERENCE))
    assert line["status"] == "ok"
    assert line["summary"].startswith("open files: the worker may hold 64 ")
    assert line["summary"].endswith("as it answered")
