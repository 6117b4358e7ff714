"""A failure read from another runner's block names that runner as its `source`: TAP (prove,
Bats, node's TAP reporter), Vitest, `node --test`'s spec and dot reporters (real captures:
tests/fixtures/mixed/, see its README). Before, every one of them was `source: "pytest"` in
report.json, as if pytest had printed it. What reads the source stays as it was: a TAP or
Vitest test keeps its history key and its JUnit classname, and the store records its runner."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import RunCli

MIXED = Path(__file__).parent / "fixtures" / "mixed"


@pytest.mark.parametrize(
    ("log", "sources"),
    [
        ("tap_runs/prove_diag.log", {("tap", "TAP"): 2}),
        ("tap_runs/bats_diag.log", {("tap", "TAP"): 2}),
        ("pytest_then_node_tap.log", {("tap", "TAP"): 2}),
        ("vitest_runs/vitest.txt", {("vitest", "Vitest"): 6}),
        ("pytest_then_vitest.log", {("vitest", "Vitest"): 2}),
        ("node_spec/node_spec.log", {("node", "node --test"): 4}),
        ("node_dot/dot.log", {("node", "node --test"): 4}),
        ("pytest_then_unittest.log", {("unittest", "unittest"): 3}),
        # an ExUnit run then a Bats run in one log: each failure names its own runner
        ("tap_runs/mix_then_bats.log", {("exunit", None): 31, ("tap", "TAP"): 2}),
    ],
)
def test_each_failure_names_its_own_runner(
    cli: RunCli, log: str, sources: dict[tuple[str, str | None], int]
) -> None:
    code, out, err = cli("triage", str(MIXED / log), "--no-history", "-f", "json")
    assert code == 1, err
    found = Counter(
        (f["failure"]["source"], f["failure"]["details"].get("runner"))
        for f in json.loads(out)["findings"]
    )
    assert found == sources


def test_junit_classname_and_history_key_are_the_ones_before(cli: RunCli, tmp_path: Path) -> None:
    """The JUnit view still names a TAP or Vitest test's module after its file, and the store
    keys each test as before (the keys below are the ones the code gave when it said `pytest`),
    with its runner in the `source` column."""
    logs = [str(MIXED / "tap_runs" / "prove_diag.log"), str(MIXED / "vitest_runs" / "vitest.txt")]
    code, out, err = cli("triage", *logs, "--no-history", "-f", "junit")
    assert code == 1, err
    assert '<testcase classname="diag.pool_diag" name="checkout returns a worker' in out
    assert '<testcase classname="test.pool.test" name="pool &gt; arithmetic' in out
    store = tmp_path / "history.sqlite"
    code, _, err = cli("triage", *logs, "--history", f"sqlite:///{store}", "-f", "json")
    assert code == 1, err
    with sqlite3.connect(store) as conn:
        rows = set(conn.execute("SELECT name, test_key, source FROM failures"))
    assert ("checkout returns a worker", "5b5134b2cf5ce829", "tap") in rows
    assert ("pool > arithmetic", "0e4bc3cb589b6c34", "vitest") in rows
