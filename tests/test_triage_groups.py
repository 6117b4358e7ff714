"""Identical failures grouped, unclassified ones clustered under stable ids, a big log's views
kept short, and `poolctl patterns new` writing a starter pattern from a cluster."""

from __future__ import annotations

import json
import math
import random
from functools import cache
from pathlib import Path

import pytest
import yaml

from poolctl.cli import main
from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Failure, Report
from poolctl.patterns import load_patterns
from poolctl.report import Format, JsonWriter, MarkdownWriter, TerminalWriter, render
from poolctl.report.combine import combine
from poolctl.report.groups_view import clusters_of, coverage_of, groups_of
from poolctl.report.load import from_dict
from poolctl.triage import triage
from poolctl.triage.normalize import cluster_text, short_hash, signature, strip_volatile
from tests.test_report_formats import valid_json

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()


@cache
def report_for(name: str) -> Report:
    return triage(read_logs([str(FIXTURES / name)]), KB)


# -- normalisation ---------------------------------------------------------------------------
def test_what_varies_between_runs_is_stripped() -> None:
    text = (
        "exited in: GenServer.call(#PID<0.260.0>, {:checkout, #Reference<0.24.70.246>}, 200) "
        "at 0x7f3a9c1d2e40 on 2026-11-29T17:10:00.123Z, session 3f2a9c1d-5b6e-4f70-8a9b-"
        "0c1d2e3f4a5b, pool :test_pool_8706"
    )
    assert strip_volatile(text) == (
        "exited in: GenServer.call(#PID<>, {:checkout, #Reference<>}, #) at <addr> on <time>, "
        "session <uuid>, pool :test_pool_#"
    )


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        # each shape alone: the text holds what its matches hold, and nothing else volatile
        ("down: #Port<0.7>", "down: #Port<>"),
        ("no # and no < here: 42", "no # and no < here: #"),
        ("id 3f2a9c1d-5b6e-4f70-8a9b-0c1d2e3f4a5b", "id <uuid>"),
        ("at 0xDEADbeef", "at <addr>"),
        ("blob 0123456789abcdef0", "blob <hex>"),
        ("blob 012345678901 and abcdefabcdef", "blob # and abcdefabcdef"),
        ("at 2026-11-29 17:10 and 2026-11-29", "at <time> and #-#-#"),
        ("at 17:10:00.5, not 17:10", "at <time>, not #:#"),
        # blanks: tabs and runs of spaces squeezed, single spaces kept, ends trimmed
        ("  a\tb  c d  ", "a b c d"),
        ("a\t\tb", "a b"),
        ("plain words", "plain words"),
    ],
)
def test_each_volatile_shape_is_stripped_whatever_else_the_text_holds(
    text: str, stripped: str
) -> None:
    """`strip_volatile` searches a text for a shape only when it holds the shape's literals:
    the same result as searching every text (the key of a group must not change)."""
    assert strip_volatile(text) == stripped


def test_the_signature_keeps_names_the_cluster_text_drops_them() -> None:
    a = Failure("pytest", "t1", kind="KeyError", message="KeyError: 'pool_pid'")
    b = Failure("pytest", "t2", kind="KeyError", message="KeyError: 'currency'")
    assert signature(a) != signature(b)  # a classification key: the key name matters
    assert cluster_text(a) == cluster_text(b) == "KeyError\nKeyError: '…'"
    path = Failure(
        "pytest",
        "t3",
        kind="FileNotFoundError",
        message="FileNotFoundError: [Errno 2] No such file: '/tmp/a/b.json' (see /srv/app/x.py)",
    )
    assert cluster_text(path).endswith("No such file: '…' (see <path>)")


def test_the_signature_reads_what_the_failure_says_not_its_name_or_place() -> None:
    base = Failure("exunit", "test a", kind="exit", message="time out", details={"right": "1"})
    other = Failure(
        "exunit",
        "test b",
        group="Other",
        location="test/b.exs:9",
        kind="exit",
        message="time out",
        details={"right": "2", "code": "assert x", "counter": "7"},
        stacktrace=("lib/x.ex:1",),
        line_start=99,
    )
    assert signature(base) == signature(other) == "exit\ntime out\nright: #"


# -- groups and clusters on real logs ----------------------------------------------------------
def test_identical_diagnosed_failures_make_one_group() -> None:
    report = report_for("pytest/pool_suite.txt")
    sizes = {g.pattern_id: len(g.findings) for g in groups_of(report) if len(g.findings) > 1}
    # the two parameters of one test fail the same way; so do two workers that never answer
    # a ping (`within 0.5s`, `within 0.3s`: the same message but for a number)
    assert sizes == {"required-field-missing": 2, "port-no-response": 2}
    [group] = [
        g
        for g in groups_of(report)
        if g.pattern_id == "required-field-missing" and len(g.findings) > 1
    ]
    names = [report.findings[i].failure.name for i in group.findings]
    assert names == [
        "test_create_program_from_signature[question -> answer]",
        "test_create_program_from_signature[context, question -> answer]",
    ]
    grouped = sorted(i for g in groups_of(report) for i in g.findings)
    assert grouped == [i for i, f in enumerate(report.findings) if isinstance(f.outcome, Diagnosis)]


@pytest.mark.parametrize(
    "runs",
    [
        (
            "exunit/pool_suite.log",
            "exunit/pool_suite_color.log",
            "exunit/pool_suite_seed_trace.log",
        ),
        ("exunit/services_suite.log", "exunit/services_trace.log", "exunit/services_wrapped.log"),
        ("pytest/services_suite.txt", "pytest/services_xdist.txt", "junit/services_xunit2.xml"),
    ],
    ids=["pool-suite", "services-exunit", "services-pytest"],
)
def test_cluster_ids_are_the_same_in_every_run(runs: tuple[str, ...]) -> None:
    """Separate real runs of one suite (other pids, ports, timings, seeds, even another
    format) cluster their unclassified failures under the same ids."""
    ids = []
    for name in runs:
        report = report_for(name)
        by_test = {}
        for cluster in clusters_of(report):
            for i in cluster.findings:
                by_test[report.findings[i].failure.name.split("::")[-1]] = cluster.id
        ids.append(by_test)
    assert ids[0] and ids[0] == ids[1]
    if runs[2].endswith(".log"):
        assert ids[0] == ids[2]
    assert clusters_of(triage(read_logs([str(FIXTURES / runs[0])]), KB)) == clusters_of(
        report_for(runs[0])
    )


def test_a_cluster_id_is_the_hash_of_its_text() -> None:
    report = report_for("exunit/services_suite.log")
    assert all(c.id == short_hash(c.text) for c in clusters_of(report))  # texts here are short
    assert len({c.id for c in clusters_of(report)}) == len(clusters_of(report))
    sizes = [len(c.findings) for c in clusters_of(report)]
    assert sizes == sorted(sizes, reverse=True)


# -- a big log ---------------------------------------------------------------------------------
def big_log(path: Path, seed: int = 1) -> Path:
    """An ExUnit log of 500 failures: 300 checkout timeouts, 70 near-identical resets, 100
    KeyErrors on four keys, 30 arithmetic assertions (pids, numbers and lines differ)."""
    rnd = random.Random(seed)
    out: list[str] = []
    counter = 0

    def block(name: str, module: str, body: str) -> None:
        nonlocal counter
        counter += 1
        line = rnd.randint(5, 400)
        out.append(f"\n  {counter}) test {name} ({module})\n     test/x_test.exs:{line}\n{body}\n")

    for i in range(300):
        pid = f"#PID<0.{rnd.randint(100, 9999)}.0>"
        waiting = rnd.randint(3, 9)
        queued = f'Checkout for "s{i}" queued: 0 of 2 ready, {waiting} waiting'
        out.append(f"\n12:00:00.000 [warning] {queued}\n")
        block(
            f"checkout {i} under load",
            "Shop.PoolTest",
            f'     ** (exit) exited in: GenServer.call({pid}, {{:checkout, "s{i}"}}, 200)\n'
            "         ** (EXIT) time out",
        )
    for i in range(70):
        os_pid = rnd.randint(1000, 99999)
        block(
            f"sync {i}",
            "Shop.SyncTest",
            f"     ** (RuntimeError) connection reset by peer (pid {os_pid})",
        )
    for i in range(100):
        key = ("currency", "tax_rate", "region", "sku")[i % 4]
        block(
            f"price {i}",
            "Shop.PriceTest",
            f"     ** (KeyError) key :{key} not found in: %{{amount: {i}}}",
        )
    for i in range(30):
        block(
            f"totals {i}",
            "Shop.TotalsTest",
            f"     Assertion with == failed\n     left:  {i}\n     right: {i + 1}",
        )
    out.append("\nFinished in 31.2 seconds\n540 tests, 500 failures\n")
    path.write_text("".join(out))
    return path


def rows(text: str, width: int) -> int:
    """Terminal rows the text takes at `width` columns (long lines wrap)."""
    return sum(max(1, math.ceil(len(line) / width)) for line in text.splitlines())


def test_a_big_logs_terminal_view_fits_in_a_few_screens(tmp_path: Path) -> None:
    report = triage(read_logs([str(big_log(tmp_path / "big.log"))]), KB)
    coverage = coverage_of(report)
    assert len(report.findings) == 500 and coverage is not None
    assert (coverage.counted, coverage.unread) == (500, 0)
    [group] = groups_of(report)  # 300 checkout timeouts: one pattern, one normalised message
    assert group.pattern_id == "checkout-timeout-waiters" and len(group.findings) == 300
    assert [len(c.findings) for c in clusters_of(report)] == [70, 30, 25, 25, 25, 25]
    out = TerminalWriter(width=100).render(report)
    assert rows(out, 100) <= 150  # three screens of 50 rows
    assert "✗ ×300 test checkout 0 under load (Shop.PoolTest)" in out
    assert "? ×70 RuntimeError · connection reset by peer (pid #)" in out
    assert "Fix plan" in out and out.count("\n  ? ") == 6


def test_every_view_lists_every_failure_of_a_group(tmp_path: Path) -> None:
    report = triage(read_logs([str(big_log(tmp_path / "big.log"))]), KB)
    md = MarkdownWriter().render(report)
    assert "### ×300 test checkout 0 under load (Shop.PoolTest)" in md
    assert "and 249 more" in md  # 50 named; report.json lists them all
    doc = json.loads(render(report, Format.JSON))
    assert sorted(i for g in doc["groups"] for i in g["findings"]) == list(range(300))
    assert [c["id"] for c in doc["clusters"]] == [c.id for c in clusters_of(report)]
    again = from_dict(doc)
    assert again.details == report.details
    assert TerminalWriter().render(again) == TerminalWriter().render(report)


def test_a_combined_triage_keeps_each_runs_groups_clusters_and_counts() -> None:
    runs = [report_for("exunit/services_suite.log"), report_for("pytest/services_counts_only.txt")]
    doc = valid_json(JsonWriter().render(combine(runs)))
    assert doc["summary"]["unread"] == 22  # the second run's failures, counted and not read
    first, second = doc["extra"]["runs"]
    groups = [list(g.findings) for g in groups_of(runs[0])]
    assert groups and [g["findings"] for g in first["groups"]] == groups
    assert second["coverage"]["unread"] == 22 and not second["groups"]
    again = from_dict(doc)
    assert TerminalWriter().render(again) == TerminalWriter().render_all(runs)


# -- patterns new --------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_patterns_new_writes_a_starter_that_claims_its_cluster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = str(big_log(tmp_path / "big.log"))
    report = triage(read_logs([log]), KB)
    resets = clusters_of(report)[0]
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "patterns", "new", "--from", log, "--cluster", resets.id[:5])
    assert code == 0, err
    path = tmp_path / "patterns" / "connection-reset-by-peer-pid.yaml"
    assert f"wrote patterns/{path.name}" in out and "poolctl patterns test" in out
    doc = yaml.safe_load(path.read_text())
    assert (doc["id"], doc["number"]) == ("connection-reset-by-peer-pid", 8)
    assert doc["signals"][0]["regex"] == r"\bconnection\W+reset\W+by\W+peer\W+pid\b"
    assert doc["examples"]["match"][0]["message"].startswith("connection reset by peer (pid ")
    assert doc["remediation"].startswith("TODO")
    # `patterns test` shows what the starter claims: its cluster's 70 failures, nothing else
    code, out, err = run(
        capsys, "patterns", "test", doc["id"], log, "--patterns", str(tmp_path / "patterns")
    )
    assert code == 0, err
    assert "claims 70 of 500 failure(s)" in out
    code, out, _ = run(capsys, "patterns", "test", doc["id"], "--patterns", "patterns")
    assert code == 0 and "all examples pass" in out
    # the triage now classifies the cluster with the new pattern
    with_starter = triage(read_logs([log]), load_patterns([tmp_path / "patterns"]))
    assert resets.id not in {c.id for c in clusters_of(with_starter)}


def test_patterns_new_refuses_unknown_clusters_and_existing_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = str(FIXTURES / "exunit/services_suite.log")
    code, _, err = run(capsys, "patterns", "new", "--from", log, "--cluster", "ffffffff")
    assert code == 2 and "'ffffffff' is not a cluster of this log; its clusters" in err
    assert len(err.strip().splitlines()) == 1
    cluster = clusters_of(report_for("exunit/services_suite.log"))[0].id
    target = tmp_path / "mine.yaml"
    target.write_text("# mine\n")
    code, _, err = run(
        capsys, "patterns", "new", "--from", log, "--cluster", cluster, "-o", str(target)
    )
    assert code == 2 and "exists; choose another --output or add --force" in err
    assert target.read_text() == "# mine\n"
    code, _, err = run(
        capsys, "patterns", "new", "--from", log, "--cluster", cluster, "-o", str(target), "--force"
    )
    assert code == 0, err
    assert load_patterns([tmp_path]).get(yaml.safe_load(target.read_text())["id"])


def test_patterns_new_writes_no_secret_of_the_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = "ghp_" + "Q2x9Lm4Tz8Vb1Nc7Rk5W" * 2  # a token shape, redacted wherever it is
    blocks = "".join(
        f"  {i}) test push {i} (Shop.PushTest)\n     test/push_test.exs:{i + 3}\n"
        f"     ** (RuntimeError) remote rejected the push: token {token} expired\n\n"
        for i in (1, 2, 3)
    )
    other = (
        "  4) test sum (Shop.SumTest)\n     test/sum_test.exs:5\n     ** (ArithmeticError) x\n\n"
    )
    log = tmp_path / "push.log"
    log.write_text(blocks + other + "4 tests, 4 failures\n")
    cluster = clusters_of(triage(read_logs([str(log)]), KB))[0]
    assert len(cluster.findings) == 3
    target = tmp_path / "push.yaml"
    code, _, err = run(
        capsys, "patterns", "new", "--from", str(log), "--cluster", cluster.id, "-o", str(target)
    )
    assert code == 0, err
    text = target.read_text()
    assert token not in text and "[redacted" in text
    example = yaml.safe_load(text)["examples"]["match"][0]
    assert example["message"] == "remote rejected the push: token [redacted] expired"
