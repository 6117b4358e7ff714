"""A worker run behind a pseudo-terminal (`script -q -c 'server' /dev/null`, as one wraps a
server to have it line-buffer): the terminal echoes the request back onto stdout, and that
echo is no text of the server's."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from poolctl.diagnose.terminal_echo import echoed
from tests.conftest import REFERENCE, RunCli
from tests.test_diagnose_workers import diagnose

SCRIPT = shutil.which("script")


def test_a_terminal_echoes_control_bytes_as_carets_and_newlines_as_crlf() -> None:
    assert echoed(b"\x00\x00\x00M{}\n\x7f\t") == b"^@^@^@M{}\r\n^?\t"


@pytest.mark.slow
@pytest.mark.skipif(SCRIPT is None, reason="script (util-linux) is not installed")
def test_a_worker_behind_script_is_said_to_run_behind_a_terminal_not_to_print_text(
    run_cli: RunCli,
) -> None:
    """Before: 'The worker prints text to its framed stdout: '^@^@^@M{"id":1,"command":"ping"…'
    arrived before its first message', with the fix to send banners and logs to stderr: the
    text was poolctl's own request, echoed by the terminal `script` gave the server."""
    assert SCRIPT is not None
    server = shlex.join(REFERENCE)
    # 3 s: the server must have started and be reading its terminal when the timeout comes
    # (at 1 s a loaded CI machine's snapshot once found `sh` not yet exec'd into it)
    d = diagnose(
        run_cli, "--timeout", "3", "--no-experiments", "--", SCRIPT, "-q", "-c", server, "/dev/null"
    )
    assert d["cause"].startswith("The worker runs behind a pseudo-terminal: pid "), d["cause"]
    assert "(script) holds, not poolctl's pipes" in d["cause"]
    assert "bytes on stdout are the request echoed back by the terminal" in d["cause"]
    assert "not behind `script`, `unbuffer`" in d["remediation"]
    said = " ".join(e["text"] for e in d["evidence"])
    assert "it is blocked reading /dev/pts/" in said, said


@pytest.mark.slow
@pytest.mark.skipif(SCRIPT is None, reason="script (util-linux) is not installed")
def test_doctor_says_the_text_on_stdout_is_the_echoed_request_not_the_workers_output(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Before: Output hygiene said 'it writes '^@^@^@M{"id":1,…' to stdout before any frame'
    with 'write logs and banners to stderr', though Framing named the terminal."""
    assert SCRIPT is not None
    run_dir = tmp_path / "run"
    argv = ("--", SCRIPT, "-q", "-c", shlex.join(REFERENCE), "/dev/null")
    code, _, _ = run_cli("doctor", "--run-dir", str(run_dir), *argv)
    assert code == 1
    checks = json.loads((run_dir / "report.json").read_text())["checks"]
    (stdout,) = [c for c in checks if c["section"] == "Output hygiene" and c["name"] == "stdout"]
    assert stdout["summary"].endswith(
        "came on stdout before any frame: the request itself, echoed back by the "
        "pseudo-terminal the worker runs behind (see Framing), not output of its own"
    ), stdout["summary"]
    assert stdout["remedy"].startswith("Start the server itself as the worker, not behind")
