"""RSpec's failure list formatter (`rspec --format failures`: a line for each failed example,
its place and its own description, no message nor count) is read: each line a failure named by
that description, grouped by its spec file, placed at the example's line, the failures read
counting the run, what Ruby printed on stderr before a line that failure's logged output.
Before, the log was refused as of no format (exit 2). A real capture
(`tests/fixtures/src/capture_rspec_failures.sh`: RSpec 3.12, Ruby 3.1, the pool of real Ruby
worker processes `tests/test_rspec_blocks.py` reads)."""

from __future__ import annotations

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json
from tests.test_rspec_blocks import RUNS

LOG = RUNS / "failures.txt"


def test_each_line_of_the_failure_list_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read_logs([str(LOG)])
    assert [(f.name, f.group, f.location) for f in parsed.failures] == [
        (
            "lets a second caller check out within 200ms",
            "spec/pool_spec.rb",
            "spec/pool_spec.rb:12",
        ),
        ("keeps its worker after a request", "spec/pool_spec.rb", "spec/pool_spec.rb:26"),
        ("reads the ok of an answer", "spec/pool_spec.rb", "spec/pool_spec.rb:32"),
        ("starts a job", "spec/pool_spec.rb", "spec/pool_spec.rb:39"),
        (
            "hands a worker to a caller waiting through shutdown",
            "spec/pool_spec.rb",
            "spec/pool_spec.rb:43",
        ),
        ("counts its workers", "spec/pool_spec.rb", "spec/pool_spec.rb:52"),
        ("answers within the request timeout", "spec/pool_spec.rb", "spec/pool_spec.rb:19"),
    ]
    assert {(f.source, f.details["runner"], f.message) for f in parsed.failures} == {
        ("rspec", "RSpec", "")
    }
    # Ruby's report of the waiter thread's exception, printed before the example's line
    shutdown = parsed.failures[4]
    assert shutdown.details["logged"].startswith("#<Thread:0x")
    assert (
        "was shut down while a caller waited for a worker (PoolShutdown)"
        in (shutdown.details["logged"])
    )
    assert not [f for f in parsed.failures if f is not shutdown and "logged" in f.details]
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read, run.line) == ("RSpec", 7, 7, 10)
    assert parsed.formats == {str(LOG): "RSpec failures"}
    code, report = triage_json(capsys, LOG)
    assert (code, report["summary"]["failures"], report["summary"]["unread"]) == (1, 7, 0)
