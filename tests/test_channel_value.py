"""A language server started in another channel by an option's value: `graphql-lsp server -m
socket` (graphql-language-service-cli, from the npm peers) exits, saying `--port is required`,
or, given a port no editor listens on, exits with code 0. Its `--help` names the value for
stdin and stdout (`-m, --method ... Can be one of: stream, node, socket.`): the fix is to give
`-m stream` in place of `-m socket`, and a server given it answers. Before, the first got the
generic "run it by hand" and the second "Ping it spoken mcp", from a copy asked MCP's opening
that was still connecting when its wait was up."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from poolctl.diagnose.transport_help import channel_value, stdio_value
from tests.conftest import REPO, RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

GRAPHQL_LSP = REPO / ".peers/node_modules/.bin/graphql-lsp"
needs_graphql_lsp = pytest.mark.skipif(
    not GRAPHQL_LSP.exists(), reason=f"{GRAPHQL_LSP.relative_to(REPO)} is missing: run `make peers`"
)
FIX = "Start it in stdio mode: give `-m stream` in place of `-m socket` (its `--help` (`"
NAMED = "`-m stream` gives stdio: Can be one of: stream, node, socket."


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@needs_graphql_lsp
@pytest.mark.parametrize("port", [False, True], ids=["no-port", "a-port-nobody-serves"])
def test_a_server_started_in_socket_mode_is_told_its_stdio_value(
    run_cli: RunCli, tmp_path: Path, port: bool
) -> None:
    argv = [str(GRAPHQL_LSP), "server", "-m", "socket"]
    if port:
        argv += ["-p", str(_closed_port())]
    d = diagnose(
        run_cli, "--protocol", "lsp", "--timeout", "20", "--cwd", str(tmp_path), "--", *argv
    )
    assert confirmed(d) == ["crashed"], d["cause"]
    assert "started with `-m socket`, to talk over another channel" in d["cause"], d["cause"]
    assert d["remediation"].startswith(FIX), d["remediation"]
    assert any(e["text"] == NAMED for e in d["evidence"]), d["evidence"]


def test_its_help_is_read_once_for_the_whole_diagnosis(run_cli: RunCli, tmp_path: Path) -> None:
    """Every hypothesis that names the fix asked for its `--help` again: three starts of
    graphql-lsp (1.5 s of CPU each) for one ping."""
    argv = [sys.executable, str(WORKERS / "channel_by_value.py"), "server", "-m", "socket"]
    d = diagnose(
        run_cli, "--protocol", "lsp", "--timeout", "5", "--cwd", str(tmp_path), "--", *argv
    )
    assert confirmed(d) == ["crashed"], d["cause"]
    assert any(e["text"] == NAMED for e in d["evidence"]), d["evidence"]
    assert (tmp_path / "helps-read.txt").read_text().splitlines() == ["--help"]


@needs_graphql_lsp
def test_the_value_it_names_serves_on_stdio(run_cli: RunCli, tmp_path: Path) -> None:
    argv = [str(GRAPHQL_LSP), "server", "-m", "stream"]
    code, out, _ = run_cli(
        "ping", "--protocol", "lsp", "--timeout", "15", "--cwd", str(tmp_path), "--", *argv
    )
    assert code == 0, out
    assert "answered the lsp handshake" in out


def test_a_channel_value_and_the_value_its_words_name_for_stdio() -> None:
    found = channel_value(("srv", "--method=node"))
    assert found is not None and found.given == "--method node"
    assert channel_value(("srv", "-m", "stream")) is None
    assert channel_value(("srv", "--stdio")) is None
    said = (
        "  -m, --method   A IPC method.\n"
        "                 Can be one of: stream, node, socket.\n"
        "  -p, --port     Port."
    )
    assert stdio_value(said, "-m") == ("stream", "Can be one of: stream, node, socket.")
    assert stdio_value("  -p, --port  Port. Can be one of: stdio, socket.", "-m") is None
