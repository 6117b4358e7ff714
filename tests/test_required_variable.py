"""A server whose exception names, in capitals, the variable it requires: cli-mcp-server 0.2.5
(PyPI, .peers/py-alone, `make peers`) with no ALLOWED_DIR raises `ValueError: Valid ALLOWED_DIR is
required`, read from `os.getenv("ALLOWED_DIR", "")`. No words of it said 'environment', and the
fix was 'Fix the error it reports'; it is told to set ALLOWED_DIR, and, set to a folder that is
not there, to check its value. Set to one that is, that error is gone (it then dies on the MCP
SDK 2 pip installs beside it, a release it was not built for: told so already)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/py-alone/cli-mcp-server/bin/cli-mcp-server"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
SAID = "`ValueError: Valid ALLOWED_DIR is required`"


def _outcome(capsys: pytest.CaptureFixture[str], *env: str) -> dict[str, str]:
    code = main([*PING, *env, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    return outcome  # type: ignore[no-any-return]


@pytest.mark.skipif(not SERVER.exists(), reason="cli-mcp-server is missing: run `make peers`")
def test_a_variable_its_exception_requires_is_to_be_set(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    outcome = _outcome(capsys)
    assert outcome["cause"].endswith(
        f"after the exception {SAID}: it asks for environment variable ALLOWED_DIR"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Set ALLOWED_DIR in its environment (`--env NAME=VALUE`; in a pool, the worker's `env`)"
    ), outcome["remediation"]
    outcome = _outcome(capsys, "--env", f"ALLOWED_DIR={tmp_path / 'none'}")
    assert outcome["remediation"].startswith("Check the value of ALLOWED_DIR"), outcome
    outcome = _outcome(capsys, "--env", f"ALLOWED_DIR={tmp_path}")
    assert "ALLOWED_DIR" not in outcome["cause"], outcome["cause"]
