"""A shell that waited for a program a signal ended reports the signal in its exit code and its
last line on stderr (poolctl/diagnose/shell_reported.py): read from real shells here."""

from __future__ import annotations

import shutil
import signal
import sys

import pytest

from poolctl.diagnose.shell_reported import shell_reported
from tests.conftest import Processes

SHELLS = [s for s in ("dash", "bash") if shutil.which(s)]


def waited_for(processes: Processes, shell: str, sig: signal.Signals) -> tuple[int, str]:
    """The exit code and stderr of `shell` running a Python that sends itself `sig`."""
    kill = f"import os; os.kill(os.getpid(), {int(sig)})"
    run = processes.run([shell, "-c", '"$0" -c "$1"; exit $?', sys.executable, kill], 60)
    return run.returncode, run.stderr


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGSEGV, signal.SIGHUP])
def test_a_shell_s_exit_code_and_line_name_the_signal(
    processes: Processes, shell: str, sig: signal.Signals
) -> None:
    code, stderr = waited_for(processes, shell, sig)
    assert code == 128 + sig
    reported = shell_reported(code, stderr)
    assert reported is not None, stderr
    assert reported.signal == sig
    assert reported.line == stderr.strip().splitlines()[-1].strip()
    if shell == "bash" and sig != signal.SIGTERM:  # bash names the program's pid (not SIGTERM's)
        assert reported.pid is not None and f" {reported.pid} " in stderr


def test_a_code_alone_or_another_line_is_no_signal() -> None:
    """A program's own `exit(137)`, or a last line that is not the signal's description."""
    assert shell_reported(137, "") is None
    assert shell_reported(137, "fatal: out of patience\n") is None
    assert shell_reported(143, "Killed\n") is None  # 143 is SIGTERM's: the two disagree
    assert shell_reported(1, "Killed\n") is None


def test_bash_s_pid_padded_to_its_column_is_read() -> None:
    """bash pads a pid of fewer than 5 digits (a line bash wrote in this suite's run)."""
    line = '/usr/bin/python: line 1:  1997 Killed                  "$0" -c "$1"\n'
    reported = shell_reported(137, line)
    assert reported is not None and reported.pid == 1997
