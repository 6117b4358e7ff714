"""A worker that turns the terminal's output processing back on in the buffering experiment's
pseudo-terminal (`stty sane`): the terminal writes each `\\n` as `\\r\\n`, and poolctl reads the
bytes the worker wrote (poolctl/diagnose/terminal_output.py)."""

from __future__ import annotations

import os
import pty
import sys
import termios
import tty
from pathlib import Path

import pytest

from poolctl.diagnose.terminal_output import CarriageReturnsUndone
from tests.conftest import RunCli
from tests.test_diagnose_workers import confirmed, diagnose

WORKERS = Path(__file__).parent / "workers"


def test_a_terminal_s_carriage_returns_are_taken_off_across_reads() -> None:
    """Each `\\r` before a `\\n` is the terminal's, also when a read ends between the two; the
    worker's own `\\r\\n` came as `\\r\\r\\n`; nothing is taken off while the terminal is raw."""
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        undone = CarriageReturnsUndone(master)
        assert undone.feed(b"a\r\n") == b"a\r\n"  # raw: the worker's own bytes
        attrs = termios.tcgetattr(slave)
        attrs[1] |= termios.OPOST | termios.ONLCR
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        os.write(slave, b'{\n "id": 1\r\n}\n')
        written = os.read(master, 100)
        assert written == b'{\r\n "id": 1\r\r\n}\r\n'
        parts = [undone.feed(written[:3]), undone.feed(written[3:14]), undone.feed(written[14:])]
        assert b"".join(parts) == b'{\n "id": 1\r\n}\n'
        assert undone.seen
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.slow
def test_a_worker_that_resets_its_terminal_is_still_found_block_buffered(
    run_cli: RunCli,
) -> None:
    """Its wrapper runs `stty sane` on its stdout, and its pretty-printed answer came through
    the experiment's terminal with `\\r\\n` for each `\\n`. Before: 'no answer within 3 s' on
    the terminal, and the verdict 'The worker answers only once its stdin ends', with the fix
    to read one message at a time, which it does."""
    d = diagnose(
        run_cli,
        "--timeout",
        "3",
        "--",
        str(WORKERS / "stty_sane_first.sh"),
        sys.executable,
        str(WORKERS / "pretty_prints_unflushed.py"),
    )
    assert confirmed(d) == ["buffered"], d["cause"]
    assert d["cause"].startswith("The worker's stdout is block-buffered"), d["cause"]
    (on_pty,) = [e for e in d["evidence"] if "on a pseudo-terminal" in e["text"]]
    assert "answered in " in on_pty["text"], on_pty
    assert "turned the terminal's output processing on (OPOST and ONLCR" in on_pty["text"]
