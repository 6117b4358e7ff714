"""A cargo workspace's crates each have a `src/lib.rs` (and may each have a
`tests/integration.rs`): a failure's group, which the run history keys a test by, holds its
crate, so that two crates' tests of one name are two tests (real captures of
src/cargo_crates_suite: capture_cargo_crates.sh). Before, both crates' unit tests were grouped
`src/lib.rs` and both integration tests `tests/integration.rs`: one identity for two tests."""

from __future__ import annotations

from pathlib import Path

from poolctl.history.identity import case_id
from poolctl.logs import read_logs

CRATES = Path(__file__).parent / "fixtures" / "mixed" / "cargo_crates"
UNIT = "tests::checkout_waits_for_a_worker"


def test_each_crates_targets_are_its_own() -> None:
    """The unit targets' crates from their binaries' names (`deps/pool_client-…`), the
    integration targets' from cargo's rerun hint (`-p pool-client --test integration`), the
    doc tests' from their `Doc-tests` line; each failure placed in its crate's files."""
    parsed = read_logs([str(CRATES / "no_fail_fast.txt")])
    read = [(f.group, f.name, f.location) for f in parsed.failures]
    assert read == [
        ("pool_client: src/lib.rs", UNIT, "crates/pool-client/src/lib.rs:17"),
        ("pool_client: tests/integration.rs", "worker_answers_ping",
         "crates/pool-client/tests/integration.rs:4"),
        ("pool_server: src/lib.rs", UNIT, "crates/pool-server/src/lib.rs:16"),
        ("pool_server: tests/integration.rs", "worker_answers_ping",
         "crates/pool-server/tests/integration.rs:3"),
        ("Doc-tests pool_client", "crates/pool-client/src/lib.rs - timeout_ms (line 5)",
         "crates/pool-client/src/lib.rs:5"),
        ("Doc-tests pool_server", "crates/pool-server/src/lib.rs - idle (line 5)",
         "crates/pool-server/src/lib.rs:9"),
    ]  # fmt: skip
    assert len({case_id(f).key for f in parsed.failures}) == 6
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1)] * 6


def test_a_run_stopped_at_its_first_failed_target_groups_it_by_its_crate() -> None:
    parsed = read_logs([str(CRATES / "fail_fast.txt")])
    assert [(f.group, f.name) for f in parsed.failures] == [("pool_client: src/lib.rs", UNIT)]
