"""Real language servers as their session closes: a server that waits for the answer to its
own request before it reads `shutdown` (Debian's gopls) is answered once shutdown goes
unanswered; a server that writes its request and answers shutdown at once is not (the pyrefly
case, tests/test_jsonrpc_peers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Processes
from tests.test_jsonrpc_peers import WAIT, ping

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


@pytest.mark.skipif(shutil.which("gopls") is None, reason="gopls is not installed (apt)")
def test_a_server_request_the_shutdown_waits_for_is_answered(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """gopls (Debian 12's) asks window/workDoneProgress/create once initialized and handles
    nothing else until it is answered: poolctl, closing at once, had sent shutdown and left the
    request unanswered, so shutdown got no answer; the verdict blamed a lock and `py-spy`
    (`No hypothesis was confirmed … waiting on a lock or condition (futex)`), and doctor's
    Framing check failed. Answered once shutdown goes unanswered, it is answered too."""
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--", "gopls")
    code, report = ping(capsys, *argv)
    assert code == 0, report
    worker = report["extra"]["worker"]
    assert worker["server_requests_answered_in_closing"][0] == "window/workDoneProgress/create"
    assert "window/workDoneProgress/create" in worker["server_requests"]
    assert worker["server_requests_left_unanswered"] == []
    assert [s["method"] for s in report["extra"]["steps"] if s["ok"]][-1] == "(process)"
