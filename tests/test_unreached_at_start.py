"""A server that exits at start failing to download what it needs: kubernetes-mcp-server 0.0.69
(PyPI, .peers/py-alone, `make peers`) is a wrapper that downloads its Go binary from GitHub into
~/.kubernetes-mcp-server as it first starts. With no way out (no network here; in the test a
proxy where nothing listens, so that no machine can reach it) it logs `Downloading
kubernetes-mcp-server-linux-amd64 from https://github.com/…` and `Error executing
kubernetes-mcp-server: Failed to download binary: <urlopen error …>`, and exits with code 1. It
was told to 'run it by hand and read its stderr'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes
from tests.postgres import free_port

SERVER = REPO / ".peers/py-alone/kubernetes-mcp-server/bin/kubernetes-mcp-server"


@pytest.mark.skipif(
    not SERVER.exists(), reason="kubernetes-mcp-server is missing: run `make peers` (pip)"
)
def test_a_download_failed_at_start_is_quoted_with_its_url(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    proxy = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    for name, value in (("HOME", tmp_path), ("https_proxy", proxy), ("HTTPS_PROXY", proxy)):
        argv += ["--env", f"{name}={value}"]
    code = main([*argv, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert (
        "exited with code 1, after `Error executing kubernetes-mcp-server: Failed to download "
        "binary: <urlopen error"
    ) in outcome["cause"], outcome["cause"]
    assert (
        ": as it starts it could not reach a service it needs (github.com, from "
        "https://github.com/containers/kubernetes-mcp-server/releases/download/v0.0.69/"
    ) in outcome["cause"], outcome["cause"]
    assert outcome["remediation"].startswith(
        "Make reachable what it connects to or downloads as it starts (https://github.com/"
    ), outcome["remediation"]
