"""Triage at scale, on the fixtures: the same report whatever the chunks the log is read in,
failures past the cap classified and counted (never kept whole), and the reading's progress."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from poolctl import progress
from poolctl.cli import main
from poolctl.logs import lines, read_logs, scan
from poolctl.patterns import builtin_patterns
from poolctl.report.json_writer import JsonWriter, to_dict
from poolctl.report.markdown import MarkdownWriter
from poolctl.report.terminal import TerminalWriter
from poolctl.triage import engine
from poolctl.triage.engine import Triage
from tests.test_report_formats import valid_json

FIXTURES = Path(__file__).parent / "fixtures"
LOGS = [
    "exunit/pool_suite.log",
    "exunit/two_runs.log",
    "exunit/services_color.log",  # ANSI colours
    "exunit/services_gitlab.log",  # GitLab section markers
    "exunit/services_compose.log",  # docker compose's `app-1  | ` before every line
    "pytest/pool_suite.txt",
    "pytest/services_github_actions.txt",  # a timestamp before every line
    "pytest/services_xdist.txt",
]


def report_of(name: str) -> dict[str, Any]:
    job = Triage(builtin_patterns())
    doc = to_dict(job.report(job.read([str(FIXTURES / name)])))
    doc.pop("environment")
    return doc


@pytest.mark.parametrize("name", LOGS)
def test_a_log_read_in_small_chunks_gives_the_same_report(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 KB chunks: blocks, tracebacks and CI markers across chunk boundaries, the search of
    each chunk ahead of its parsing, the index over several chunks."""
    whole = report_of(name)
    monkeypatch.setattr(lines, "CHUNK_SIZE", 4096)
    assert report_of(name) == whole


def test_failures_past_the_cap_are_classified_and_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the cap every failure is still classified and counted in its group or cluster;
    only five are kept whole, and three more as the example of a group no kept one is in."""
    name = "exunit/pool_suite.log"
    whole = report_of(name)
    monkeypatch.setattr(scan, "MAX_FAILURES", 5)
    monkeypatch.setattr(engine, "MAX_EXAMPLES", 3)
    job = Triage(builtin_patterns())
    report = job.report(job.read([str(FIXTURES / name)]))
    doc = valid_json(JsonWriter().render(report))
    assert len(doc["findings"]) == 5 + 3
    assert doc["summary"] == whole["summary"]  # 31 failures, 25 diagnosed in 7 patterns
    assert whole["summary"]["failures"] == 31 and whole["summary"]["patterns"] == 7
    members = doc["groups"] + doc["clusters"]
    assert sum(len(g["findings"]) + g.get("more", 0) for g in members) == 31
    # the same groups and clusters as the whole report, whether listed or only counted
    assert {g["key"] for g in doc["groups"]} == {g["key"] for g in whole["groups"]}
    assert {c["id"] for c in doc["clusters"]} == {c["id"] for c in whole["clusters"]}
    counted_only = [g for g in members if not g["findings"]]
    assert counted_only and all(g["more"] >= 1 for g in counted_only)
    assert doc["coverage"]["read"] == whole["coverage"]["read"]  # counted failures were read
    notes = " | ".join(doc["notes"])
    assert "failures past the first 5 are classified and counted" in notes
    unlisted = sum(g["more"] for g in counted_only)
    assert f"{unlisted} failures past the cap are in {len(counted_only)} groups" in notes
    # every view counts them: the pattern table and section headers as well as the summary
    md = MarkdownWriter().render(report)
    assert "31 failures · 25 diagnosed in 7 patterns · 6 unclassified" in md
    # one port-no-response failure listed, two counted past the cap
    assert "| 1 | `port-no-response` Worker started but never answered | 3 |" in md
    assert "(`port-no-response`, 3 failures)" in md
    assert "| – | unclassified | 6 |" in md
    term = TerminalWriter(width=200).render(report)
    assert "31 failures · 25 diagnosed in 7 patterns · 6 unclassified" in term
    assert "port-no-response — Worker started but never answered (3 failures)" in term


def test_the_terminal_view_counts_the_failures_past_the_cap(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(scan, "MAX_FAILURES", 2)
    monkeypatch.setattr(engine, "MAX_EXAMPLES", 0)
    log = tmp_path / "same.log"
    block = "  {n}) test checkout {n} (PoolTest)\n     test/pool_test.exs:{n}\n"
    block += "     ** (exit) exited in: NimblePool.checkout(:test_pool_{n})\n"
    block += "         ** (EXIT) {{:shutdown, {{NimblePool, :checkout, [:test_pool_{n}]}}}}\n\n"
    log.write_text("".join(block.format(n=n) for n in range(1, 7)) + "6 tests, 6 failures\n")
    code = main(["triage", str(log), "--run-dir", str(tmp_path / "run")])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "6 failures · 6 diagnosed in 1 pattern · 0 unclassified" in out
    assert "×6 " in out
    doc = json.loads((tmp_path / "run" / "report.json").read_text())
    assert [len(g["findings"]) for g in doc["groups"]] == [2] and doc["groups"][0]["more"] == 4
    # every count the CI outputs give holds the four counted past the cap too
    assert "resolves 6 failures" in out and "also: " in out and " and 4 more" in out
    assert [fix["resolves"] for fix in doc["fix_plan"]] == [6]
    run = str(tmp_path / "run")
    assert main(["report", run, "-f", "junit", "-o", str(tmp_path / "junit.xml")]) == 0
    junit = (tmp_path / "junit.xml").read_text()
    assert 'tests="3" failures="3"' in junit and 'name="4 more failures"' in junit
    capsys.readouterr()
    assert main(["report", run, "--annotations", "-f", "json", "-o", os.devnull]) in (0, 1)
    notice = capsys.readouterr()[0].splitlines()[-1]
    assert notice.startswith("::notice title=poolctl%3A 4 more error annotation(s) not shown")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_says_how_far_the_reading_is_every_two_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr("poolctl.progress.time.monotonic", clock)
    out = io.StringIO()
    shown = progress.PlainReadProgress(Console(file=out, width=100))
    for done in range(0, 100_000_001, 10_000_000):
        clock.now += 0.7
        shown.on_read(done, 100_000_000)
    shown.on_read(5_000_000, None)  # standard input: no total
    assert out.getvalue().splitlines() == [
        "poolctl: reading the logs: 20% of 100.0 MB (2 s)",
        "poolctl: reading the logs: 50% of 100.0 MB (4 s)",
        "poolctl: reading the logs: 80% of 100.0 MB (6 s)",
    ]


@pytest.mark.parametrize(
    ("env", "plain"),
    [({}, False), ({"TERM": "dumb"}, True), ({"NO_COLOR": "1"}, True), ({"CI": "true"}, True)],
)
def test_a_terminal_gets_a_bar_unless_it_asks_for_plain_text(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], plain: bool
) -> None:
    for name in ("TERM", "NO_COLOR", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert progress.plain_text_wanted(terminal) is plain
    assert progress.plain_text_wanted(Console(file=io.StringIO()))  # not a terminal


def test_the_reading_reports_its_bytes_of_the_total() -> None:
    heard: list[tuple[int, int | None]] = []

    class Observer:
        def on_read(self, done: int, total: int | None) -> None:
            heard.append((done, total))

    paths = [str(FIXTURES / "exunit/pool_suite.log"), str(FIXTURES / "junit/exunit_junit.xml")]
    read_logs(paths, progress=Observer())
    total = sum(Path(p).stat().st_size for p in paths)
    assert heard and all(t == total for _, t in heard)
    assert [d for d, _ in heard] == sorted(d for d, _ in heard) and heard[-1][0] == total


def test_a_quick_triage_prints_no_progress(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["triage", str(FIXTURES / "pytest/pool_suite.txt"), "--run-dir", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 1 and err == ""


@pytest.mark.parametrize("packed", ["log.gz", "logs.zip"])
def test_a_packed_log_reports_its_own_bytes_not_what_they_unpack_to(
    tmp_path: Path, packed: str
) -> None:
    """A compressed log unpacks to many times its size: the progress counts the file's bytes
    (it said "1306% of 13.4 MB" of a gzip log)."""
    heard: list[tuple[int, int | None]] = []

    class Observer:
        def on_read(self, done: int, total: int | None) -> None:
            heard.append((done, total))

    text = (FIXTURES / "exunit/pool_suite.log").read_bytes() * 20
    path = tmp_path / packed
    if packed.endswith(".gz"):
        path.write_bytes(gzip.compress(text))
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("1_Run tests.txt", text)
    read_logs([str(path)], progress=Observer())
    total = path.stat().st_size
    assert total < len(text) / 4  # the case: it unpacks to much more
    assert heard and all(t == total and d <= total for d, t in heard), heard
