"""An installed Python MCP server whose own code prints to stdout as it starts:
office-word-mcp-server 1.1.11 (PyPI, .peers/py-alone, `make peers`) runs `print("Loading
configuration from .env file...")` at the top of word_document_server/main.py, ahead of its
answer to initialize. The fix told its user to write logs to stderr with `print(…,
file=sys.stderr)`, as if the code were theirs; ping and doctor now name the line that prints it,
in the installed copy, and what can be done there."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

VENV = REPO / ".peers/py-alone/office-word-mcp-server"
SERVER = VENV / "bin/word_mcp_server"
LINE = 'print("Loading configuration from .env file...")'


@pytest.mark.skipif(
    not SERVER.exists(), reason="office-word-mcp-server is missing: run `make peers`"
)
def test_the_line_of_its_installed_code_that_prints_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    [main_py] = VENV.glob("lib/python3*/site-packages/word_document_server/main.py")
    lineno = main_py.read_text().splitlines().index(LINE) + 1
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        f"; its installed code prints it, at {main_py}:{lineno}: `{LINE}`"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Its own code prints it ({main_py}:{lineno}: `{LINE}`), not a setting a pool can change"
    ), outcome["remediation"]
    # doctor's Output hygiene gives the same fix
    code = main(["doctor", "--json", "--protocol", "mcp", "--timeout", "30", "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    [stdout] = [c for c in report["checks"] if c["name"] == "stdout"]
    assert stdout["section"] == "Output hygiene" and stdout["status"] == "fail", stdout
    assert stdout["remedy"].startswith(f"Its own code prints it ({main_py}:{lineno}:"), stdout
