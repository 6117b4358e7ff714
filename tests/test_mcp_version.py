"""An MCP server that answers initialize with a protocol version no MCP release names: the
SDKs' clients refuse it and disconnect (Python's `Unsupported protocol version from the
server`, TypeScript's `Server's protocol version is not supported`). Before, ping and doctor
said the handshake went through, with no word of it."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS

SERVER = (sys.executable, str(WORKERS / "mcp_answers_version.py"))
SAID = (
    "it answered initialize with protocolVersion '1999-01-01', which no MCP release poolctl "
    "knows names (2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25): the MCP SDKs' clients "
    "refuse it and disconnect"
)


@pytest.mark.parametrize(("version", "noted"), [("1999-01-01", True), ("2025-06-18", False)])
def test_ping_notes_a_version_no_release_names(run_cli: RunCli, version: str, noted: bool) -> None:
    code, out, _ = run_cli("ping", "--json", "--protocol", "mcp", "--", *SERVER, version)
    assert code == 0, out
    notes = [n for n in json.loads(out)["notes"] if "protocolVersion" in n]
    if not noted:  # a release's version, chosen in place of the one asked: negotiation
        assert notes == []
        return
    [note] = notes
    assert note.startswith(SAID + "; answer with the version the client asked for"), note


def test_doctor_warns_of_it(run_cli: RunCli) -> None:
    code, out, _ = run_cli("doctor", "--json", "--protocol", "mcp", "--", *SERVER, "1999-01-01")
    assert code == 0, out  # a warning, not a failure
    [ping] = [c for c in json.loads(out)["checks"] if c["section"] == "Framing"]
    assert ping["status"] == "warn" and SAID in ping["summary"], ping
    assert ping["remedy"].startswith("Answer with the version the client asked for"), ping
