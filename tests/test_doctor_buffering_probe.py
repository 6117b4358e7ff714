"""The Buffering check's probe without PYTHONUNBUFFERED: its diagnosis reads one judgement
(`buffered`), so it starts only the experiments that judgement rests on. It ran every one the
probe as configured runs too (other framings, other protocols): `doctor --protocol lsp` on
mcp-server-time started 25 servers, each an `import mcp` of 0.5 s of CPU. A Python worker that
starts in a tenth of a second shows the same plan at no cost (the reference worker reading
lines, pinged in packet-4: a silent worker, whose plan calls for every framing)."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from poolctl.doctor.buffering import check_buffering
from poolctl.doctor.probe import Probe
from poolctl.doctor.target import describe
from poolctl.rundir import create_run_dir
from poolctl.worker_types import WorkerSpec
from tests.conftest import REFERENCE, Processes


def test_the_pipe_probe_starts_only_what_judges_buffering(
    tmp_path: Path, processes: Processes
) -> None:
    spec = WorkerSpec(
        argv=(*REFERENCE, "--framing", "line"), framing="packet-4", env={"PYTHONUNBUFFERED": "1"}
    )
    configured: Future[Probe] = Future()
    configured.set_result(Probe(spec, "probe"))
    run_dir = create_run_dir("doctor", tmp_path / "run")
    checks = check_buffering(describe(spec), run_dir, 1.0, configured)
    [check] = checks.checks
    assert check.status == "ok"  # buffering ruled out: no issue of its own
    assert check.summary.startswith(
        "not tested: no answer on a pipe without PYTHONUNBUFFERED (no response within 1 s); "
        "buffering is not why: "
    )
    started = {
        p.name.removeprefix("buffering-pipe-exp-").removesuffix(".stdout.bin")
        for p in run_dir.workers.glob("buffering-pipe-exp-*.stdout.bin")
    }
    assert started and started <= {"replay", "unbuffered", "pty", "many"}
