"""Every quote `poolctl triage` shows stands on the line it names, over every captured fixture.

An evidence `origin` of the form `FILE:LINE` must name a line of FILE that holds the quoted text
(as `BlockLines.locate` reads a line: decoded, ANSI codes and CI prefixes removed, whitespace
collapsed); every `FILE:A-B` lies inside the file. No run exits 3 or prints a traceback, and the
failures read plus those said to be unread add up to the runners' own counts. A few damaged
copies (CRLF line endings, a CI timestamp on every line, a cut at a fixed byte) must keep the
same promises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.prefixes import strip_prefixes
from tests.conftest import RunCli
from tests.test_report_formats import valid_json
from tests.test_run_ends import NAMED_FORMATS

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(
    p for d in ("exunit", "pytest", "junit") for p in (FIXTURES / d).rglob("*") if p.is_file()
)
LOG_SUFFIXES = (".log", ".txt", ".xml")  # a captured log (not a pool's `.kills` list)
_ORIGIN = re.compile(r"^(?P<file>.+):(?P<a>\d+)(?:-(?P<b>\d+))?$")
_NAMED_FRAME = re.compile(r"^(?P<where>\S+:\d+:) in \w+$")
STAMP = b"2026-11-30T12:00:00.1234567Z "


def _norm(text: str) -> str:
    return " ".join(text.split())


def _clean(raw: bytes) -> str:
    return _norm(strip_prefixes(strip_ansi(raw.decode("utf-8", "replace"))))


def _with_origin(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "origin" in node:
            yield path, node
        for key, value in node.items():
            yield from _with_origin(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _with_origin(value, f"{path}[]")


def _holds(lines: list[bytes], n: int, quote: str) -> bool:
    """Line `n` holds `quote` as `locate` finds one: whole, as a frame's location, by its first
    40 characters (a field the parser joined), or running on over the next lines."""
    here = _clean(lines[n - 1])
    named = _NAMED_FRAME.match(quote)
    if quote in here or (named and here == named["where"]) or quote[:40] in here:
        return True
    following = " ".join(_clean(line) for line in lines[n - 1 : n + 30])
    return bool(here) and following.startswith(here) and quote in following


def _violations(report: dict[str, Any], path: Path, lines: list[bytes]) -> list[str]:
    bad = []
    for where, item in _with_origin(report):
        found = _ORIGIN.match(str(item["origin"]))
        if not found or found["file"] != str(path):
            continue
        a = int(found["a"])
        b = int(found["b"] or a)
        if not 1 <= a <= b <= len(lines):
            bad.append(f"{where}: {item['origin']} lies outside the file's {len(lines)} lines")
            continue
        text = item.get("text")
        one_line = isinstance(text, str) and text.strip() and "\n" not in text.strip()
        if a == b and one_line and not _holds(lines, a, _norm(str(text))):
            bad.append(f"{where}: {item['origin']} does not hold {text!r}")
    coverage = report.get("coverage")
    if coverage and coverage["read"] + coverage["unread"] != coverage["counted"]:
        bad.append(f"coverage does not add up: {coverage}")
    return bad


def _triage(
    cli: RunCli, path: Path, out: Path, *options: str, codes: tuple[int, ...] = (0, 1, 2)
) -> list[str]:
    argv = ("triage", str(path), "--no-history", "--format", "json", "-o", str(out), *options)
    code, _, err = cli(*argv)
    bad = [] if code in codes else [f"exit code {code}"]
    if "Traceback" in err:
        bad.append(f"a traceback: {err[-400:]}")
    if code in (0, 1):
        data = path.read_bytes()
        lines = data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")
        bad += _violations(json.loads(out.read_text()), path, lines)
    return bad


@pytest.mark.parametrize("fixture", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_quote_stands_on_its_line(cli: RunCli, tmp_path: Path, fixture: Path) -> None:
    """A captured log's report also validates against the shipped schema, and its triage exits
    0 under `--fail-on never`: one triage of each capture serves both checks (the logs outside
    these folders are validated in tests/test_ci_outputs.py). A pool's `.kills` list is no log:
    it is refused as bad input, and has no report."""
    copy = tmp_path / fixture.name
    copy.write_bytes(fixture.read_bytes())
    out = tmp_path / "report.json"
    log = fixture.suffix in LOG_SUFFIXES
    named = NAMED_FORMATS.get(str(fixture.relative_to(FIXTURES)))
    options = ("--fail-on", "never", *(("--log-format", named) if named else ()))
    assert _triage(cli, copy, out, *options, codes=(0,) if log else (0, 1, 2)) == []
    if log:
        assert valid_json(out.read_text())["schema_version"] == 1


def _damaged(data: bytes, how: str) -> bytes:
    if how == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if how == "stamp":
        return b"".join(STAMP + line for line in data.splitlines(keepends=True))
    # cut inside the last quarter, in a UTF-8 sequence when there is one there
    cut = len(data) * 3 // 4
    inside = [i for i in range(cut, len(data)) if 0x80 <= data[i] < 0xC0]
    return data[: inside[0] if inside else cut]


@pytest.mark.parametrize("how", ["crlf", "stamp", "cut"])
@pytest.mark.parametrize("fixture", FILES[::6], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_quotes_stand_in_damaged_copies(
    cli: RunCli, tmp_path: Path, fixture: Path, how: str
) -> None:
    copy = tmp_path / fixture.name
    copy.write_bytes(_damaged(fixture.read_bytes(), how))
    assert _triage(cli, copy, tmp_path / "report.json") == []


# port_pool.log: a checkout sent to an Agent's name while other pools are logged by name
# (services_suite.log's only such hint was a pool called by a pid, which is no longer given)
@pytest.mark.parametrize("fixture", ["pytest/pool_suite.txt", "exunit/port_pool.log"])
def test_a_pool_never_seen_is_shown_by_the_line_naming_it(
    cli: RunCli, tmp_path: Path, fixture: str
) -> None:
    """The absence of a pool's activity is the note; the quote is the failure's line naming
    the pool, with that line's number (not a sentence with the block's range)."""
    copy = tmp_path / Path(fixture).name
    copy.write_bytes((FIXTURES / fixture).read_bytes())
    assert _triage(cli, copy, tmp_path / "report.json") == []
    report = json.loads((tmp_path / "report.json").read_text())
    absent = [e for _, e in _with_origin(report) if "wrong_process = yes" in e.get("note", "")]
    assert absent
    lines = copy.read_bytes().split(b"\n")
    for evidence in absent:
        found = _ORIGIN.match(evidence["origin"])
        assert found and found["b"] is None, evidence
        assert _norm(evidence["text"]) in _clean(lines[int(found["a"]) - 1]), evidence


def test_a_headline_is_quoted_as_the_line_that_prints_it(cli: RunCli, tmp_path: Path) -> None:
    """`EXIT from: {:worker_exit, 2}` is the parser's `kind: message`: the evidence quotes the
    line ExUnit printed (`** (EXIT from #PID<…>) {:worker_exit, 2}`) with its number."""
    copy = tmp_path / "wpool_suite.log"
    copy.write_bytes((FIXTURES / "exunit/wpool_suite.log").read_bytes())
    assert _triage(cli, copy, tmp_path / "report.json") == []
    report = json.loads((tmp_path / "report.json").read_text())
    lines = copy.read_bytes().split(b"\n")
    shown = [e for w, e in _with_origin(report) if w.endswith("evidence[]")]
    assert any("(EXIT from #PID<" in e["text"] for e in shown)
    for evidence in shown:
        found = _ORIGIN.match(evidence["origin"])
        assert found and found["b"] is None, evidence
        assert _norm(evidence["text"]) in _clean(lines[int(found["a"]) - 1]), evidence


def test_a_short_message_is_placed_on_the_line_that_prints_it(cli: RunCli, tmp_path: Path) -> None:
    """`shutdown`, the message of `** (EXIT from #PID<…>) shutdown`, is also a word of the test's
    name (`test graceful shutdown …`) on the header line above it: the veto quotes the line
    ExUnit printed, and the word and the veto stand on that line's number, not the header's."""
    copy = tmp_path / "pool_suite.log"
    copy.write_bytes((FIXTURES / "exunit/pool_suite.log").read_bytes())
    assert _triage(cli, copy, tmp_path / "report.json") == []
    report = json.loads((tmp_path / "report.json").read_text())
    [failure] = [
        f for f in report["findings"] if f["failure"]["name"].startswith("test graceful shutdown")
    ]
    assert failure["failure"]["origin"] == f"{copy}:403-405"
    exit_line = _clean(copy.read_bytes().split(b"\n")[405 - 1])
    assert exit_line == "** (EXIT from #PID<0.372.0>) shutdown"
    assert f"('{exit_line}', {copy}:405)" in failure["outcome"]["why"]
    code, out, _ = cli("patterns", "test", "2", str(copy))
    assert code == 0, out
    assert f"+0.20  shutdown  ({copy}:405)" in out
    assert f"veto  {exit_line}  ({copy}:405)" in out
