"""A server that logs, as it starts, that a path on its command line does not exist, and serves
on: mcp-server-tree-sitter 0.7.0 (PyPI, in .peers/py-mcp1 beside the other MCP SDK 1 servers,
`make peers`) given `--config /nope/c.yaml` logs `Config file does not exist: /nope/c.yaml` through
rich's logging, which wraps the record into columns: the path goes on the line below, under the
message, and the source `config.py:248` stands at the end of the first. doctor's Output hygiene
quoted the first line, cut (`'    ERROR    Config file does not exist:           co…'`), and said
only 'read what it says'. Given no --config it starts with no error line (tried here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, RunCli

SERVER = REPO / ".peers/py-mcp1/bin/mcp-server-tree-sitter"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_doctor_names_the_missing_path_of_a_wrapped_start_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    config = tmp_path / "none" / "c.yaml"
    argv = ["doctor", "--json", "--no-history", "--protocol", "mcp", "--timeout", "30"]
    code, out, _ = run_cli(*argv, "--", str(SERVER), "--config", str(config))
    report = json.loads(out)
    assert code == 0, report  # warnings only
    [stderr] = [c for c in report["checks"] if c["name"] == "stderr"]
    assert stderr["status"] == "warn", stderr
    assert stderr["summary"].endswith(
        f"on stderr at start: it says `Config file does not exist: {config}`; "
        f"`--config {config}` names a path that does not exist, and serves on without it"
    ), stderr
    assert stderr["remedy"] == f"Give `--config` a path that exists: `{config}` does not."
