"""A language server that reads its initializationOptions without checking that any came:
@actions/languageserver 0.3.61 (.peers/alone, `make peers`) does `options.sessionToken` on
`params.initializationOptions` and refuses initialize with `Cannot read properties of
undefined (reading 'sessionToken')` (-32603) when a client sends none. ping only noted the
refusal. Now it asks initialize again on the same stream with `initializationOptions: {}`,
and its answer there gives the fix, which a scenario then follows to a hover."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/@actions/languageserver/node_modules/.bin/actions-languageserver"
needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
WORKFLOW = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"


@needs_server
def test_ping_asks_again_with_empty_options(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "20"]
    code = main([*argv, "--", str(SERVER), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [initialize] = report["extra"]["steps"]
    assert initialize["detail"] == (
        "error reply: Request initialize failed with message: Cannot read properties of "
        "undefined (reading 'sessionToken') (code -32603); it read a property of nothing "
        "(`Cannot read properties of undefined (reading 'sessionToken')`) with no "
        "initializationOptions sent, and asked initialize again on the same stream with "
        "`initializationOptions: {}` it answered: it reads its initialization options without "
        "checking that any came. Send them: `--init-options '{}'` on ping and doctor, "
        "`init_options: {}` under a scenario's worker (with the options the server documents)"
    ), initialize


@needs_server
def test_a_pool_given_empty_options_answers_a_hover(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "ci.yml").write_text(WORKFLOW)
    uri = "file://{scenario_dir}/ci.yml"
    path = tmp_path / "hover.yaml"
    path.write_text(
        "name: actions-hover\n"
        f"worker: {{command: [{SERVER}, --stdio], protocol: lsp, init_timeout: 20, "
        "init_options: {}}\n"
        "pool: {size: 1, checkout_timeout: 20, request_timeout: 20}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        f"languageId: yaml, version: 1, text: {json.dumps(WORKFLOW)}}}}}}}\n"
        f"  - request: {{command: textDocument/hover, args: {{textDocument: {{uri: '{uri}'}}, "
        "position: {line: 3, character: 6}}, expect: {fields: [result.contents]}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    assert report["findings"] == [], report
