"""A log written in UTF-16 (Windows PowerShell 5's `>` writes UTF-16 LE with a byte order mark,
and CRLF line ends) reads as its UTF-8 original does: the same failures at the same lines; so
does one without the mark (`cmd /U`'s output, a log's part cut after its first bytes)."""

from __future__ import annotations

import codecs
import io
import random
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.encoding import as_utf8, bomless_utf16
from poolctl.logs.passes import iter_passes

FIXTURES = Path(__file__).parent / "fixtures"
LOGS = [
    "exunit/pool_suite.log",
    "pytest/services_suite.txt",
    "pytest/lookalike/tb_line.txt",
    "junit/pytest_xunit2.xml",
]


def utf16(text: str, bom: bytes) -> bytes:
    return bom + text.replace("\n", "\r\n").encode(_CODECS[bom])


_CODECS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


def seen(path: Path) -> list[tuple[str, int, int, str]]:
    parsed = read_logs([str(path)])
    return [(f.name, f.line_start, f.line_end, f.message) for f in parsed.failures]


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE], ids=["le", "be"])
@pytest.mark.parametrize("relative", LOGS)
def test_a_utf16_log_reads_as_its_utf8_original(relative: str, bom: bytes, tmp_path: Path) -> None:
    original = FIXTURES / relative
    text = original.read_bytes().decode("utf-8")
    if relative.endswith(".xml"):  # its declaration says what it is written in
        assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
        text = text.replace('encoding="utf-8"', 'encoding="UTF-16"', 1)
    copy = tmp_path / original.name
    copy.write_bytes(utf16(text, bom))
    want = seen(original)
    assert want and seen(copy) == want


def test_standard_input_in_utf16_reads_too() -> None:
    text = (FIXTURES / "pytest/services_suite.txt").read_text(encoding="utf-8")
    stdin = io.BufferedReader(io.BytesIO(utf16(text, codecs.BOM_UTF16_LE)))
    parsed = read_logs(["-"], stdin=stdin)
    assert len(parsed.failures) == 22


def test_the_passes_of_a_utf16_log_are_read() -> None:
    raw = (FIXTURES / "pytest/flaky/run2.txt").read_bytes()
    want = list(iter_passes(io.BufferedReader(io.BytesIO(raw)), "pytest"))
    copy = io.BufferedReader(io.BytesIO(utf16(raw.decode(), codecs.BOM_UTF16_LE)))
    assert want and list(iter_passes(as_utf8(copy), "pytest")) == want


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE], ids=["le", "be"])
@pytest.mark.parametrize("relative", LOGS[:3])
def test_a_utf16_log_without_its_byte_order_mark_reads_as_its_utf8_original(
    relative: str, bom: bytes, tmp_path: Path
) -> None:
    """It was 'format not recognised' (exit 2): read as UTF-8, every other byte a zero."""
    original = FIXTURES / relative
    copy = tmp_path / original.name
    copy.write_bytes(utf16(original.read_text(encoding="utf-8"), bom)[2:])
    want = seen(original)
    assert want and seen(copy) == want


def test_utf8_text_and_binary_noise_are_not_taken_for_utf16() -> None:
    noise = random.Random(5).randbytes(4096)
    text = (FIXTURES / "exunit/pool_suite.log").read_bytes()[:4096]
    assert bomless_utf16(noise) is None
    assert bomless_utf16(text) is None
    assert bomless_utf16(text.decode().encode("utf-16-le")) == "utf-16-le"
