"""A compressed log (gzip, as GitLab and Jenkins archive job logs; xz; bzip2) reads as its
original does; one cut short is read up to where it ends, with a note; a zip archive is named,
with what to do; its passes reach the history."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from poolctl.errors import InputError
from poolctl.logs import read_logs
from poolctl.logs.passes import iter_passes
from poolctl.logs.unpack import readable_input
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
LOGS = ["exunit/pool_suite.log", "pytest/services_suite.txt", "junit/pytest_xunit2.xml"]
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "xz": lzma.compress,
    "bz2": bz2.compress,
}


def seen(path: Path) -> list[tuple[str, int, int, str]]:
    parsed = read_logs([str(path)])
    return [(f.name, f.line_start, f.line_end, f.message) for f in parsed.failures]


@pytest.mark.parametrize("suffix", COMPRESSORS)
@pytest.mark.parametrize("relative", LOGS)
def test_a_compressed_log_reads_as_its_original(relative: str, suffix: str, tmp_path: Path) -> None:
    original = FIXTURES / relative
    copy = tmp_path / "renamed.log"  # known by its magic bytes, not its name
    copy.write_bytes(COMPRESSORS[suffix](original.read_bytes()))
    want = seen(original)
    assert want and seen(copy) == want


def test_a_gzip_log_cut_short_is_read_up_to_its_end_with_a_note(tmp_path: Path) -> None:
    original = FIXTURES / "exunit/pool_suite.log"
    packed = gzip.compress(original.read_bytes())
    cut = tmp_path / "job.log.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    parsed = read_logs([str(cut)])
    whole = seen(original)
    got = [(f.name, f.line_start, f.line_end, f.message) for f in parsed.failures]
    assert 0 < len(got) < len(whole) and got == whole[: len(got) - 1] + got[-1:]
    assert any("the gzip data ends early or is corrupt" in note for note in parsed.skipped)


def test_a_zip_archive_is_named_and_the_other_inputs_still_read(tmp_path: Path) -> None:
    archive = tmp_path / "logs_1234.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(FIXTURES / "pytest/services_suite.txt", "0_test.txt")
    parsed = read_logs([str(archive), str(FIXTURES / "pytest/services_suite.txt")])
    assert len(parsed.failures) == 22
    assert any(
        "logs_1234.zip: a zip archive" in note and "unzip" in note for note in parsed.skipped
    )
    with pytest.raises(InputError, match="unzip -d logs"):
        read_logs([str(archive)])


def test_a_text_log_that_starts_like_bzip2_is_text() -> None:
    stream = io.BufferedReader(io.BytesIO(b"BZh9 is not a block header\n"))
    assert readable_input(stream, "x.log")[1] is None


def test_the_passes_of_a_gzip_log_reach_the_history(run_cli: RunCli, tmp_path: Path) -> None:
    raw = (FIXTURES / "pytest/flaky/run2.txt").read_bytes()
    want = list(iter_passes(io.BufferedReader(io.BytesIO(raw)), "pytest"))
    log = tmp_path / "run2.txt.gz"
    log.write_bytes(gzip.compress(raw))
    code, _, _ = run_cli("triage", str(log), "--fail-on", "never", "-f", "json")
    assert code == 0
    code, out, err = run_cli("history", "runs", "-f", "json")
    assert code == 0, err
    assert want and json.loads(out)["runs"][0]["passed"] == len(want)
