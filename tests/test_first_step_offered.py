"""A language server that exits for want of a project, offering the command that creates one:
ast-grep 0.51.1 (npm @ast-grep/cli, .peers/alone, `make peers`) started as `ast-grep lsp` in a
folder with no sgconfig.yml exits with code 3 saying `Error: No ast-grep project configuration is
found.` and `Help: You need to create an ast-grep project for this command. Try `ast-grep new` to
create one.` It was 'Fix the error it reports'; it is told to run that command first, by the
path the server was started with, in the folder it works in. Done so, it answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

AST_GREP = REPO / ".peers/alone/@ast-grep/cli/node_modules/.bin/ast-grep"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "30"]


@pytest.mark.skipif(not AST_GREP.exists(), reason="@ast-grep/cli is missing: run `make peers`")
def test_the_command_it_offers_to_create_what_it_lacks_is_run_first(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    code = main([*PING, "--cwd", str(tmp_path), "--", str(AST_GREP), "lsp"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "Try `ast-grep new` to create one.`: it asks for `" + f"{AST_GREP} new` first"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(f"Run `{AST_GREP} new` once first, as it asks"), (
        outcome["remediation"]
    )
    assert "in the same working folder" in outcome["remediation"], outcome["remediation"]
    # as it says (`-y`: its questions take their defaults, no terminal here to answer them)
    made = processes.run([str(AST_GREP), "new", "-y"], timeout=30, cwd=tmp_path)
    assert (tmp_path / "sgconfig.yml").exists(), made
    code = main([*PING, "--cwd", str(tmp_path), "--", str(AST_GREP), "lsp"])
    assert code == 0, capsys.readouterr()[0]
