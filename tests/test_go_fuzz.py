"""`go test -fuzz`'s failure: the fuzz test's `--- FAIL:` line, the fuzzing engine's of its
target indented under it (the same name), the panic it caught logged at testing.go's line with
the goroutine's trace, then the input written to the package's corpus (real captures of
src/go_fuzz_suite: capture_go_fuzz.sh). Before, it was two failures, the outer with no message,
the inner's message the whole trace and its place testing.go:1356; the corpus line was read
nowhere; and the corpus input's own failure, a subtest `FuzzFrameHeader/<hash>` panicking in the
target's closure, had no place."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

FUZZ = Path(__file__).parent / "fixtures" / "mixed" / "go_fuzz"
INPUT = "FuzzFrameHeader/52aa6175d6125a3f5063f3b1d236b39843653b08f7220e26c7be988cd74ea077"
PLACE = "/tmp/go_fuzz_suite/framing/framing_test.go:24"  # the target's closure, its call


@pytest.mark.parametrize("log", ["fuzz.txt", "fuzz_json.txt"])
def test_a_fuzz_failure_is_one_panic_with_its_corpus_input(log: str) -> None:
    parsed = read_logs([str(FUZZ / log)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.location, failure.message) == (
        "FuzzFrameHeader",
        "panic",
        PLACE,
        "bad length header: 0A",
    )
    assert failure.details["fuzz input"] == f"testdata/fuzz/{INPUT}"
    assert failure.details["rerun"] == f"go test -run={INPUT}"
    assert any(frame.startswith(f"{PLACE}: in ") for frame in failure.stacktrace)


def test_the_corpus_inputs_failure_is_placed_in_the_targets_closure() -> None:
    [failure] = read_logs([str(FUZZ / "corpus.txt")]).failures
    assert (failure.name, failure.kind, failure.location, failure.message) == (
        INPUT,
        "panic",
        PLACE,
        "bad length header: 0A",
    )
