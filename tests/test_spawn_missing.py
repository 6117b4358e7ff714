"""A Node MCP server that dies starting a program of its own that is not there: cclsp 0.7.0
(npm, .peers/alone, `make peers`) starts the language servers its configuration file
(CCLSP_CONFIG_PATH) names as a tool needs one, and with one not installed exits on
`Error: spawn no-such-lsp ENOENT`. The fix was 'Fix the error it reports'; it names the
program, that the worker's PATH does not find it, and the file and variable that named it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

CCLSP = REPO / ".peers/alone/cclsp/node_modules/.bin/cclsp"

pytestmark = pytest.mark.skipif(not CCLSP.exists(), reason="cclsp is missing: run `make peers`")


def configured(tmp_path: Path, program: str) -> Path:
    (tmp_path / "a.py").write_text("x = 1\n")
    config = tmp_path / "cclsp.json"
    server = {"extensions": ["py"], "command": [program, "--stdio"], "rootDir": str(tmp_path)}
    config.write_text(json.dumps({"servers": [server]}))
    return config


def call(tmp_path: Path) -> dict[str, object]:
    """A tool call that needs the language server for a.py: cclsp starts it then."""
    arguments = {"file_path": str(tmp_path / "a.py"), "symbol_name": "x"}
    return {"name": "find_definition", "arguments": arguments}


def test_a_pool_is_told_the_program_and_the_file_that_names_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    config = configured(tmp_path, "no-such-lsp")
    worker = {"command": [str(CCLSP)], "protocol": "mcp", "init_timeout": 30}
    worker |= {"env": {"CCLSP_CONFIG_PATH": str(config)}, "cwd": str(tmp_path)}
    path = tmp_path / "cclsp.yaml"
    path.write_text(
        f"worker: {json.dumps(worker)}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        f"steps:\n  - request: {{command: tools/call, args: {json.dumps(call(tmp_path))}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert (
        "after the exception `Error: spawn no-such-lsp ENOENT`; it tried to start the program "
        f"`no-such-lsp`, named in CCLSP_CONFIG_PATH={config}, which is not on the worker's PATH"
    ) in outcome["cause"], outcome["cause"]
    assert outcome["remediation"].startswith(
        "Install `no-such-lsp`, or put the folder that holds it on the worker's PATH"
    ), outcome["remediation"]
    assert f"or fix its path in {config} (CCLSP_CONFIG_PATH)" in outcome["remediation"]


def test_ping_is_told_an_absolute_path_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    config = configured(tmp_path, "/nonexistent/pylsp")
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    argv += ["--env", f"CCLSP_CONFIG_PATH={config}", "--command", "tools/call"]
    code = main([*argv, "--args", json.dumps(call(tmp_path)), "--", str(CCLSP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "; it tried to start the program `/nonexistent/pylsp`, named in "
        f"CCLSP_CONFIG_PATH={config}, which does not exist"
    ), outcome["cause"]
    assert outcome["remediation"] == (
        f"Install `pylsp` and fix its path in {config} (CCLSP_CONFIG_PATH): "
        "`/nonexistent/pylsp` does not exist."
    ), outcome["remediation"]
