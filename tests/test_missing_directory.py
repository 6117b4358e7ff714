"""A server given a folder that is not there, whose error names none: server-filesystem
2026.8.31 (.peers, `make peers`) started with `/x/y` warns `Cannot access directory /x/y,
skipping` and exits on `Error: None of the specified directories are accessible`. It was told
to 'Fix the error it reports'; the path its warning names, from its command line and not on
disk, is the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

FILESYSTEM = REPO / ".peers/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"


@pytest.mark.skipif(not FILESYSTEM.exists(), reason="server-filesystem is missing: make peers")
def test_the_folder_its_warning_names_is_told(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    gone = tmp_path / "no" / "such"
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", "node", str(FILESYSTEM), str(gone)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "after the exception `Error: None of the specified directories are accessible`; "
        f"`{gone}` names a path that does not exist"
    ), outcome["cause"]
    assert outcome["remediation"] == f"Give it a path that exists: `{gone}` does not.", outcome
