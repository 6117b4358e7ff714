"""A server that exits on a path of its command line that does not exist, its error naming
that path's folder in its place: mcp-server-duckdb 1.1.0 (PyPI, .peers/py-alone, `make peers`)
given `--db-path DIR/none.db --readonly` raises `ValueError: Database file does not exist: DIR
in read-only mode`. It was told to 'Fix the error it reports'; it is told the option whose path
is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

DUCKDB = REPO / ".peers/py-alone/mcp-server-duckdb/bin/mcp-server-duckdb"


@pytest.mark.skipif(not DUCKDB.exists(), reason="mcp-server-duckdb is missing: run `make peers`")
def test_the_path_whose_folder_the_error_names_is_the_fix(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    db = tmp_path / "none.db"
    code = main([*argv, "--", str(DUCKDB), "--db-path", str(db), "--readonly"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        f"`ValueError: Database file does not exist: {tmp_path} in read-only mode`; "
        f"`--db-path {db}` names a path that does not exist (the error names its folder, "
        f"{tmp_path}, in its place)"
    ), outcome["cause"]
    assert outcome["remediation"] == f"Give `--db-path` a path that exists: `{db}` does not."
    # the fix as said: with the file there, that error is gone (it dies next on the MCP SDK 2
    # pip gives it, beside the SDK 1 it was made for: another finding of the same verdict)
    db.write_bytes(b"")
    main([*argv, "--", str(DUCKDB), "--db-path", str(db), "--readonly"])
    report = json.loads(capsys.readouterr()[0])
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert "Database file does not exist" not in outcome["cause"], outcome["cause"]
