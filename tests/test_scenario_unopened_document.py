"""A language server that knows only the documents its client opened: autotools-language-server
0.1.3 (its own virtualenv, .peers/py-alone) answers textDocument/hover on a configure.ac that is
there, never sent in textDocument/didOpen, with `KeyError: '<uri>'` (-32603). The finding was
unclassified 'without naming a missing field', the KeyError shown and not explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/py-alone/autotools-language-server/bin/autotools-language-server"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_document_never_opened_is_said_to_be_unopened(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    document = tmp_path / "configure.ac"
    document.write_text("AC_INIT([pool], [1.0])\nAC_PROG_CC\nAC_OUTPUT\n")
    uri = document.as_uri()
    path = tmp_path / "hover.yaml"
    path.write_text(
        "name: autotools-hover\n"
        f"worker: {{command: [{SERVER}], protocol: lsp, init_timeout: 30, cwd: {tmp_path}}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: textDocument/hover\n"
        f"      args: {{textDocument: {{uri: '{uri}'}}, position: {{line: 1, character: 3}}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["failure"]["message"] == f"KeyError: '{uri}' (code -32603)", finding
    why = finding["outcome"]["why"]
    assert (
        f"; it names the document the request is about ({uri}), a file that is there, and no "
        "textDocument/didOpen opened it (a scenario's steps send requests only)"
    ) in why, why
    # a document that is not there is the missing-path reading's, not this one's
    document.unlink()
    main(["run-scenario", "--no-history", "--format", "json", str(path)])
    [finding] = json.loads(capsys.readouterr()[0])["findings"]
    assert "textDocument/didOpen" not in finding["outcome"]["why"], finding
