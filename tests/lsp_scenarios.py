"""A run-scenario of one language server that opens a document (a `notify` step's
textDocument/didOpen) and asks a hover on it: the scenario several tests against real language
servers write, run in the test's process, its JSON report read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main


def open_and_hover(
    capsys: pytest.CaptureFixture[str],
    folder: Path,
    command: str,
    document: tuple[str, str, str],
    position: tuple[int, int],
    request_timeout: int = 30,
    expect: str = "",
) -> tuple[int, dict[str, Any]]:
    """Run a scenario in `folder` whose one worker (`command`, YAML flow items) opens `document`
    (its name in the scenario's folder, its language id, its text) and asks a hover at
    `position` (line, character), its `expect` (YAML, "" for none): the exit code and report."""
    name, language, text = document
    uri = "file://{scenario_dir}/" + name
    expected = f", expect: {expect}" if expect else ""
    path = folder / "hover.yaml"
    path.write_text(
        f"worker: {{command: [{command}], protocol: lsp, init_timeout: 30, "
        "cwd: '{scenario_dir}'}\n"
        f"pool: {{size: 1, checkout_timeout: 30, request_timeout: {request_timeout}}}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        f"languageId: {language}, version: 1, text: {json.dumps(text)}}}}}}}\n"
        f"  - request: {{command: textDocument/hover, args: {{textDocument: {{uri: '{uri}'}}, "
        f"position: {{line: {position[0]}, character: {position[1]}}}}}{expected}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr()[0])
