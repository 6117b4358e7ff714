"""A packet-4 worker that writes its length header little-endian: Rust's `to_le_bytes`, C's
`fwrite(&length, 4, 1, stdout)` of a uint32_t on x86, PHP's `pack('L', …)` (machine order).
Before, the verdict said it 'answers in packet-4 (little-endian), not packet-4' and told to
'use one framing on both sides: packet-4 (little-endian) here', a framing no reader has
(Erlang's {packet, 4} and poolctl read big-endian): the fix is the worker's byte order."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

RUSTC = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")


def _built(compiler: list[str], source: str, tmp_path: Path) -> str:
    if not Path(compiler[0]).exists() and shutil.which(compiler[0]) is None:
        pytest.skip(f"{compiler[0]} is not installed")
    built = tmp_path / Path(source).stem
    subprocess.run([*compiler, "-o", str(built), str(WORKERS / source)], check=True)
    return str(built)


def _told_big_endian(run_cli: RunCli, *command: str) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--", *command)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        "The worker writes its 4-byte length header little-endian: its reply '0\\x00\\x00\\x00"
    ), d["cause"]
    assert "counts its 48 bytes in the reverse byte order" in d["cause"]
    assert d["remediation"].startswith("Write each length big-endian (network byte order)")
    assert "(little-endian) here" not in d["remediation"]


def test_c_writing_its_uint32_t(run_cli: RunCli, tmp_path: Path) -> None:
    worker = _built(["gcc", "-O2"], "c_writes_native_length.c", tmp_path)
    _told_big_endian(run_cli, worker)


def test_rust_to_le_bytes(run_cli: RunCli, tmp_path: Path) -> None:
    _told_big_endian(run_cli, _built([RUSTC], "rust_to_le_bytes.rs", tmp_path))


@pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed (php-cli)")
def test_php_pack_l(run_cli: RunCli) -> None:
    _told_big_endian(run_cli, "php", str(WORKERS / "php_packs_machine_order.php"))
