"""Captured logs as they arrive from elsewhere: the same failures, with the same patterns.

Each real capture below (tests/fixtures/README.md says how each was made) is transformed the way
a CI service, a terminal or a pipe changes a log on its way to poolctl: a timestamp or a marker
before every line, CRLF line ends, ANSI colours added or taken off, a byte order mark, gzip,
another tool's lines before the run. None of these may change what triage finds: the failures
(name, group, pattern), the runners' counts, the unread failures and the exit code are those of
the untransformed capture. The transformations are fixed (no randomness) and the captures small,
so the table runs in a few seconds.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import unread_count
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()

Transform = Callable[[bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    """The lines of `data` as a CI service splits them: on LF alone (a bare CR stays inside)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _each_line(stamp: Callable[[int], bytes]) -> Transform:
    return lambda data: b"".join(stamp(n) + line for n, line in enumerate(_lines(data)))


def _gitlab(data: bytes) -> bytes:
    """A GitLab job trace with timestamps on: the step's section markers around the output."""
    body = _each_line(lambda n: b"2026-12-01T10:00:00.%06dZ 01O " % n)(data)
    start = b"\x1b[0Ksection_start:1764583200:step_script\r\x1b[0K$ run the tests\n"
    return start + body + b"\x1b[0Ksection_end:1764583260:step_script\r\x1b[0K\n"


def _coloured(data: bytes) -> bytes:
    """Every non-blank line wrapped in an SGR colour and its reset, as a CI step colours."""
    out = []
    for line in _lines(data):
        body = line.rstrip(b"\r\n")
        out.append(b"\x1b[31m" + body + b"\x1b[0m" + line[len(body) :] if body else line)
    return b"".join(out)


# Another tool's lines before the run (a compiler warning, npm, a docker pull)
NOISE = (
    b'warning: variable "x" is unused (if the variable is not meant to be used, prefix it with '
    b"an underscore)\n  lib/my_app/pool.ex:12: MyApp.Pool.init/1\n\n"
    b"npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.\n"
    b"added 212 packages, and audited 213 packages in 3s\n"
    b"3.11-slim: Pulling from library/python\na2abf6c4d29d: Pull complete\n"
    b"Status: Downloaded newer image for python:3.11-slim\n"
    b"src/pool.c:42:5: warning: implicit declaration of function 'foo' "
    b"[-Wimplicit-function-declaration]\n"
)

TRANSFORMS: dict[str, Transform] = {
    "github actions stamps": _each_line(lambda n: b"2026-12-01T10:00:%02d.1234567Z " % (n % 60)),
    "gitlab sections and stamps": _gitlab,
    "jenkins stamps": _each_line(lambda n: b"[2026-12-01T10:00:00.123Z] "),
    "ts stamps": _each_line(lambda n: b"Dec 01 10:00:%02d " % (n % 60)),
    "date stamps": _each_line(lambda n: b"2026-12-01 10:00:00,%03d " % (n % 1000)),
    "bracketed clock": _each_line(lambda n: b"[10:00:%02d] " % (n % 60)),
    "crlf": lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "colours added": _coloured,
    "colours taken off": lambda data: re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", data),
    "byte order mark": lambda data: b"\xef\xbb\xbf" + data,
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "noise before": lambda data: NOISE + data,
}

# Real captures of each runner and shape: ExUnit plain, `--trace`, coloured, under docker
# compose, an umbrella; pytest plain, `-v` under xdist, tox's several runs, exception groups;
# pytest then another runner in one log
CAPTURES = [
    "exunit/services_suite.log",
    "exunit/services_trace.log",
    "exunit/services_color.log",
    "exunit/services_compose.log",
    "exunit/umbrella.log",
    "pytest/pool_suite.txt",
    "pytest/services_xdist.txt",
    "pytest/services_tox.txt",
    "pytest/exception_group/default.txt",
    "mixed/pytest_then_jest.log",
    "mixed/zig_runs/test.txt",
    "mixed/shunit2_runs/test.txt",
    "mixed/cram_runs/cram.txt",
    "mixed/yath_runs/yath.txt",
    "mixed/cargo_blocks/build_error.txt",
    # other runners' whole reports: JSON on one line or many, XML
    "mixed/jest_json/report.json",
    "mixed/gtest_json/report.json",
    "mixed/mocha_blocks/json.txt",
    "mixed/rspec_runs/json_out.txt",
    "mixed/catch2_runs/report.xml",
    "mixed/doctest_cpp_runs/xml.txt",
    "mixed/cucumber_js_runs/report.json",
    "mixed/pytest_json_report/report.json",
    "mixed/boost_test_runs/xml_suites.xml",
    "mixed/playwright_runs/json.txt",
    "mixed/cucumber_js_runs/message.txt",
    "mixed/mocha_blocks/doc.txt",
    "mixed/rspec_runs/failures.txt",
    # TeamCity's service messages alone, and beside PHPUnit's count
    "mixed/teamcity_runs/mocha.txt",
    "mixed/teamcity_runs/phpunit.txt",
]


def outcome(path: Path) -> tuple[Counter[tuple[str, str, str]], int, int, int]:
    """What triage finds in `path`: its failures (name, group, pattern), the failures its
    runners counted, those unread, and the exit code `poolctl triage` gives."""
    report = triage(read_logs([str(path)]), KB)
    found: Counter[tuple[str, str, str]] = Counter()
    for finding in report.findings:
        o = finding.outcome
        pattern = o.pattern_id if isinstance(o, Diagnosis) else "unclassified"
        found[(finding.failure.name, finding.failure.group, pattern)] += 1
    details = report.details
    counted = getattr(getattr(details, "coverage", None), "counted", 0)
    unread = unread_count(report)
    return found, counted, unread, 1 if report.findings or unread else 0


@cache
def untransformed(relative: str) -> tuple[Counter[tuple[str, str, str]], int, int, int]:
    return outcome(FIXTURES / relative)


@pytest.mark.parametrize("relative", CAPTURES)
@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_a_transformed_capture_reads_as_the_capture(
    tmp_path: Path, relative: str, transform: str
) -> None:
    want = untransformed(relative)
    assert want[3] == 1  # each capture holds failures, read or only counted
    path = tmp_path / Path(relative).name
    path.write_bytes(TRANSFORMS[transform]((FIXTURES / relative).read_bytes()))
    got = outcome(path)
    assert got[0] == want[0], (want[0] - got[0], got[0] - want[0])
    assert got[1:] == want[1:]
