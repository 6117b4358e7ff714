"""A worker that writes its answer's length as decimal text (`48\\n{...}`) where {packet, 4}
wants 4 binary bytes (a Perl worker's `print length($body), "\\n", $body`). Before, the digits
were stray text printed before its first message, "its answer arrived right behind the text",
and the fix was to send banners and logs to stderr."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from poolctl.framing_explain import explain
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

ANSWER = b'{"id": 1, "success": true}'


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b":", b""])  # b"": C's printf("%zu%s")
def test_a_decimal_length_before_that_many_bytes_of_json_is_a_text_header(end: bytes) -> None:
    said = explain(b"%d" % len(ANSWER) + end + ANSWER, "packet-4")
    assert said.kind == "decimal-header", said
    assert said.text.startswith(f"a length written as decimal text, '{len(ANSWER)}")


@pytest.mark.parametrize(
    "data",
    [b"25\n" + ANSWER, b"2026 starting\n" + ANSWER, b"42\n"],  # miscounted, a banner, no JSON
)
def test_other_digits_are_not_a_text_header(data: bytes) -> None:
    assert explain(data, "packet-4").kind != "decimal-header"


@pytest.mark.skipif(shutil.which("perl") is None, reason="perl is not installed")
def test_ping_names_a_length_written_as_text(run_cli: RunCli) -> None:
    worker = str(WORKERS / "writes_decimal_lengths.pl")
    # the timeout is only the start's deadline: the answer's first 4 bytes announce 876 MB and
    # are refused at once. A start past it (`sh -c 'sleep 1.5; exec perl …'` with 1 s) is
    # judged stuck-in-init or waiting-for-input, its framing unseen
    d = diagnose(run_cli, "--timeout", "10", "--", "perl", worker)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        "The worker writes its length header as text: a length written as decimal text, '48\\n'"
    )
    assert "Perl `pack('N', length $body)`" in d["remediation"]
    assert "arrived right behind the text" not in str(d)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_ping_names_a_length_printed_with_no_separator(run_cli: RunCli, tmp_path: Path) -> None:
    """C's `printf("%zu%s", strlen(body), body)`: '48{...}'. Before, the digits were text printed
    before its first message, and the fix was to send banners and logs to stderr."""
    worker = tmp_path / "c_printf_length"
    source = str(WORKERS / "c_printf_length.c")
    subprocess.run(["gcc", "-O2", "-o", str(worker), source], check=True)
    d = diagnose(run_cli, "--timeout", "10", "--", str(worker))  # a start's deadline (above)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        "The worker writes its length header as text: a length written as decimal text, '48',"
    )
    assert 'C `fwrite` of `htonl(length)` (not `printf("%zu", length)`)' in d["remediation"]
