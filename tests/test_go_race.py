"""A go test the race detector failed (`go test -race`) is placed where its report says the
race is, not at go's own `testing.go:1319: race detected during execution of test` (real
captures: capture_go_race.sh). Before, each form read the test at `testing.go:1319`, the report
above it (its accesses and their frames) left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

RACE = Path(__file__).parent / "fixtures" / "mixed" / "go_race"


@pytest.mark.parametrize("log", ["race.txt", "race_v.txt", "race_json.txt", "race_gotestsum.txt"])
def test_a_data_race_is_placed_at_the_racing_access(log: str) -> None:
    """Plain (the report before the test's `--- FAIL:` line), `-v` (under its `=== RUN`),
    `-json` and gotestsum's summary: one failure, kind `data race`, at pool.go:9 (the
    unlocked `p.free--`), its message go's line then the two accesses, each with its goroutine,
    place and function."""
    parsed = read_logs([str(RACE / log)])
    assert [f.name for f in parsed.failures] == ["TestConcurrentCheckout"]
    race = parsed.failures[0]
    assert race.kind == "data race"
    assert race.location == "/tmp/go_race_suite/pool/pool.go:9"
    said = race.message.splitlines()
    assert said[0] == "race detected during execution of test"
    assert said[1].startswith("read by goroutine ")
    assert said[2].startswith("previous write by goroutine ")
    assert all(
        s.endswith(
            " at /tmp/go_race_suite/pool/pool.go:9 in example.com/gorace/pool.(*Pool).Checkout()"
        )
        for s in said[1:]
    )
    runs = [(s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [(1, 1)]
