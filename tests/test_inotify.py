"""`poolctl/inotify.py`: the wait for writes to a watched file, on Linux's inotify."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from poolctl.inotify import Writes

pytestmark = pytest.mark.skipif(not Path("/proc/sys/fs/inotify").exists(), reason="no inotify")


def test_a_write_ends_the_wait_and_quiet_lets_it_time_out(tmp_path: Path) -> None:
    log = tmp_path / "w1.stderr.log"
    log.touch()
    writes = Writes()
    try:
        writes.watch(log)
        assert writes.wait(0.01) is False  # nothing written
        with open(log, "ab") as f:
            f.write(b"a line\n")
        assert writes.wait(10) is True
        assert writes.wait(0.01) is False  # that write's event was taken
    finally:
        writes.close()


def test_the_wait_returns_while_a_flood_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read events until none was left: a flood can queue one after every read, so the wait
    lasted as long as the flood and the stderr caps were not checked meanwhile (155 MB on disk
    under a 2 MiB cap two seconds into a real endless flood). A flood always a step ahead of
    the reader is not reproducible at will: here every read finds one more event."""
    log = tmp_path / "w1.stderr.log"
    log.touch()
    writes = Writes()
    reads: list[int] = []
    real_read = os.read

    def one_more_event(fd: int, size: int) -> bytes:
        if fd != writes.fd:
            return real_read(fd, size)
        reads.append(fd)
        if len(reads) > 100:
            raise AssertionError("the wait reads on while the flood goes on")
        return bytes(16)  # an event: wd, mask, cookie, no name

    try:
        writes.watch(log)
        log.write_bytes(b"the first write\n")  # poll() says an event is there
        monkeypatch.setattr(os, "read", one_more_event)
        assert writes.wait(10) is True
        assert len(reads) == 1
    finally:
        monkeypatch.undo()
        writes.close()
