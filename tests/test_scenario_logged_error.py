"""An answer read as a success while the worker's stderr logged an error as it served it:
mcp-for-blender 2.2.4 (PyPI, .peers/py-alone, `make peers`) with no Blender listening answers
get_scene_info with `Error getting scene info: Could not connect to Blender. Make sure the
Blender addon is running.`, no `isError`, and logs `… ERROR - Failed to connect to Blender:
[Errno 111] Connection refused`. ping's step said that line; run-scenario passed without a word
of it. Its note now quotes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes
from tests.postgres import free_port

BLENDER = REPO / ".peers/py-alone/mcp-for-blender/bin/mcp-for-blender"


@pytest.mark.skipif(
    not BLENDER.exists(), reason="mcp-for-blender is missing: run `make peers` (pip)"
)
def test_an_error_logged_during_a_successful_answer_is_noted(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    env = {
        "BLENDER_PORT": str(free_port()),  # where no Blender listens
        "DISABLE_TELEMETRY": "true",  # it would post its telemetry, offline here
        "HOME": str(tmp_path),
    }
    path = tmp_path / "blender.yaml"
    worker = {"command": [str(BLENDER)], "protocol": "mcp", "init_timeout": 30, "env": env}
    path.write_text(
        f"worker: {json.dumps(worker)}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: get_scene_info, arguments: {}}, "
        "count: 3}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report  # the answers are successes, as the protocol reads them
    [note] = [n for n in report["notes"] if "stderr logged an error" in n]
    assert note.startswith(
        "3 answer(s) read as a success came while the worker's stderr logged an error as it "
        "served the request: `"
    ), note
    assert "Failed to connect to Blender: [Errno 111] Connection refused` (the first at " in note
