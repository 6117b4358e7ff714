"""A language server refusing a request its initialize answer declared no capability for:
vscode-css-language-server (vscode-langservers-extracted, .peers, `make peers`) answers
textDocument/implementation with `Unhandled method textDocument/implementation` (-32601) and
declares no implementationProvider (stylelint-lsp 1.2.4 refuses textDocument/hover so, with no
hoverProvider). run-scenario read it as a rejection 'without naming a missing field', and ping's
step showed the error alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/node_modules/.bin/vscode-css-language-server"
pytestmark = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
SAID = (
    "its answer to initialize declared no implementationProvider (its capabilities: "
    "codeActionProvider, colorProvider, definitionProvider, "
)
NOT_ASKED = "): it does not serve textDocument/implementation, and an editor would not ask it"


def test_run_scenario_says_the_capability_was_not_declared(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    uri = "file://{scenario_dir}/a.css"
    path = tmp_path / "implementation.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}, --stdio], protocol: lsp, init_timeout: 30, "
        "cwd: '{scenario_dir}'}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        "languageId: css, version: 1, text: 'a { color: red }'}}}\n"
        "  - request: {command: textDocument/implementation, args: {textDocument: "
        f"{{uri: '{uri}'}}, position: {{line: 0, character: 0}}}}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    why = finding["outcome"]["why"]
    assert f"without naming a missing field; {SAID}" in why, why
    assert why.endswith(NOT_ASKED), why


def test_ping_says_the_capability_was_not_declared(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "a.css").write_text("a { color: red }\n")
    args = {
        "textDocument": {"uri": (tmp_path / "a.css").as_uri()},
        "position": {"line": 0, "character": 0},
    }
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "30"]
    argv += ["--command", "textDocument/implementation", "--args", json.dumps(args)]
    main([*argv, "--", str(SERVER), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "textDocument/implementation"]
    assert step["detail"].startswith(
        "error reply: Unhandled method textDocument/implementation (code -32601); " + SAID
    ), step
    assert step["detail"].endswith(NOT_ASKED), step
