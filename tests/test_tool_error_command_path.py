"""A tool whose error says that a path given on the server's command line, not in the call, does
not exist: mcp-server-motherduck 1.1.0 (PyPI, .peers/py-alone, `make peers`) given
`--db-path /x/none.duckdb` answers the handshake and every tools/call of execute_query with
isError and `IO Error: Cannot open database "/x/none.duckdb" in read-only mode: database does not
exist`. ping quoted the error and said no more; the path is the server's `--db-path`, to be
given one that exists (given an existing DuckDB file, the same call answers: tried here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

MOTHERDUCK = REPO / ".peers/py-alone/mcp-server-motherduck/bin/mcp-server-motherduck"


@pytest.mark.skipif(
    not MOTHERDUCK.exists(), reason=f"{MOTHERDUCK.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_tool_error_naming_the_commands_missing_path_names_its_option(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    db = tmp_path / "none" / "x.duckdb"
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    args = {"name": "execute_query", "arguments": {"sql": "SELECT 1"}}
    argv += ["--command", "tools/call", "--args", json.dumps(args)]
    main([*argv, "--", str(MOTHERDUCK), "--db-path", str(db)])
    report = json.loads(capsys.readouterr()[0])
    [call] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert "database does not exist" in call["detail"], call
    assert call["detail"].endswith(
        f"; `--db-path {db}` on its command line names a path that does not exist: give "
        f"`--db-path` a path that exists"
    ), call["detail"]
