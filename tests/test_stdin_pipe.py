"""Standard input from a pipe a left-behind process holds open: its writers are named once the
pipe has been quiet (`poolctl.logs.stdin_pipe`), and the read then goes on to the end; standard
input that is a terminal ends at its first Ctrl-D (`poolctl.logs.stdin_terminal`)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect

from poolctl.logs.stdin_pipe import WatchedPipe, is_pipe, pipe_writers
from tests.conftest import Processes


def test_a_quiet_pipe_names_the_process_that_holds_it_open(processes: Processes) -> None:
    """A `sleep` keeps the pipe's writing end after the log was written (as a worker a test
    run left behind keeps `mix test`'s stderr): the first read gets the log, the next one,
    after the quiet spell, names the sleep; once it is gone the read ends."""
    read_end, write_end = os.pipe()
    holder = processes.popen(["sleep", "60"], pass_fds=(write_end,))
    os.write(write_end, b"1 test, 1 failure\n")
    os.close(write_end)
    told: list[list[str]] = []

    def on_quiet(writers: list[str]) -> None:
        told.append(writers)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()

    pipe = WatchedPipe(read_end, on_quiet, quiet=0.2)
    try:
        buffer = bytearray(100)
        assert pipe.readinto(buffer) == len(b"1 test, 1 failure\n")
        assert pipe.readinto(buffer) == 0  # named the holder, which then went: the end
    finally:
        os.close(read_end)
    assert told == [[f"{holder.pid} sleep 60"]]
    assert not is_pipe(read_end)  # closed
    with open(os.devnull, "rb") as null:
        assert pipe_writers(null.fileno()) == []  # no pipe: nobody writes it


def test_a_file_is_no_pipe(tmp_path: Path) -> None:
    path = tmp_path / "test.log"
    path.write_text("1 test, 1 failure\n")
    with path.open("rb") as log:
        assert not is_pipe(log.fileno())
    read_end, write_end = os.pipe()
    try:
        assert is_pipe(read_end)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_log_typed_on_a_terminal_ends_at_the_first_ctrl_d(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]]
) -> None:
    """`poolctl triage -` on a terminal: a person pastes a pytest run and presses Ctrl-D once.
    A terminal's end of input lasts one read, and the triage read past it more than once: it
    waited on after the first Ctrl-D and the second, and read the log only at the third."""
    log = Path(__file__).parent / "fixtures" / "pytest" / "quiet.txt"
    env = {**os.environ, "POOLCTL_REPORTS_DIR": str(tmp_path / "reports"), "TERM": "dumb"}
    argv = ["-m", "poolctl", "triage", "-", "--no-history", "-q"]
    child = pexpect_spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=60)
    child.expect("paste it, then press Ctrl-D")
    for line in log.read_text().splitlines():
        child.sendline(line)
    child.sendeof()  # once, at the start of a line: the end of the log
    child.expect(pexpect.EOF)  # not a pexpect.TIMEOUT: the triage did not wait on
    said = str(child.before)
    child.close()
    assert child.exitstatus == 1, said
    assert "2 failures · 2 diagnosed in 2 patterns" in said
