"""A `cargo test` whose tests did not compile is one failure, the build's: rustc's errors above
cargo's `error: could not compile `pool_blocks` (lib test) due to 1 previous error`, named by
the crate and its target, placed at the first error's `-->`, of kind `build error`, its message
each error's line, place and label; that line counts it (no test of it ran). Before, the log
alone was refused as of no format; after a passed run, its `error[E0425]` line was one failure,
unread. Real captures (`tests/fixtures/src/capture_cargo_build_error.sh`, and
`capture_cargo_runs.sh`'s `cargo_test_clean_then_build_error.txt`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

MIXED = Path(__file__).parent / "fixtures" / "mixed"


@pytest.mark.parametrize(
    ("log", "name", "place", "said"),
    [
        (
            "cargo_blocks/build_error.txt",
            "pool_blocks (lib test) (build)",
            "src/lib.rs:92",
            "error[E0308]: mismatched types\n  --> src/lib.rs:92\n  expected `&str`, found integer",
        ),
        (
            "cargo_runs/cargo_test_clean_then_build_error.txt",
            'cargo_runs (test "broken") (build)',
            "tests/broken.rs:5",
            "error[E0425]: cannot find value `pool_size` in this scope\n"
            "  --> tests/broken.rs:5\n  not found in this scope",
        ),
    ],
)
def test_tests_that_did_not_compile_are_one_failure_the_builds(
    capsys: pytest.CaptureFixture[str], log: str, name: str, place: str, said: str
) -> None:
    parsed = read_logs([str(MIXED / log)])
    [built] = parsed.failures
    assert (built.name, built.location, built.kind, built.message) == (
        name,
        place,
        "build error",
        said,
    )
    failed = parsed.summaries[-1]
    assert failed.text.startswith("error: could not compile `")
    assert (failed.source, failed.failures, failed.read) == ("cargo test", 1, 1)
    code, report = triage_json(capsys, MIXED / log)
    assert (code, report["summary"]["failures"], report["summary"]["unread"]) == (1, 1, 0)
