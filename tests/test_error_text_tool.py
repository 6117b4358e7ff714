"""A tool that fails and answers its error as its result, `isError` false: mcp-server-sqlite
2025.4.25 (PyPI, beside the other MCP SDK 1 servers in .peers/py-mcp1, `make peers`) answers
read_query of a DELETE with `Error: Only SELECT queries are allowed for read_query`, logging
nothing. ping's step said only 'answered'; it now says that the text is an error a client takes
for the tool's result. A SELECT it can run is still just answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SQLITE = REPO / ".peers/py-mcp1/bin/mcp-server-sqlite"


def _call(capsys: pytest.CaptureFixture[str], db: Path, query: str) -> str:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    args = {"name": "read_query", "arguments": {"query": query}}
    argv += ["--command", "tools/call", "--args", json.dumps(args)]
    main([*argv, "--", str(SQLITE), "--db-path", str(db)])
    report = json.loads(capsys.readouterr()[0])
    [call] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    return str(call["detail"])


@pytest.mark.skipif(not SQLITE.exists(), reason="mcp-server-sqlite is missing: run `make peers`")
def test_an_error_answered_as_a_result_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    assert _call(capsys, db, "DELETE FROM x") == (
        "answered; its text says `Error: Only SELECT queries are allowed for read_query`, "
        "though its isError is false: a client takes that error for the tool's result"
    )
    assert _call(capsys, db, "SELECT 1") == "answered"
