"""A server started through `npx -y PKG` on a fresh npx cache: npx downloads and installs the
package before it starts the server's command, which took 3.6-7.3 s here for
@modelcontextprotocol/server-sequential-thinking (fetched from the npm registry into a cache of
the test's own). ping called it stuck in initialization for want of a CPU ('what made it late
was the CPU it was given, not the work it did'). It is told npx was fetching the package, the
server not started, and to install it first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import Processes

PACKAGE = "@modelcontextprotocol/server-sequential-thinking@2026.8.31"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("npx") is None, reason="npx is not installed"),
]


def test_npx_fetching_its_package_is_named_not_a_slow_start(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    cache = tmp_path / "npm-cache"
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp"]
    argv += ["--env", f"npm_config_cache={cache}", "--env", "npm_config_update_notifier=false"]
    code = main([*argv, "--timeout", "1", "--", "npx", "-y", PACKAGE])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert outcome["pattern_id"] == "port-no-response", outcome
    assert f"; it is npx fetching the package {PACKAGE}: pid " in outcome["cause"], outcome
    assert "ran no process of the server when the answer was due" in outcome["cause"]
    assert "the CPU it was given" not in outcome["cause"], outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Install {PACKAGE} before the pool starts it (`npm install -g {PACKAGE}`"
    ), outcome["remediation"]
    # the cache filled, the same command is no fetch: it answers
    # (a fetch the first ping stopped is done again: both took 52 s at a load of 14-22)
    code = main([*argv, "--timeout", "90", "--", "npx", "-y", PACKAGE])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report["findings"]
