"""A go example whose output differs (`got:` and `want:`, unindented under its `--- FAIL:`
line) and a fuzz test's failed seed are read with their messages, in go's plain, `-v` and
`-json` output and in gotestsum's summary (real captures: capture_go_examples.sh). Before, the
example's message was empty (its lines not indented under the header were taken for the end of
its block), and gotestsum's blocks, which keep go's `=== RUN` lines here, ended at them: the
fuzz seed's message was lost and a third failure made up (`ExampleStats`, "the run stopped
while this test ran")."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

EXAMPLES = Path(__file__).parent / "fixtures" / "mixed" / "go_examples"
GOT_WANT = "got:\nworkers: 2\nwaiting: 1\nwant:\nworkers: 2\nwaiting: 0"


@pytest.mark.parametrize(
    "log", ["go_test.txt", "go_test_v.txt", "go_test_json.txt", "gotestsum.txt"]
)
def test_an_example_says_what_it_got_and_wanted(log: str) -> None:
    parsed = read_logs([str(EXAMPLES / log)])
    read = {f.name: (f.location, f.message) for f in parsed.failures}
    assert read == {
        "FuzzParse/seed#1": ("pool_test.go:23", 'cannot parse size of "pool_b:x"'),
        "ExampleStats": ("", GOT_WANT),
    }
    runs = [(s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == ([(3, 3)] if log == "gotestsum.txt" else [(2, 2)])
