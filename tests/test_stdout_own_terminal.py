"""A worker whose stdout is a pseudo-terminal it opened itself (it holds the terminal's master)
is told so, from its fds and the master's fdinfo (tty-index), read while it lived. Before: 'it
points to /dev/pts/0, where its answers go' with the fix to 'remove the redirection from its
command or wrapper script (`> file`, …)', though its command redirects nothing."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.conftest import RunCli

WORKER = Path(__file__).parent / "workers" / "answers_on_its_own_terminal.py"


def test_a_stdout_on_a_terminal_the_worker_opened_is_said_its_own(
    run_cli: RunCli, tmp_path: Path
) -> None:
    code, out, err = run_cli(
        "ping", "--json", "--timeout", "2", "--no-experiments",
        "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(WORKER),
    )  # fmt: skip
    assert code == 1, err
    outcome = json.loads(out)["findings"][0]["outcome"]
    cause = outcome["cause"]
    assert "The worker's stdout is not the pipe poolctl reads: it points to /dev/pts/" in cause
    assert ", a pseudo-terminal it opened itself (it holds the terminal's master, its fd " in cause
    assert "remove the redirection" not in outcome["remediation"]
    assert "`os.dup2(slave, 1)`" in outcome["remediation"]
    (master,) = [e for e in outcome["evidence"] if e["note"].startswith("the master of that")]
    terminal = re.search(r"points to /dev/pts/(\d+),", cause)
    assert terminal is not None
    assert master["text"].endswith(f" = /dev/ptmx, tty-index {terminal.group(1)}"), master


NULLS_ITS_STDOUT = Path(__file__).parent / "workers" / "answers_then_nulls_its_stdout.py"


def test_a_stdout_moved_after_it_answered_is_not_said_a_redirection_of_its_command(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """It answered its first ping on the pipe, then opened /dev/null onto its fd 1 (`os.dup2`)
    and read on. Before: 'it points to /dev/null' with the fix to remove the redirection from
    its command, which would have taken its first answer too."""
    code, out, err = run_cli(
        "ping", "--json", "--count", "2", "--timeout", "2", "--no-experiments",
        "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(NULLS_ITS_STDOUT),
    )  # fmt: skip
    assert code == 1, err
    outcome = json.loads(out)["findings"][0]["outcome"]
    assert outcome["cause"].startswith(
        "The worker's stdout is not the pipe poolctl reads: after it answered 1 request(s) on "
        "its stdout, it points to /dev/null"
    ), outcome["cause"]
    assert outcome["remediation"].startswith("Keep file descriptor 1 the stdout pipe")
    assert "remove the redirection" not in outcome["remediation"]
