"""A language server's `result: null` where a document a notify step opened has nothing to
show: vscode-css-language-server (vscode-langservers-extracted, .peers, `make peers`) answers a
hover on an empty line with null, and one on `color` with its contents. A step expecting
result.contents was read as pattern 4 ('a key its setup gives under another name'; rename one
side): there is no key to rename."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/node_modules/.bin/vscode-css-language-server"
CSS = "a { color: red }\n\nb { }\n"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_null_answer_where_there_is_nothing_is_no_key_mismatch(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    uri = "file://{scenario_dir}/a.css"
    hover = "{command: textDocument/hover, args: {textDocument: {uri: '" + uri + "'}, "
    path = tmp_path / "hover.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}, --stdio], protocol: lsp, init_timeout: 30, "
        "cwd: '{scenario_dir}'}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        f"languageId: css, version: 1, text: {json.dumps(CSS)}}}}}}}\n"
        f"  - request: {hover}position: {{line: 1, character: 0}}}}, "
        "expect: {fields: [result.contents]}}\n"
        f"  - request: {hover}position: {{line: 0, character: 5}}}}, "
        "expect: {fields: [result.contents]}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]  # the hover on `color` has its contents
    assert finding["outcome"]["type"] == "unclassified", finding
    assert finding["outcome"]["why"] == (
        f"the server answered textDocument/hover on {(tmp_path / 'a.css').as_uri()} at line 1, "
        "character 0 with no result (null, or one holding no key): LSP's answer where it has "
        "nothing to give there, not a key under another name. Ask where the document holds what "
        "the request is about (positions count from 0), or expect no result there"
    ), finding
