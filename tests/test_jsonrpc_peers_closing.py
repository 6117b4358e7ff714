"""Real language servers as their session closes: a server that waits for the answer to its
own request before it reads `shutdown` (Debian's gopls) is answered once shutdown goes
unanswered; a server that writes its request and answers shutdown at once is not (the pyrefly
case, tests/test_jsonrpc_peers.py); a server that exits on `shutdown` unanswered (Debian's
efm-langserver) is told so, not to loop over its requests; and one that exits at start on a
single line of stderr (ccls) is quoted saying it."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.report.replay import read_events
from tests.conftest import Processes
from tests.test_jsonrpc_peers import WAIT, confirmed, ping, verdict

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
    # its window/logMessage of `go env` spans lines, or its window/showMessage of the workspace
    # it could not load (which one comes in the session's time is gopls's): each notification
    # is shown in one
    notes = report["extra"]["notifications"]
    assert any(n.startswith("window/") and "more lines)" in n for n in notes), notes
    assert not [n for n in notes if "\n" in n], notes


@pytest.mark.skipif(
    shutil.which("efm-langserver") is None, reason="efm-langserver is not installed (apt)"
)
def test_a_server_exiting_on_shutdown_unanswered_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """efm-langserver 0.0.44 (Debian 12's) answers initialize, then closes its connection on
    `shutdown` and exits with code 0 (its stderr: `sending response 2: jsonrpc2: connection is
    closed`). It was told that it answers 1 request and exits, and to loop over stdin as a
    pool's worker does: advice for a one-shot script, not a server whose closing it was."""
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--", "efm-langserver")
    d = verdict(capsys, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].startswith(
        "The worker exited on `shutdown`, its session's closing, without answering it: pid "
    )
    assert d["cause"].endswith(" exited with code 0")
    assert d["remediation"].startswith("Its requests are served: it answered them")
    assert "sys.stdin" not in d["remediation"]
    [tail] = [e["text"] for e in d["evidence"] if e["note"] == "the end of its stderr"]
    assert "sending response 2: jsonrpc2: connection is closed" in tail


@pytest.mark.skipif(shutil.which("ccls") is None, reason="ccls is not installed (apt)")
def test_the_only_line_a_server_exits_on_is_quoted_as_why(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """ccls (Debian 12's) given an `--init` that is no JSON writes one line to stderr and exits
    with code 1: the cause said only 'exited with code 1', and the fix to run it by hand and
    read its stderr, though that one line says why."""
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--", "ccls")
    d = verdict(capsys, *argv, "--init={bad")
    line = "Failed to parse --init as JSON: Missing a name for object member. (1)"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 1, saying `{line}`, the only line on its stderr")
    assert d["remediation"] == (
        f"Fix what it reports (`{line}`); run `ccls '--init={{bad'` by hand to see it happen."
    )


@pytest.mark.parametrize(
    ("worker", "exits", "stopped_by"),
    [
        # asks window/workDoneProgress/create 0.2 s after `initialized`, as the drain begins
        # (it exits on `exit`: before the stop closes its stdin, or as it does, by the load)
        (
            ("lsp_asks_then_closes.py", "0.2"),
            "exited with code 0",
            ("exited when stdin closed", "nothing: it had ended by itself (exited with code 0)"),
        ),
        # answers neither shutdown nor exit, reads on at end of input, ignores SIGTERM
        (
            ("lsp_ignores_shutdown.py", "term"),
            "killed by SIGKILL (9)",
            ("SIGKILL after 2 s (SIGTERM ignored)",),
        ),
    ],
)
def test_a_pools_drain_closes_a_server_as_ping_does(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    tmp_path: Path,
    worker: tuple[str, str],
    exits: str,
    stopped_by: tuple[str, ...],
) -> None:
    """A pool drained right after its server's start sent shutdown while a server that reads
    nothing past its own request until it is answered (as gopls: tests/workers/
    lsp_asks_then_closes.py) had its request on the way: held, never answered, so shutdown went
    unanswered for the stop grace (2 s) and the stop closed its stdin: it exited with code 1,
    saying 'client closed the connection before answering progress-1'. The drain now answers
    the held request once shutdown goes 2 s unanswered, as ping's closing does: shutdown is
    answered, and it exits with code 0 on `exit`. A server that ignores its closing and SIGTERM
    is waited for as before (shutdown 2 s, then the stop's SIGTERM and SIGKILL), none left."""
    name, arg = worker
    argv = [sys.executable, str(Path(__file__).parent / "workers" / name), arg]
    path = tmp_path / "closing.yaml"
    path.write_text(f"worker: {{command: {json.dumps(argv)}, protocol: lsp}}\npool: {{size: 1}}\n")
    run = tmp_path / "run"
    code = main(["run-scenario", "--no-history", "-q", "--run-dir", str(run), str(path)])
    capsys.readouterr()
    assert code == 0
    events = read_events((run / "events.jsonl").read_text())
    [done] = [e for e in events if e["type"] == "shutdown_done"]
    assert done["exits"] == {"w1": exits}, done
    assert done["stopped_by"]["w1"] in stopped_by, done
    stderr = (run / "workers" / "w1.stderr.log").read_text()
    assert "client closed the connection" not in stderr, stderr


@pytest.mark.skipif(shutil.which("gopls") is None, reason="gopls is not installed (apt)")
def test_goplss_build_info_version_is_shown_by_its_version_field(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """gopls's serverInfo.version is its build information as JSON (`{"GoVersion":"go1.19.5",
    "Path":"golang.org/x/tools/gopls",…,"Version":"master"}`): ping's first line printed all of
    it. It shows the `Version` field; the JSON report keeps the whole."""
    argv = ["--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--", "gopls"]
    code = main(["ping", "--run-dir", str(tmp_path / "run"), *argv])
    first = capsys.readouterr()[0].splitlines()[0]
    assert code == 0, first
    assert re.search(r"answered the lsp handshake: server 'gopls' [\w.+-]+ \(pid \d+, ", first)
    assert "GoVersion" not in first, first
    code, report = ping(capsys, *argv)
    assert code == 0, report
    whole = json.loads(report["extra"]["server"]["version"])
    assert whole["Path"] == "golang.org/x/tools/gopls", whole
    assert f"server 'gopls' {whole['Version']} (pid " in first, (first, whole)
