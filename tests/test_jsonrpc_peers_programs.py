"""Real servers that run another program, started where that program is missing: fish-lsp
1.1.4 (npm, installed alone by `make peers`) refuses LSP's initialize with `spawn fish ENOENT`
when no fish shell is on its PATH. The verdict names the program to install."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import Processes

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FISH_LSP = REPO / ".peers/alone/fish-lsp/node_modules/.bin/fish-lsp"
WAIT = "20"  # seconds a server may take to start on a loaded machine


@pytest.mark.skipif(
    not FISH_LSP.exists() or shutil.which("node") is None,
    reason=f"{FISH_LSP.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_a_server_refusing_initialize_for_a_program_it_cannot_spawn_is_told_to_install_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """fish-lsp runs the fish shell as it initializes; with no `fish` on its PATH it answers
    initialize with `Request initialize failed with message: spawn fish ENOENT` (-32603) and
    goes on running. ping quoted the refusal and said nothing of what to do. Its PATH here holds
    only node (fish may be installed in node's own folder), so the test is the same wherever
    fish is."""
    only_node = tmp_path / "bin"
    only_node.mkdir()
    node = shutil.which("node")
    assert node is not None
    (only_node / "node").symlink_to(node)
    script = FISH_LSP.resolve()  # `#!/usr/bin/env node`: node is named, not looked up
    path = f"PATH={only_node}"
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--env", path]
    code = main([*argv, "--", node, str(script), "start"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    notes = report["notes"]
    assert (
        "the server refused initialize: Request initialize failed with message: spawn fish "
        "ENOENT (code -32603)"
    ) in notes, notes
    assert (
        "Install `fish`, which the server runs (`spawn fish ENOENT`: no `fish` on its PATH), or "
        "start the server with a PATH that holds it: the pool's settings are not the cause."
    ) in notes, notes
