"""A tool that answers a path its call gave that does not exist with a success whose text says
so: office-word-mcp-server 1.1.11 (PyPI, .peers/py-alone, `make peers`) answers get_document_text
of a document that is not there with `Document <path> does not exist` and `isError: false`. The
step read '✓ tools/call: answered', as the document's text. (Its own print on stdout at start,
tests/test_printed_by.py, is kept off the stream here as a user can: its lines that are no JSON
dropped by `grep '^{'`.)"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import ping

SERVER = REPO / ".peers/py-alone/office-word-mcp-server/bin/word_mcp_server"


@pytest.mark.skipif(
    not SERVER.exists(), reason="office-word-mcp-server is missing: run `make peers`"
)
def test_a_success_saying_an_argument_path_does_not_exist_is_noted(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    missing = tmp_path / "none.docx"
    args = {"name": "get_document_text", "arguments": {"filename": str(missing)}}
    quiet = f"{shlex.quote(str(SERVER))} 2>/dev/null | grep --line-buffered '^{{'"
    code, report = ping(
        capsys,
        *("--protocol", "mcp", "--timeout", "30", "--command", "tools/call"),
        *("--args", json.dumps(args), "--", "sh", "-c", quiet),
    )
    assert code == 0, report
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["detail"] == (
        f"answered; its text says `Document {missing} does not exist`, though its isError is "
        f"false: a client takes it for the tool's result; its `filename`, {missing}, does not "
        "exist here"
    ), step
