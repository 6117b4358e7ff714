"""A language server that reads `exit` and ends only at the end of its input: just-lsp 0.10.0
(PyPI, .peers/py-alone, `make peers`), on tower-lsp, answers `shutdown`, reads `exit`, and runs
until its stdin closes, then exits with code 0, as an editor closing it after `exit` sees. ping
kept its stdin open and said `✗ (process): still running 5 s after exit`, and doctor's Framing
check failed on it. Its stdin is closed 2 s after `exit`; a server that outlives that too is
still told so (tests/test_jsonrpc_peers.py's `stays`)."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

JUST_LSP = REPO / ".peers/py-alone/just-lsp/bin/just-lsp"

pytestmark = pytest.mark.skipif(
    not JUST_LSP.exists(), reason="just-lsp is missing: run `make peers` (pip)"
)


def test_ping_closes_its_stdin_after_exit_and_sees_it_end(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "20"]
    code = main([*argv, "--", str(JUST_LSP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    [ended] = [s for s in report["extra"]["steps"] if s["method"] == "(process)"]
    assert ended["ok"], ended
    assert ended["detail"].startswith("exited with code 0 after its stdin was closed, "), ended
    assert ended["detail"].endswith(" s after exit (running until then)"), ended


def test_doctors_framing_passes_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main(["doctor", "--json", "--protocol", "lsp", "--timeout", "20", "--", str(JUST_LSP)])
    report = json.loads(capsys.readouterr()[0])
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["status"] == "ok" and code == 0, framing
    assert "exit (exited with code 0 after its stdin was closed" in framing["summary"], framing
