"""A compressed log (gzip, as GitLab and Jenkins archive job logs; xz; bzip2) reads as its
original does; one cut short is read up to where it ends, with a note; each file of a zip archive
(a GitHub Actions log download) is read as an input; their passes reach the history."""

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


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("pool_suite.log.zst", "zstd-compressed, which poolctl does not decompress (it reads "
         "gzip, xz, bzip2 and zip): zstd -dc {path} | poolctl triage -"),
        ("pool_suite.log.lz4", "lz4-compressed, which poolctl does not decompress (it reads "
         "gzip, xz, bzip2 and zip): lz4 -dc {path} | poolctl triage -"),
    ],
)  # fmt: skip
def test_a_log_compressed_in_a_way_poolctl_cannot_read_is_named_with_its_command(
    run_cli: RunCli, name: str, said: str
) -> None:
    """It was "format not recognised (not ExUnit, pytest or JUnit XML output)"."""
    path = FIXTURES / "compressed" / name
    code, out, err = run_cli("triage", str(path), "--no-history")
    assert code == 2 and out == ""
    assert err == (
        f"poolctl: error: nothing could be read from the logs: {path}: "
        + said.format(path=path)
        + "\n"
    )


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


def github_archive(tmp_path: Path, log: str = "pytest/services_suite.txt") -> Path:
    """A job's log archive as GitHub Actions gives it: a file per step, a timestamp before each
    line, the test step's log a real pytest capture (`log`)."""
    archive = tmp_path / "logs_1234.zip"
    suite = (FIXTURES / log).read_text()
    stamped = "".join(f"2026-11-30T06:00:02.1234567Z {line}" for line in suite.splitlines(True))
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("build (3.11)/0_Set up job.txt", "2026-11-30T06:00:00.0Z Set up job\n")
        zipped.writestr("build (3.11)/1_Run actions_checkout@v4.txt", "Syncing repository\n")
        zipped.writestr("build (3.11)/3_Run pytest.txt", stamped)
    return archive


def test_each_file_of_a_zip_archive_is_read_as_an_input(tmp_path: Path) -> None:
    archive = github_archive(tmp_path)
    parsed = read_logs([str(archive)])
    want = seen(FIXTURES / "pytest/services_suite.txt")
    got = [(f.name, f.line_start, f.line_end, f.message) for f in parsed.failures]
    assert want and got == want
    member = f"{archive}/build (3.11)/3_Run pytest.txt"
    assert parsed.formats == {member: "pytest"}
    assert {f.input_file for f in parsed.failures} == {member}
    [note] = parsed.skipped  # the set-up steps, together
    assert note.startswith(f"{archive}: 2 file(s) in the archive hold no test-runner output")


def test_the_passes_of_a_zip_archive_reach_the_history(run_cli: RunCli, tmp_path: Path) -> None:
    archive = github_archive(tmp_path, "pytest/pool_suite_verbose.txt")
    with (FIXTURES / "pytest/pool_suite_verbose.txt").open("rb") as stream:
        want = list(iter_passes(stream, "pytest"))
    code, _, err = run_cli("triage", str(archive), "--fail-on", "never", "-f", "json")
    assert code == 0, err
    code, out, err = run_cli("history", "runs", "-f", "json")
    assert code == 0, err
    assert want and json.loads(out)["runs"][0]["passed"] == len(want)


def test_a_zip_archive_on_standard_input_is_refused_with_what_to_do(tmp_path: Path) -> None:
    stdin = io.BufferedReader(io.BytesIO(github_archive(tmp_path).read_bytes()))
    with pytest.raises(InputError, match="a zip archive on standard input: save it to a file"):
        read_logs(["-"], stdin=stdin)


def test_a_damaged_zip_archive_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    archive = github_archive(tmp_path)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[:400])  # a download that stopped: no directory
    with pytest.raises(InputError, match=r"cut\.zip: cannot read the zip archive"):
        read_logs([str(cut)])
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo("build (3.11)/3_Run pytest.txt")
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"3_Run pytest\.txt: cannot read it from the archive"):
        read_logs([str(damaged)])


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
