"""A language server whose stderr its command merges into stdout (`sh -c '… 2>&1'`) and that
logs a line around its answer to shutdown: pytest-language-server 0.24.0 so logs `WARN … No
virtual environment found` as it scans its workspace, where the line lands by timing (3 of 9
pings from a folder of many files here). Logged before its answer, with an exit after it, the
verdict was 'exited on `shutdown`, its session's closing, without answering it', though its
answer came after the line that broke the stream; logged after its last answer, ping said
nothing. A test server logs at either place, as that one did."""

from __future__ import annotations

import shlex
import sys

import pytest

from tests.conftest import Processes
from tests.test_jsonrpc_peers import WORKERS, confirmed, ping, verdict

SERVER = WORKERS / "lsp_logs_around_shutdown.py"
WARN = "'2026-12-03T16:33:46.331062Z  WARN scanner: No virtual environment found'"


def merged(when: str) -> list[str]:
    return ["sh", "-c", f"{shlex.join([sys.executable, str(SERVER), when])} 2>&1"]


def test_a_line_before_the_answer_to_shutdown_is_the_merge(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(capsys, "--protocol", "lsp", "--", *merged("before"))
    assert confirmed(d) == ["stderr-merged"], d["cause"]
    assert d["cause"] == (
        f"The worker's stderr is merged into stdout: its stderr line {WARN} arrived on the "
        "framed stream"
    )
    assert d["remediation"].startswith("Keep stderr apart from the framed stdout: take the"), d
    [crashed] = [h for h in d["hypotheses"] if h["id"] == "crashed"]
    assert crashed["status"] == "ruled-out", crashed
    assert "after its stream broke on text its own `2>&1` sent there" in crashed["reason"]


def test_a_line_after_the_last_answer_is_noted(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code, report = ping(capsys, "--protocol", "lsp", "--", *merged("after"))
    assert code == 0, (report["findings"], report["extra"]["steps"])
    [note] = [n for n in report["notes"] if n.startswith("after its last answer")]
    assert note.startswith(
        "after its last answer its stdout broke the stream (text where a Content-Length header "
        "should start: '2026-12-03T16:33:46.331062Z  WARN scanner: No virtual enviro'"
    ), note
    assert note.endswith(
        "; its command sends its stderr to stdout (`2>&1`), where a line it logs lands among "
        "the frames: keep its stderr apart"
    ), note
