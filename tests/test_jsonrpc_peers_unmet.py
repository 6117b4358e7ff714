"""Real servers from the registries met the wrong way: pyright's language server (npm, installed
by `make peers`), which writes before it reads. Each verdict is checked by its cause, its
quoted evidence and its remediation."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import WAIT, confirmed, verdict

pytestmark = pytest.mark.slow

PYRIGHT = REPO / ".peers/node_modules/.bin/pyright-langserver"

needs_pyright = pytest.mark.skipif(
    not PYRIGHT.exists(),
    reason=f"{PYRIGHT.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)


@needs_pyright
def test_a_language_server_writing_first_spoken_mcp_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pyright writes window/logMessage in Content-Length frames before it reads anything, so
    the line reader meets its framing at once; in a fresh process that framing's initialize
    gets a language server's capabilities. `--framing content-length` (what was said) would
    still speak MCP to it: the protocol is the mistake."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(PYRIGHT), "--stdio")
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith("The worker answers in content-length, not line")
    assert d["cause"].endswith(
        "its answer there is not an MCP server's: its answer has no protocolVersion, which every "
        "MCP server's has; its capabilities are a language server's"
    )
    [said] = [e for e in d["evidence"] if e["note"] == "its answer to the content-length opening"]
    assert said["text"].startswith('\'{"jsonrpc": "2.0", "id": 1, "result": {"capabilities": ')
    assert said["origin"].endswith("w1-exp-framing-content-length.stdout.bin")
    assert d["remediation"].startswith(
        "Speak lsp to it (`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`)"
    )
