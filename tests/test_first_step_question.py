"""A server that exits asking, as a question, for a step to be run first: @pandacss/mcp 1.12.1
(npm, .peers/alone, `make peers`) in a folder with no Panda configuration writes `Cannot find
config file \\`panda.config.{ts,js,mjs,mts}\\`. Did you forget to run \\`panda init\\`?` and exits
with code 1. It was told to 'Fix what it reports'; the step is named, to run in the folder the
server works in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

PANDA = REPO / ".peers/alone/@pandacss/mcp/node_modules/.bin/panda-mcp"


@pytest.mark.skipif(not PANDA.exists(), reason="@pandacss/mcp is missing: run `make peers`")
def test_the_step_it_asks_as_a_question_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--cwd", str(tmp_path), "--", str(PANDA)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "Did you forget to run `panda init`?`: it asks for `panda init` first"
    ), outcome["cause"]
    assert outcome["remediation"].startswith("Run `panda init` once first, as it asks"), outcome
    assert "in the same working folder" in outcome["remediation"], outcome["remediation"]
