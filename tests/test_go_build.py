"""A go package that did not build (`FAIL	example.com/x [build failed]`: the compiler's or go
vet's lines under `# example.com/x` above it) is a failure named by its package, placed at the
compiler's first line, its message what the compiler said (real captures: capture_go_build.sh).
Before, go test's verdict was not matched (a space, not a tab, before `[build failed]`): the
log was read as runs that each passed, and one failure, unread, for its first `FAIL` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

BUILD = Path(__file__).parent / "fixtures" / "mixed" / "go_build"
BROKEN = ("broken (build)", "broken/broken_test.go:6", "undefined: undefinedThing")
VETTED = (
    "vetted (build)",
    "vetted/vet_test.go:9",
    'fmt.Printf format %d has arg "two" of wrong type string',
)


@pytest.mark.parametrize("log", ["go_test.txt", "go_test_json.txt", "gotestsum.txt"])
def test_each_package_that_did_not_build_is_a_failure(log: str) -> None:
    parsed = read_logs([str(BUILD / log)])
    read = sorted((f.name, f.location, f.message) for f in parsed.failures)
    assert read == [BROKEN, VETTED]
    assert {f.kind for f in parsed.failures} == {"build error"}
    counted = sum(s.failures or 0 for s in parsed.summaries)
    assert counted == 2 and sum(s.read or 0 for s in parsed.summaries) == 2
    assert not [n for n in parsed.skipped if "each passed" in n or "not read" in n]
