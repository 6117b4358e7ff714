"""Inputs whose reading would never end: `poolctl triage --log-format pytest /dev/zero` read
for ever (and `/dev/urandom`), as did an endless stream of NULs or random bytes on standard
input. A device is refused by its path before any read; a stream whose first MiB is binary is
refused there (the most the format's sniffing reads of a stream). One line, exit 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli

POOLCTL = [sys.executable, "-m", "poolctl"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("fmt", ["pytest", "exunit", "junit", "auto"])
def test_a_device_is_refused_before_any_read(
    device: str, fmt: str, cli: RunCli, tmp_path: Path
) -> None:
    """Before: with --log-format pytest, still reading after 20 s (killed by `timeout`)."""
    code, _, err = cli(
        "triage", "--log-format", fmt, device, "--no-history", "--run-dir", str(tmp_path / "r")
    )
    assert code == 2
    assert err.strip().splitlines() == [
        f"poolctl: error: nothing could be read from the logs: {device}: a character device, "
        "not a log: its reads may never end (give a file of the runner's output, or - for "
        "standard input)"
    ]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_binary_stream_on_standard_input_is_refused_after_its_first_mib(
    device: str, processes: Processes, tmp_path: Path
) -> None:
    """`cat /dev/zero | poolctl triage --log-format pytest -`: before, read until killed; now
    one line, exit 2, within the test's 60 s (its first MiB read)."""
    with open(device, "rb") as source:
        done = processes.run(
            [*POOLCTL, "triage", "--log-format", "pytest", "-", "--no-history", "--run-dir",
             str(tmp_path / "r")],
            timeout=60,
            stdin=source,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "poolctl: error: nothing could be read from the logs: <stdin>: binary data, no text in "
        "its first 1 MiB: not a runner's log; not read further"
    )


def test_a_regular_binary_file_is_still_read_to_its_end(cli: RunCli, tmp_path: Path) -> None:
    """A file is bounded by its size: 2 MiB of NULs with a named format is read whole and says
    it holds no pytest output, as before."""
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\0" * (2 << 20))
    code, _, err = cli(
        "triage", "--log-format", "pytest", str(blob), "--no-history", "--run-dir",
        str(tmp_path / "r"),
    )  # fmt: skip
    assert code == 2
    assert "no pytest output found in it" in err
