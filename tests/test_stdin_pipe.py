"""Standard input from a pipe a left-behind process holds open: its writers are named once the
pipe has been quiet (`poolctl.logs.stdin_pipe`), and the read then goes on to the end."""

from __future__ import annotations

import os
import signal
from pathlib import Path

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
