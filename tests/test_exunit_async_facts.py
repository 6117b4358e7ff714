"""ExUnit `async: true` tests run at the same time: a Logger line printed just before a failure's
block may be another test's. The log is a real run of tests/fixtures/src/exunit_async_facts_suite
(tests/fixtures/src/capture_exunit_async_facts.sh, Elixir 1.14.0 on Erlang/OTP 25)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import RunCli

ASYNC = Path(__file__).parent / "fixtures" / "exunit" / "async_facts" / "async.log"
SINGLE = ASYNC.with_name("single.log")


def test_a_fact_from_a_line_of_another_test_running_at_once_is_not_stated(
    cli: RunCli, tmp_path: Path
) -> None:
    """Alpha's worker line, then Beta's (its test started 200 ms later), then Alpha's block:
    before, Alpha's failure stated `os_pid` = Beta's worker's pid (the nearest line). No line
    names Alpha's pool or the #PID its call went to: the fact is not stated, and the evidence
    names both values and why neither is tied to it."""
    text = ASYNC.read_text()
    pids = {pool: pid for pool, pid in re.findall(r"pool :(\w+) started, os_pid: (\d+)", text)}
    assert set(pids) == {"alpha_pool", "beta_pool"}
    out = tmp_path / "report.json"
    code, _, err = cli(
        "triage", str(ASYNC), "--no-history", "--format", "json", "-o", str(out),
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1, err
    findings = {f["failure"]["name"]: f["outcome"] for f in json.loads(out.read_text())["findings"]}
    alpha = findings["test alpha pool worker answers ping"]
    beta = findings["test beta pool worker answers ping"]
    assert alpha["pattern_id"] == beta["pattern_id"] == "port-no-response"
    assert "os_pid" not in alpha["facts"] and "os_pid" not in beta["facts"]
    [untied] = [e for e in alpha["evidence"] if e["note"].startswith("os_pid not stated")]
    assert pids["alpha_pool"] in untied["note"] and pids["beta_pool"] in untied["note"]
    assert "none is tied to it" in untied["note"]


def test_under_trace_a_line_between_the_test_s_start_and_end_is_its_own(
    cli: RunCli, tmp_path: Path
) -> None:
    """`mix test --trace` runs one test at a time, and prints a failure's block after the next
    test began (exunit/shpool/seed0_trace.log, a real run): the silent worker's test started
    (`* test a silent sh worker answers ping [L#5]`), its worker logged os_pid 12648, it ended,
    the next test's strict worker logged 12651, then the block. Before: os_pid 12651, the next
    test's; the line between its start and end lines is its own: 12648."""
    log = Path(__file__).parent / "fixtures" / "exunit" / "shpool" / "seed0_trace.log"
    out = tmp_path / "report.json"
    code, _, err = cli(
        "triage", str(log), "--no-history", "--format", "json", "-o", str(out),
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1, err
    [silent] = [
        f["outcome"]
        for f in json.loads(out.read_text())["findings"]
        if f["failure"]["name"] == "test a silent sh worker answers ping"
    ]
    assert silent["facts"]["os_pid"] == 12648


def test_a_fact_from_one_line_of_another_test_alone_is_not_stated(
    cli: RunCli, tmp_path: Path
) -> None:
    """single.log: Gamma's worker logs nothing; Beta's worker line (its test 200 ms in) is the
    only line above Gamma's block. Before, Gamma's failure stated `os_pid` = Beta's worker's pid
    from that line alone, and pattern 1's os_pid signal counted it (confidence 0.85). The line
    names neither Gamma's pool nor the #PID its call went to: the fact is not stated, the
    evidence says it is not tied, and the signal, which is that fact, does not count."""
    [beta_pid] = re.findall(r"pool :beta_pool started, os_pid: (\d+)", SINGLE.read_text())
    out = tmp_path / "report.json"
    code, _, err = cli(
        "triage", str(SINGLE), "--no-history", "--format", "json", "-o", str(out),
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1, err
    findings = {f["failure"]["name"]: f["outcome"] for f in json.loads(out.read_text())["findings"]}
    gamma = findings["test gamma pool worker answers ping"]
    assert gamma["pattern_id"] == "port-no-response"
    assert "os_pid" not in gamma["facts"]
    assert all(beta_pid not in str(v) and "beta" not in str(v) for v in gamma["facts"].values())
    [untied] = [e for e in gamma["evidence"] if e["note"].startswith("os_pid not stated")]
    assert beta_pid in untied["note"] and "not tied to it" in untied["note"]
    assert not [e for e in gamma["evidence"] if "OS pid" in e["note"]]
