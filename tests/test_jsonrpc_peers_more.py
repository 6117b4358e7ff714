"""More real JSON-RPC peers, started the ways users get them wrong: `ruff server` (ruff's
language server, from the dev extra), mcp-server-time (the reference MCP time server, from the
dev extra). Each verdict is checked by exit
code, cause and the quoted line of the server's own stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import Processes

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
RUFF = BIN / "ruff"
MCP_TIME = BIN / "mcp-server-time"
WAIT = "20"  # seconds a server may take to start on a loaded machine


def needs(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path} is missing: `make venv` installs the dev extra"
    )


def verdict(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """The diagnosis of a ping that must fail with exit 1."""
    code = main(["ping", "--json", "--timeout", WAIT, *argv])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    diagnosis: dict[str, Any] = report["findings"][0]["outcome"]
    return diagnosis


@needs(MCP_TIME)
def test_an_mcp_server_refusing_stdio_is_not_told_to_be_started_with_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-server-time given `--stdio` (as a language server is started) refuses it with
    argparse's error: the remedy quotes the refusal, and no longer adds that a language server
    serves only when started with `--stdio`, which it already was, and which it refused."""
    d = verdict(capsys, "--protocol", "mcp", "--", str(MCP_TIME), "--stdio")
    refusal = "mcp-server-time: error: unrecognized arguments: --stdio"
    assert d["cause"].endswith(f"refusing its command line: `{refusal}`"), d["cause"]
    assert d["remediation"] == (
        f"Give it the arguments it asks for (`{refusal}`); its `--help` lists them."
    )


@needs(RUFF)
def test_a_server_that_printed_its_usage_on_stderr_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff` without its `server` subcommand prints its help on stderr and exits 2, with no
    `error:` line: the verdict names the usage it printed and quotes its Usage line (it was a
    bare crash quoting the end of the option list)."""
    d = verdict(capsys, "--protocol", "lsp", "--", str(RUFF))
    assert d["cause"].endswith(
        "exited with code 2, after printing its usage to stderr: `Usage: ruff [OPTIONS] <COMMAND>`"
    ), d["cause"]
    assert d["remediation"].startswith("Give it the arguments its usage asks for"), d
    assert "started with `--stdio` (or a subcommand" in d["remediation"], d  # spoken lsp
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["the usage it printed"] == "Usage: ruff [OPTIONS] <COMMAND>", said
